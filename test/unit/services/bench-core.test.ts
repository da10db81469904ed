import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBenchCore } from '../../../electron/services/bench-core';
import { buildDemoRepository } from '../../../trust/demo-repository';
import { directorySource } from '../../../trust/source';
import { bundledRootFile } from '../../helpers/bundled-root';
import { useTempDirs } from '../../helpers/temp-dir';

describe('bench core', () => {
  const tempDir = useTempDirs();

  it('records pack activations and refusals in the signed integrity log, not in a side file', async () => {
    const dataDir = tempDir();
    const repo = path.join(tempDir(), 'repo');
    buildDemoRepository({ sourceDir: 'resources/demo-source', outDir: repo });
    const core = openBenchCore({ dataDir, bundledRootFile, appVersion: '0.1.0', production: false });
    await core.packs.update(directorySource(repo), 'bosch-like-cri');
    await expect(core.packs.update(directorySource(repo), 'no-such-family')).rejects.toMatchObject({ code: expect.any(String) });
    const entries = [...core.store.integrityLog.entries()];
    const activation = entries.find((entry) => entry.type === 'packs.activate');
    expect(JSON.parse(activation?.payloadJson ?? '{}')).toMatchObject({ family: 'bosch-like-cri', version: '1.0.0' });
    expect(entries.some((entry) => entry.type === 'packs.activate_refused')).toBe(true);
    expect(existsSync(path.join(dataDir, 'packs', 'evidence.jsonl'))).toBe(false);
    core.close();
  });
});
