import { bundledRootFile } from '../../helpers/bundled-root';
import { describe, expect, it } from 'vitest';
import type { EvidencePage } from '../../../electron/contract/bench-api';
import { createBenchServices } from '../../../electron/services/bench-services';
import { hashPin } from '../../../common/pin-hash';
import { silentLogger } from '../../helpers/silent-logger';
import { tamperWith } from '../../helpers/tamper';
import { useTempDirs } from '../../helpers/temp-dir';

describe('evidence through the BenchApi', () => {
  const tempDir = useTempDirs();

  async function adminBench(dataDir: string) {
    const services = createBenchServices({
      dataDir,
      appVersion: '1.0.0',
      mode: 'workspace', bundledRootFile,
      logger: silentLogger(),
      statusIntervalMs: 0,
      hashPin: (pin) => hashPin(pin, { N: 1024, r: 8, p: 1 }),
    });
    await services.dispatch('setupFirstAdmin', { name: 'Ana Admin', pin: '246810' });
    return services;
  }

  async function page(services: Awaited<ReturnType<typeof adminBench>>, query?: unknown): Promise<EvidencePage> {
    const result = await services.dispatch('listEvidence', query);
    if (!result.ok) throw new Error(result.error.message);
    return result.value as EvidencePage;
  }

  it('lists entries newest first, filters by type prefix and pages backwards', async () => {
    const services = await adminBench(tempDir());
    for (let n = 0; n < 5; n += 1) services.integrityLog.append('admin.pin', { n });
    const first = await page(services, { typePrefix: 'admin.pin', limit: 3 });
    expect(first.entries.map((entry) => entry.payload.n)).toEqual([4, 3, 2]);
    expect(first.hasMore).toBe(true);
    const older = await page(services, { typePrefix: 'admin.pin', limit: 3, beforeSeq: first.entries.at(-1)?.seq });
    expect(older.entries.map((entry) => entry.payload.n)).toEqual([1, 0]);
    expect(older.hasMore).toBe(false);
    const auth = await page(services, { typePrefix: 'auth.' });
    expect(auth.entries.map((entry) => entry.type)).toEqual(['auth.signed_in', 'auth.first_admin_created']);
    // '_' is not a wildcard: "admin_" matches nothing although "admin." entries exist.
    expect((await page(services, { typePrefix: 'admin_' })).entries).toEqual([]);
    await services.close();
  });

  it('filters by time range', async () => {
    const services = await adminBench(tempDir());
    const all = await page(services);
    const newest = all.entries[0];
    if (!newest) throw new Error('no entries');
    expect((await page(services, { from: newest.recordedAt })).entries.every((entry) => entry.recordedAt >= newest.recordedAt)).toBe(true);
    expect((await page(services, { to: '2000-01-01T00:00:00Z' })).entries).toEqual([]);
    await expect(services.dispatch('listEvidence', { from: 'yesterday' })).resolves.toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    await services.close();
  });

  it('verifies the log on request and reports the first bad entry after tampering', async () => {
    const dataDir = tempDir();
    const services = await adminBench(dataDir);
    services.integrityLog.checkpoint();
    await expect(services.dispatch('verifyEvidenceLog', undefined)).resolves.toMatchObject({ ok: true, value: { ok: true, sealedThrough: 3 } });
    tamperWith(dataDir, (db) => db.prepare(`UPDATE integrity_log SET payload_json = '{"forged":true}' WHERE seq = 2`).run());
    await expect(services.dispatch('verifyEvidenceLog', undefined)).resolves.toMatchObject({ ok: true, value: { ok: false, code: 'ENTRY_ALTERED', seq: 2 } });
    await services.close();
  });

  it('is closed to technicians', async () => {
    const services = await adminBench(tempDir());
    const created = await services.dispatch('createOperator', { name: 'Tom Tech', role: 'technician', pin: '1357' });
    if (!created.ok) throw new Error(created.error.message);
    await services.dispatch('signOut', undefined);
    await services.dispatch('signIn', { operatorId: (created.value as { id: string }).id, pin: '1357' });
    await expect(services.dispatch('listEvidence', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(services.dispatch('verifyEvidenceLog', undefined)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await services.close();
  });
});
