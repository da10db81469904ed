/**
 * `injbench server` killed with SIGKILL while benches are sending batches, then restarted on the same
 * database: every acknowledged batch must have survived, unacknowledged ones are re-sent, and the server
 * ends up with exactly each bench's log, once. Against SQLite and PostgreSQL.
 */
import { afterEach, expect, it } from 'vitest';
import { freePort, newEnrolmentCode, pullLog, spawnServerProcess, type ServerProcess } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { waitFor } from '../helpers/sim-process';
import { openTestBench, type TestBench } from '../helpers/test-bench';

describeEachDialect('central server killed with kill -9 mid-batch', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase | null = null;
  let server: ServerProcess | null = null;
  const benches: TestBench[] = [];

  afterEach(async () => {
    for (const bench of benches.splice(0)) bench.close();
    await server?.stop();
    await database?.drop();
  });

  it('keeps every acknowledged batch, takes the re-sent ones once, and ends with exactly the benches data', async () => {
    database = await createTestDatabase(dialect, tempDir());
    const port = await freePort();
    server = await spawnServerProcess(database.url, port);
    for (let i = 0; i < 3; i += 1) {
      const bench = openTestBench(tempDir(), { maxBatchEntries: 20, baseDelayMs: 50, maxDelayMs: 400 });
      benches.push(bench);
      await bench.outbox.enrol(server.url, await newEnrolmentCode(server.url));
      // Each append is its own fsync'd transaction: a few hundred entries keep the test short.
      bench.append(600 + i * 100, 100);
    }

    const drains = benches.map((bench) => bench.outbox.drain({ maxAttempts: 400, maxDurationMs: 50_000 }));
    const progress = (): number => Math.min(...benches.map((bench) => bench.outbox.backlog().ackedEntrySeq));
    for (const killAfter of [100, 300]) {
      // Kill while every bench is in the middle of its backlog, requests in flight.
      await waitFor(() => progress() >= killAfter, 30_000, `every bench acknowledged through ${killAfter}`);
      const acknowledged = benches.map((bench) => bench.outbox.backlog().ackedEntrySeq);
      await server.kill9();
      // Whatever a bench had acknowledged before the kill is on the server after the restart.
      server = await spawnServerProcess(database.url, port);
      for (const [index, bench] of benches.entries()) {
        const pulled = await pullLog(server.url, bench.identity.benchId);
        expect(pulled.entries.length).toBeGreaterThanOrEqual(acknowledged[index] ?? 0);
      }
    }
    const outcomes = await Promise.all(drains);
    for (const [index, bench] of benches.entries()) {
      expect(outcomes[index]).toMatchObject({ stopped: 'idle' });
      // The kills cost each bench at least one failed attempt, retried.
      expect(outcomes[index]?.attempts).toBeGreaterThan(outcomes[index]?.batches ?? 0);
      const local = bench.localEntries();
      expect(bench.outbox.backlog()).toMatchObject({ unsentEntries: 0, unsentCheckpoints: 0, ackedEntrySeq: local.length });
      const pulled = await pullLog(server.url, bench.identity.benchId);
      expect(pulled.entries.map((e) => [e.seq, e.entryHash])).toEqual(local.map((e) => [e.seq, e.entryHash]));
      expect(pulled.integrity).toMatchObject({ ok: true, entries: local.length, sealedThrough: Math.floor(local.length / 100) * 100 });
    }
  }, 120_000);
});
