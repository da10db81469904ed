import { describe, expect, it } from 'vitest';
import { isBundleEntry, serverRepositoryUrl } from '../../../electron/services/releases/release-source';

describe('offline bundle names and the server repository route', () => {
  it('accepts exactly the repository layout', () => {
    for (const name of ['root/2.root.json', 'timestamp.json', './snapshot.json', 'index/denso-like-g3.json', 'directives/bench-a1e41e452b2d935f.json', 'packs/denso-like-g3/1.1.0.injpack']) {
      expect(isBundleEntry(name), name).toBe(true);
    }
  });

  it('refuses anything else: keys, evidence, traversal, absolute paths, nested or odd names', () => {
    for (const name of ['keys/root.json', 'evidence.jsonl', '../snapshot.json', '/etc/passwd', 'index/../../x.json', 'packs/denso-like-g3/1.1.0.injpack/x', 'packs/Denso/1.0.0.injpack', 'root/one.root.json', 'index/a.json.bak', 'build/denso-like-g3-1.0.0.injpack', '']) {
      expect(isBundleEntry(name), name).toBe(false);
    }
  });

  it('puts the repository under /api/v1/repository/ of the configured server, with or without a trailing slash or a path', () => {
    expect(serverRepositoryUrl('http://127.0.0.1:8780')).toBe('http://127.0.0.1:8780/api/v1/repository/');
    expect(serverRepositoryUrl('https://bench-server.example/')).toBe('https://bench-server.example/api/v1/repository/');
    expect(serverRepositoryUrl('https://example.org/injbench')).toBe('https://example.org/injbench/api/v1/repository/');
  });
});
