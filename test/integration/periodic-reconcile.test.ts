/**
 * Credit reconciliation runs by itself on the server's timer (`--reconcile-every`): a bench whose synced
 * log books a grant the server never issued and spends beyond its grants is alarmed without anyone calling
 * the reconcile route; later periods raise nothing twice, pick up what the bench syncs next, and stop when
 * the server closes. With 0 the timer is off. SQLite and PostgreSQL.
 */
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { TEST_SUPPORT_TOKEN, callAs, newEnrolmentCode, startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { openTestBench, type TestBench } from '../helpers/test-bench';
import { pollUntil } from '../helpers/poll';

const EXPIRES = '2030-01-01T00:00:00Z';

describeEachDialect('periodic credit reconciliation', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase | null = null;
  let server: CentralServer | null = null;
  let bench: TestBench | null = null;

  afterEach(async () => {
    bench?.close();
    await server?.close();
    await database?.drop();
    bench = null;
    server = null;
    database = null;
  });

  async function forgingBench(serverUrl: string): Promise<TestBench> {
    const opened = openTestBench(tempDir());
    await opened.outbox.enrol(serverUrl, await newEnrolmentCode(serverUrl));
    // A tampered bench books a grant minted at home and spends it: unknown grant, then overspend.
    opened.log.append('credits.grant_imported', { grantId: 'grant-minted-at-home', credits: 500, expires: EXPIRES });
    opened.log.append('session.completed', { sessionId: 'ses-x', verdict: 'pass', creditsDebited: 3 });
    opened.log.checkpoint();
    expect((await opened.outbox.drain({ maxDurationMs: 20_000 })).stopped).toBe('idle');
    return opened;
  }

  const alarmsOf = async (url: string, benchId: string) =>
    ((await callAs(TEST_SUPPORT_TOKEN, url, 'GET', '/api/v1/admin/alarms')).body as { benchId: string; kind: string }[])
      .filter((a) => a.benchId === benchId)
      .map((a) => a.kind)
      .sort();

  it('alarms findings on its own every period, once each, picks up newly synced entries, and stops on close', async () => {
    database = await createTestDatabase(dialect, tempDir());
    const lines: { msg: string; benches?: number }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    server = await startTestServer(database.url, { logger, reconcileEverySeconds: 1 });
    const url = server.url;
    bench = await forgingBench(url);
    const benchId = bench.identity.benchId;

    expect(await pollUntil('first alarms', () => alarmsOf(url, benchId), (kinds) => kinds.length >= 2)).toEqual(['CREDITS_OVERSPEND', 'CREDITS_UNKNOWN_GRANT']);
    const runs = () => lines.filter((line) => line.msg === 'periodic credit reconciliation').length;
    // Later periods run again and raise nothing twice.
    const seen = runs();
    await pollUntil('two more periods', async () => runs(), (count) => count >= seen + 2);
    expect(await alarmsOf(url, benchId)).toEqual(['CREDITS_OVERSPEND', 'CREDITS_UNKNOWN_GRANT']);

    // What the bench syncs next is reconciled at the next period.
    bench.log.append('session.completed', { sessionId: 'ses-x', verdict: 'pass', creditsDebited: 3 });
    bench.log.checkpoint();
    expect((await bench.outbox.drain({ maxDurationMs: 20_000 })).stopped).toBe('idle');
    expect(await pollUntil('double spend alarm', () => alarmsOf(url, benchId), (kinds) => kinds.length >= 3)).toEqual(['CREDITS_DOUBLE_SPEND', 'CREDITS_OVERSPEND', 'CREDITS_UNKNOWN_GRANT']);
    // The alarms are recorded before the pass logs them, so the second warning may trail the API by a moment.
    const raisedWarnings = () => lines.filter((line) => line.msg === 'periodic credit reconciliation raised alarms').length;
    await pollUntil('second raised-alarms warning', async () => raisedWarnings(), (count) => count >= 2);
    const afterDoubleSpend = runs();
    await pollUntil('two more periods', async () => runs(), (count) => count >= afterDoubleSpend + 2);
    expect(raisedWarnings()).toBe(2);

    // Closed: no pass runs any more.
    await server.close();
    server = null;
    const atClose = runs();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(runs()).toBe(atClose);
  }, 60_000);

  it('does not run with --reconcile-every 0 (reconciliation stays on demand)', async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url, { reconcileEverySeconds: 0 });
    bench = await forgingBench(server.url);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await alarmsOf(server.url, bench.identity.benchId)).toEqual([]);
  }, 60_000);
});
