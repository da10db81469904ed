import { bundledRootFile } from '../../helpers/bundled-root';
import { describe, expect, it } from 'vitest';
import { statusSchema } from '../../../electron/contract/bench-api';
import { createBenchServices } from '../../../electron/services/bench-services';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';

describe('bench services', () => {
  const tempDir = useTempDirs();

  it('reports status from the real store and counts launches', async () => {
    const dataDir = tempDir();
    const first = createBenchServices({ dataDir, appVersion: '9.9.9', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0 });
    await first.close();
    let clock = new Date('2026-11-22T10:00:00Z');
    const services = createBenchServices({ dataDir, appVersion: '9.9.9', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0, now: () => clock });
    clock = new Date('2026-11-22T10:00:42Z');
    const result = await services.dispatch('getStatus', undefined);
    if (!result.ok) throw new Error(result.error.message);
    const status = statusSchema.parse(result.value);
    expect(status.app).toMatchObject({ version: '9.9.9', launchCount: 2, uptimeSeconds: 42 });
    expect(status.parts.map((part) => [part.id, part.state])).toEqual([
      ['store', 'ok'],
      ['benchLink', 'not_configured'],
      ['packs', 'not_configured'],
      ['sync', 'not_configured'],
    ]);
    expect(status.parts[0]?.facts).toContainEqual({ label: 'File', value: expect.stringContaining(dataDir) });
    // The technician's overview: no bench, no pack, no server yet, as facts the page words itself.
    expect(status.overview).toEqual({
      bench: { status: 'disconnected', model: null, benchSerial: null, calibrationDue: null },
      packs: { state: 'not_configured', active: [] },
      server: { enrolled: false, lastSuccessAt: null, unsentEntries: expect.any(Number), failing: false, blocked: false },
    });
    await services.close();
  });

  it('persists settings, publishes fresh status and names the configured port', async () => {
    const services = createBenchServices({ dataDir: tempDir(), appVersion: '1.0.0', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0 });
    await services.dispatch('setupFirstAdmin', { name: 'Ana', pin: '2468' });
    const published: unknown[] = [];
    services.events.subscribe((event, payload) => {
      if (event === 'status') published.push(payload);
    });
    const updated = await services.dispatch('updateSettings', { benchPort: '/dev/ttyUSB0' });
    expect(updated).toMatchObject({ ok: true, value: { benchPort: '/dev/ttyUSB0' } });
    expect(published).toHaveLength(1);
    expect(JSON.stringify(published[0])).toContain('Connect to /dev/ttyUSB0 from the Bench view');
    // The zone is public: the sign-in screen reads it from the status before anyone has signed in.
    await services.dispatch('updateSettings', { timeZone: 'Asia/Tokyo' });
    await services.dispatch('signOut', undefined);
    const status = await services.dispatch('getStatus', undefined);
    expect(status).toMatchObject({ ok: true, value: { timeZone: 'Asia/Tokyo' } });
    expect(published.at(-1)).toMatchObject({ timeZone: 'Asia/Tokyo' });
    await services.close();
  });

  it('publishes status on its interval only while someone listens', async () => {
    const services = createBenchServices({ dataDir: tempDir(), appVersion: '1.0.0', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 20 });
    const published: unknown[] = [];
    const unsubscribe = services.events.subscribe((_event, payload) => published.push(payload));
    await new Promise((resolve) => setTimeout(resolve, 120));
    unsubscribe();
    const count = published.length;
    expect(count).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(published.length).toBe(count);
    await services.close();
  });
});
