/**
 * An admin's whole-log re-check cut off by its server instance being killed (SIGKILL) does not stay
 * `running` forever: while the dead instance's lease is still valid another instance shows the check as
 * running and does not start a second one; once the lease has run out the check shows as failed
 * (interrupted), its progress kept, and a new check can be started and finishes. On SQLite and PostgreSQL,
 * with `injbench server` as its own process, killed as an operator's machine would kill it.
 */
import { afterEach, expect, it } from 'vitest';
import { adminLogCheckPath, adminLogChecksPath } from '../../common/central-api/paths';
import type { CentralServer } from '../../server/central-server';
import { RECHECK_LEASE_MS } from '../../server/support/log-recheck';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, callAs, finishedLogCheck, freePort, spawnServerProcess, startTestServer, type ServerProcess } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { storeValidLog } from '../helpers/stored-log';
import { useTempDirs } from '../helpers/temp-dir';

interface Check {
  checkId: string;
  state: string;
  checkedThrough: number;
  updatedAt: string;
  finishedAt: string | null;
  failure: string | null;
}

/** Enough entries that the killed instance is caught mid-check, few enough to check again within the test. */
const ENTRIES = 40_000;

describeEachDialect('whole-log re-check cut off by a killed server instance', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase | null = null;
  let instance: ServerProcess | null = null;
  const servers: CentralServer[] = [];

  afterEach(async () => {
    await instance?.kill9();
    for (const server of servers.splice(0)) await server.close();
    await database?.drop();
  });

  async function startServer(options: { now?: () => Date } = {}): Promise<CentralServer> {
    const server = await startTestServer((database as TestDatabase).url, options);
    servers.push(server);
    return server;
  }

  async function check(serverUrl: string, benchId: string, checkId: string): Promise<Check> {
    const answer = await callAs(TEST_SUPPORT_TOKEN, serverUrl, 'GET', adminLogCheckPath(benchId, checkId));
    expect(answer.status).toBe(200);
    return answer.body as Check;
  }

  it('shows the check as running while its lease lasts, then as interrupted, and a new one can run', async () => {
    database = await createTestDatabase(dialect, tempDir());
    // The log is written before the server process starts: a SQLite server holds its database alone.
    const writer = await startTestServer(database.url);
    const log = await storeValidLog(writer.repository, { entries: ENTRIES, sealEvery: 13 }).finally(() => writer.close());

    instance = await spawnServerProcess(database.url, await freePort());
    const started = await callAs(TEST_ADMIN_TOKEN, instance.url, 'POST', adminLogChecksPath(log.benchId));
    expect(started).toMatchObject({ status: 202, body: { state: 'running', headSeq: ENTRIES } });
    const { checkId } = started.body as Check;
    let seen = await check(instance.url, log.benchId, checkId);
    while (seen.checkedThrough === 0) seen = await check(instance.url, log.benchId, checkId);
    await instance.kill9();
    instance = null;
    // Killed after its first pages, long before its last.
    expect(seen).toMatchObject({ state: 'running' });
    expect(seen.checkedThrough).toBeLessThan(ENTRIES);

    // Another instance right away: the dead one's lease still holds, so nothing is settled or started twice.
    const soon = await startTestServer(database.url);
    let meanwhile: Check;
    try {
      meanwhile = await check(soon.url, log.benchId, checkId);
      expect(await callAs(TEST_ADMIN_TOKEN, soon.url, 'POST', adminLogChecksPath(log.benchId))).toMatchObject({ status: 202, body: { checkId, state: 'running' } });
    } finally {
      await soon.close();
    }
    expect(meanwhile).toMatchObject({ state: 'running', finishedAt: null });
    expect(meanwhile.checkedThrough).toBeGreaterThanOrEqual(seen.checkedThrough);

    // The same database seen from an instance whose clock is past the lease.
    const later = await startServer({ now: () => new Date(Date.now() + RECHECK_LEASE_MS + 1000) });
    const interrupted = await check(later.url, log.benchId, checkId);
    expect(interrupted).toMatchObject({ state: 'failed', checkedThrough: meanwhile.checkedThrough, updatedAt: meanwhile.updatedAt });
    expect(interrupted.failure).toMatch(/stopped without finishing it .*ask for a new one/);
    expect(interrupted.finishedAt).not.toBeNull();

    const again = await finishedLogCheck(later.url, log.benchId, 120_000);
    expect(again).toMatchObject({ state: 'done', checkedThrough: ENTRIES, verdict: { ok: true, entries: ENTRIES } });
    const listed = await callAs(TEST_SUPPORT_TOKEN, later.url, 'GET', adminLogChecksPath(log.benchId));
    expect((listed.body as { checks: Check[] }).checks.map((c) => [c.checkId === checkId, c.state])).toEqual([
      [false, 'done'],
      [true, 'failed'],
    ]);
  }, 300_000);
});
