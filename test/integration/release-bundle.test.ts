/**
 * Offline bundles end to end on the command line: `injbench release bundle` writes one file, `injbench packs
 * refresh --bundle` on a bench with no network activates from it, `packs pin`/`unpin` go through the same
 * verification; a bundle with anything outside the repository layout, or a tampered pack, is refused typed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBenchServices } from '../../electron/services/bench-services';
import { openBenchStore } from '../../electron/services/store/bench-store';
import { bundledRootFile } from '../helpers/bundled-root';
import { silentLogger } from '../helpers/silent-logger';
import { runCli } from '../helpers/sim-process';

describe('offline bundle: release bundle, packs refresh --bundle, pin and unpin', () => {
  let workDir: string;
  let repo: string;
  let bundle: string;
  const audit = ['--actor', 'Ana Admin', '--reason', 'quarterly USB update', '--ticket', 'OPS-40'];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'injbench-bundle-'));
    repo = path.join(workDir, 'repo');
    bundle = path.join(workDir, 'demo.tar.gz');
    expect((await runCli(['release', 'demo', '--out', repo], process.env, 60_000)).code).toBe(0);
  }, 90_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  function evidenceTypes(dataDir: string): string[] {
    const store = openBenchStore(dataDir);
    try {
      return [...store.integrityLog.entries()].map((entry) => entry.type);
    } finally {
      store.close();
    }
  }

  it('bundles only the signed repository layout, and refuses to overwrite', async () => {
    const made = await runCli(['release', 'bundle', '--repo', repo, '--out', bundle]);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/^bundle .*demo\.tar\.gz: 13 files, \d+ bytes, sha256 [0-9a-f]{64}\n$/);
    const names: string[] = [];
    await tar.t({ file: bundle, onReadEntry: (entry) => names.push(entry.path) });
    expect(names).toContain('snapshot.json');
    expect(names.some((name) => name.startsWith('build/') || name === 'evidence.jsonl')).toBe(false);
    const again = await runCli(['release', 'bundle', '--repo', repo, '--out', bundle]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('RELEASE_REFUSED');
  });

  it('activates from the bundle on a bench with no network, then pins and unpins through the same checks', async () => {
    const dataDir = path.join(workDir, 'bench-ok');
    const refresh = await runCli(['packs', 'refresh', '--bundle', bundle, '--data-dir', dataDir, ...audit]);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(refresh.stdout).toContain('ACTIVATED denso-like-g3 1.0.0');
    const pin = await runCli(['packs', 'pin', '--family', 'denso-like-g3', '--pin-version', '1.1.0', '--hours', '48', '--data-dir', dataDir, ...audit]);
    expect(pin.code, pin.stderr).toBe(0);
    expect(pin.stdout).toContain('active 1.1.0 (counter 2)');
    // The source is remembered: a later refresh keeps the pin.
    const kept = await runCli(['packs', 'refresh', '--data-dir', dataDir, ...audit]);
    expect(kept.stdout).toContain('UNCHANGED denso-like-g3 1.1.0');
    const unpin = await runCli(['packs', 'unpin', '--family', 'denso-like-g3', '--data-dir', dataDir, ...audit]);
    expect(unpin.code, unpin.stderr).toBe(0);
    expect(unpin.stdout).toContain('active 1.0.0 (counter 1)');
    expect(evidenceTypes(dataDir)).toEqual(expect.arrayContaining(['releases.refreshed', 'releases.pinned', 'releases.unpinned', 'packs.activate']));
  });

  it('refuses a bundle holding anything outside the layout, and a link', async () => {
    const staging = path.join(workDir, 'evil');
    mkdirSync(path.join(staging, 'keys'), { recursive: true });
    writeFileSync(path.join(staging, 'snapshot.json'), readFileSync(path.join(repo, 'snapshot.json')));
    writeFileSync(path.join(staging, 'keys', 'root.json'), '{}');
    const evil = path.join(workDir, 'evil.tar.gz');
    await tar.c({ file: evil, cwd: staging, gzip: true }, ['snapshot.json', 'keys/root.json']);
    const refused = await runCli(['packs', 'refresh', '--bundle', evil, '--data-dir', path.join(workDir, 'bench-evil'), ...audit]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('VERIFICATION_FAILED');
    expect(refused.stderr).toContain('keys/root.json is not part of the repository layout');

    const linked = path.join(workDir, 'linked');
    mkdirSync(linked);
    symlinkSync('/etc/passwd', path.join(linked, 'snapshot.json'));
    const linkBundle = path.join(workDir, 'link.tar.gz');
    await tar.c({ file: linkBundle, cwd: linked, gzip: true }, ['snapshot.json']);
    const linkRefused = await runCli(['packs', 'refresh', '--bundle', linkBundle, '--data-dir', path.join(workDir, 'bench-link'), ...audit]);
    expect(linkRefused.code).toBe(1);
    expect(linkRefused.stderr).toContain('SymbolicLink');
  });

  it('refuses a pack tampered inside the bundle, by name, and still activates the other families', async () => {
    const copy = path.join(workDir, 'tampered');
    await tar.x({ file: bundle, cwd: mkdirSync(copy, { recursive: true }) ?? copy });
    const packFile = path.join(copy, 'packs', 'bosch-like-cri', '1.0.0.injpack');
    const bytes = readFileSync(packFile);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    writeFileSync(packFile, bytes);
    const tampered = path.join(workDir, 'tampered.tar.gz');
    await tar.c({ file: tampered, cwd: copy, gzip: true }, ['root', 'snapshot.json', 'timestamp.json', 'index', 'packs']);
    const dataDir = path.join(workDir, 'bench-tampered');
    const result = await runCli(['packs', 'refresh', '--bundle', tampered, '--data-dir', dataDir, ...audit]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/REFUSED bosch-like-cri - HASH_MISMATCH: pack file calibration\.json of bosch-like-cri 1\.0\.0 does not match/);
    expect(result.stdout).toContain('ACTIVATED denso-like-g3 1.0.0');
    expect(evidenceTypes(dataDir)).toContain('packs.activate_refused');
  });

  /** Serves the demo repository under /api/v1/repository/ on 127.0.0.1, as the central server's route does. */
  async function repositoryServer(requested: string[]): Promise<{ url: string; close(): Promise<void> }> {
    const prefix = '/api/v1/repository/';
    const server: Server = createServer((request, response) => {
      const url = request.url ?? '';
      requested.push(url);
      const file = path.join(repo, decodeURIComponent(url.slice(prefix.length)));
      if (!url.startsWith(prefix) || !file.startsWith(repo + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-length': statSync(file).size }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('refreshes from the central server set in the settings, at <serverUrl>/api/v1/repository/', async () => {
    const requested: string[] = [];
    const server = await repositoryServer(requested);
    try {
      const dataDir = path.join(workDir, 'bench-server');
      const store = openBenchStore(dataDir);
      store.settings.update({ serverUrl: server.url });
      store.close();
      const result = await runCli(['packs', 'refresh', '--server', '--data-dir', dataDir, ...audit]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`refreshed from ${server.url}/api/v1/repository/`);
      expect(result.stdout).toContain('ACTIVATED bosch-like-cri 1.0.0');
      expect(requested).toContain('/api/v1/repository/snapshot.json');
      expect(requested).toContain('/api/v1/repository/packs/bosch-like-cri/1.0.0.injpack');
    } finally {
      await server.close();
    }
  });

  it('refreshes on its own, periodically, in the app when a central server is set', async () => {
    const requested: string[] = [];
    const server = await repositoryServer(requested);
    const dataDir = path.join(workDir, 'bench-periodic');
    const services = createBenchServices({ dataDir, bundledRootFile, appVersion: '0.1.0', mode: 'workspace', logger: silentLogger(), statusIntervalMs: 0, releaseTimers: { pinCheckMs: 0, serverRefreshMs: 300 } });
    try {
      services.store.settings.update({ serverUrl: server.url });
      await expect.poll(() => services.packs.readState().trusted.active['denso-like-g3']?.version, { timeout: 20_000 }).toBe('1.0.0');
      const refreshed = services.store.integrityLog.search({ typePrefix: 'releases.refreshed', limit: 10 }).map((entry) => JSON.parse(entry.payloadJson) as Record<string, unknown>);
      expect(refreshed[0]).toMatchObject({ trigger: 'periodic', actor: 'bench', source: `${server.url}/api/v1/repository/` });
    } finally {
      await services.close();
      await server.close();
    }
  });
});
