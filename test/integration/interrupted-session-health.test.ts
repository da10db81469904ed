/**
 * A coding session interrupted by a crash counts for its pack version's canary health: a bench on the canary
 * channel runs one session, syncs, then its process is killed with kill -9 in the middle of the next session.
 * On restart the app closes that session as aborted (INTERRUPTED) naming the pack the preflight verified;
 * after the sync the server's session index and release health count the abort for that version.
 * SQLite and PostgreSQL.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import type { ReleaseHealth } from '../../server/store/release-health-repository';
import { TEST_SUPPORT_TOKEN, callAs, startTestServer } from '../helpers/central-server';
import { openFleetBench } from '../helpers/fleet-bench';
import { runUntilKilled } from '../helpers/kill-9';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { releaseHealthPath } from '../../common/central-api/paths';

const FAMILY = 'bosch-like-cri';
const CANARY = '1.1.0';
const fixture = path.resolve('test/fixtures/fleet-session-until-killed.ts');

describeEachDialect('a session interrupted by a crash in canary health', (dialect) => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase;
  let server: CentralServer;

  beforeAll(async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url);
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('closes the killed session naming its pack on restart, and the server counts it as an abort of that version', async () => {
    const dataDir = tempDir();
    const first = await openFleetBench(dataDir, server.url, { channel: 'canary' });
    expect((await first.runSession('INJ-K-0001')).status).toBe('completed');
    await first.sync();
    const benchId = first.benchId;
    await first.close();

    let running: string[] = [];
    await runUntilKilled({
      script: fixture,
      args: [dataDir, 'INJ-K-0002'],
      // Killed shortly after it printed that the session runs on its verified pack.
      killAfterMs: 300,
      clockStartsAt: 'first-output',
      onLine: (line) => {
        if (line.startsWith('running ')) running = line.split(' ').slice(1);
      },
    });
    const [sessionId, family, version] = running;
    expect(family).toBe(FAMILY);
    expect(version).toBe(CANARY);

    // The restart: createBenchServices closes what the crash left running, then the outbox sends it.
    const restarted = await openFleetBench(dataDir, server.url, { channel: 'canary' });
    try {
      expect(restarted.benchId).toBe(benchId);
      expect(restarted.services.store.sessions.byId(sessionId ?? '')).toMatchObject({ status: 'aborted', reasonCode: 'INTERRUPTED', family: FAMILY, packVersion: CANARY, creditsDebited: 0 });
      await restarted.sync();
    } finally {
      await restarted.close();
    }

    const listed = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `/api/v1/support/sessions?sessionId=${sessionId ?? ''}`);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(JSON.stringify(listed.body)).toContain('"outcome":"aborted"');
    const health = (await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', releaseHealthPath(FAMILY, CANARY))).body as ReleaseHealth;
    expect(health).toMatchObject({ sessions: 2, passed: 1, aborted: 1, running: 0, benches: 1, errorClasses: [{ errorClass: 'INTERRUPTED', sessions: 1 }] });
    expect(health.abortRate).toBeCloseTo(0.5, 5);
  }, 180_000);
});
