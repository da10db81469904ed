import { bundledRootFile } from '../helpers/bundled-root';
import { execFile } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createBenchServices } from '../../electron/services/bench-services';
import { silentLogger } from '../helpers/silent-logger';
import { tamperWith } from '../helpers/tamper';
import { useTempDirs } from '../helpers/temp-dir';

const run = promisify(execFile);
const injbench = path.resolve('bin/injbench.mjs');

async function supportVerify(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(process.execPath, [injbench, 'support', 'verify', ...args]);
    return { code: 0, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, stdout: failure.stdout };
  }
}

describe('injbench support verify', () => {
  const tempDir = useTempDirs();

  it('prints OK for an intact log and names the first bad entry after tampering', async () => {
    const dataDir = tempDir();
    const services = createBenchServices({ dataDir, appVersion: '1.0.0', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0 });
    services.integrityLog.append('admin.pin', { actor: 'admin', reason: 'canary trial', ticket: 'WS-12' });
    await services.close();

    const intact = await supportVerify(dataDir);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^OK bench-[0-9a-f]{16}: 3 entries, sealed through 3/);
    expect(JSON.parse((await supportVerify(dataDir, '--json')).stdout)).toMatchObject({ ok: true, benchId: expect.stringMatching(/^bench-/), entries: 3, sealedThrough: 3 });

    tamperWith(dataDir, (db) => db.prepare(`UPDATE integrity_log SET payload_json = '{"actor":"admin","reason":"x","ticket":"WS-12"}' WHERE seq = 2`).run());
    const tampered = await supportVerify(dataDir);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^FAIL ENTRY_ALTERED at entry 2: entry 2 \(admin\.pin\) was changed/);
    const tamperedJson = await supportVerify(dataDir, '--json');
    expect(tamperedJson.code).toBe(1);
    expect(JSON.parse(tamperedJson.stdout)).toMatchObject({ ok: false, code: 'ENTRY_ALTERED', seq: 2 });
  });

  it('judges a bundle file larger than any bundle by its size, without reading it', async () => {
    // A sparse 3 GiB file: more than Node reads into one buffer, so reading it first would fail untyped.
    const file = path.join(tempDir(), 'huge.injbench-support');
    writeFileSync(file, '');
    truncateSync(file, 3 * 1024 ** 3);
    const verdict = await supportVerify(file);
    expect(verdict.code).toBe(1);
    expect(verdict.stdout).toMatch(/^FAIL MALFORMED: the bundle is larger than 67108864 bytes/);
  });
});
