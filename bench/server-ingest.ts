/**
 * Central server ingest: many benches syncing concurrently for a bounded time, against the named baseline
 * measured in the same run: a raw better-sqlite3 bulk insert of the same rows (one prepared statement, one
 * transaction, WAL + synchronous=FULL). The server path is everything a real batch goes through: HTTP on
 * 127.0.0.1, request signature, nonce, chain and checkpoint verification, Kysely, a committed transaction
 * before the acknowledgement. The benches run in a worker thread (bench/server-ingest-clients.ts); zero
 * loss is proven by recounting what the server stored against what it acknowledged.
 *
 *   npx tsx bench/server-ingest.ts [--benches 200] [--seconds 15] [--batch 500] [--prepared BATCHES_PER_BENCH] [--databases sqlite,postgres]
 *   INJBENCH_TEST_PG_URL=postgres://… also measures PostgreSQL (a fresh database is created and dropped).
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_ENTRIES } from '../common/central-api/protocol';
import { createTemporaryDatabase } from '../test/helpers/temporary-database';
import type { ClientPlan } from './server-ingest-clients';
import { measureIngest } from './server-ingest-run';
import type { LogEntryRecord } from '../common/integrity-log/records';

const { values } = parseArgs({
  options: {
    benches: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '15' },
    // The bench outbox's own batch size.
    batch: { type: 'string', default: String(DEFAULT_BATCH_ENTRIES) },
    // Batches per bench written before the clock starts; the default covers 100,000 entries/s.
    prepared: { type: 'string' },
    // Which stores to measure; postgres only when INJBENCH_TEST_PG_URL is set.
    databases: { type: 'string', default: 'sqlite,postgres' },
    // Set by this script on the process it starts for each store: measure, without the run's header.
    'one-store': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const PREPARED_ENTRIES_PER_SECOND = 100_000;
const benchCount = Number(values.benches);
const batchSize = Number(values.batch);
const plan: ClientPlan = {
  benches: benchCount,
  batchSize,
  preparedBatches: Number(values.prepared ?? Math.ceil((seconds * PREPARED_ENTRIES_PER_SECOND) / (benchCount * batchSize))),
};
if (!(plan.benches >= 1 && plan.benches <= 1000 && plan.batchSize >= 1 && plan.batchSize <= 2000 && seconds > 0 && seconds <= 600 && plan.preparedBatches >= 0 && plan.preparedBatches <= 10_000)) {
  throw new Error('--benches 1..1000, --batch 1..2000, --seconds up to 600, --prepared 0..10000');
}

type Acknowledged = { benchId: string; entries: LogEntryRecord[] }[];

function rawBulkInsert(file: string, acknowledged: Acknowledged): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE log_entries (bench_id TEXT NOT NULL, seq INTEGER NOT NULL, prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL,
    recorded_at TEXT NOT NULL, type TEXT NOT NULL, payload_json TEXT NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (bench_id, seq))`);
  const insert = db.prepare('INSERT INTO log_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const receivedAt = new Date().toISOString();
  const started = performance.now();
  db.transaction(() => {
    for (const bench of acknowledged) for (const e of bench.entries) insert.run(bench.benchId, e.seq, e.prevHash, e.entryHash, e.recordedAt, e.type, e.payloadJson, receivedAt);
  })();
  const elapsed = (performance.now() - started) / 1000;
  db.close();
  return elapsed;
}

async function measureStore(target: 'sqlite' | 'postgres', pgUrl: string | undefined): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `injbench-ingest-${target}-`));
  try {
    const database = await createTemporaryDatabase(target, dir, pgUrl);
    try {
      const result = await measureIngest(database.url, path.join(dir, 'blobs'), plan, seconds);
      const rate = result.stored / result.elapsed;
      // The baseline inserts exactly the rows this run acknowledged, into a fresh file; the fastest of three
      // runs, so a slow moment of the machine does not flatter the ratio.
      const baselineSeconds = Math.min(
        ...[1, 2, 3].map((attempt) => {
          const file = path.join(dir, `baseline-${attempt}.sqlite`);
          const elapsed = rawBulkInsert(file, result.acknowledgedRows);
          for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
          return elapsed;
        }),
      );
      const baselineRate = result.acknowledged / baselineSeconds;
      console.log(
        `${target.padEnd(9)} ${Math.round(rate)} entries/s over ${result.requests} signed batches, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms; ` +
          `recount ${result.stored} stored = ${result.acknowledged} acknowledged (zero loss)${result.shed ? `; ${result.shed} batches shed with 429 and sent again` : ''}${result.errors.length ? `; ${result.errors.length} benches stopped on errors: ${result.errors[0]}` : ''}` +
          (result.benchesWritingLive ? `; ${result.benchesWritingLive} benches ran out of prepared batches and wrote live (raise --prepared)` : ''),
      );
      if (result.loopCpuMs !== null && result.clientsCpuMs !== null) {
        const perBatch = (ms: number) => (ms / result.requests).toFixed(2);
        console.log(
          `${''.padEnd(9)} CPU per batch: server event loop ${perBatch(result.loopCpuMs)} ms (${Math.round((result.loopCpuMs / (result.elapsed * 1000)) * 100)} % busy), ` +
            `server's other threads ${perBatch(result.processCpuMs - result.loopCpuMs - result.clientsCpuMs)} ms, simulated benches ${perBatch(result.clientsCpuMs)} ms`,
        );
      }
      console.log(`${''.padEnd(9)} baseline raw better-sqlite3 bulk insert of the same rows (fastest of 3): ${Math.round(baselineRate)} entries/s; ratio ${(rate / baselineRate).toFixed(3)} (target >= 0.3)`);
    } finally {
      await database.drop();
    }
  } finally {
    // Deleted, the store's dirty pages are dropped rather than written back while the next store is measured.
    rmSync(dir, { recursive: true, force: true });
  }
}

const pgUrl = process.env.INJBENCH_TEST_PG_URL;
const wanted = new Set(values.databases.split(','));
const targets = (['sqlite', 'postgres'] as const).filter((target) => wanted.has(target) && (target === 'sqlite' || pgUrl));
if (values['one-store']) {
  for (const target of targets) await measureStore(target, pgUrl);
} else {
  console.log(
    `${plan.benches} benches syncing concurrently for ${seconds} s, batches of ${plan.batchSize} entries, coding sessions of 13 entries each sealed by a signed checkpoint; ` +
      `each bench's first ${plan.preparedBatches} batches written before the clock starts; each store measured in a process of its own`,
  );
  if (!pgUrl && wanted.has('postgres')) console.log('postgres  not measured: set INJBENCH_TEST_PG_URL (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")');
  // A fresh process per store: the previous store's leftovers (a heap grown to hold its recount, its garbage
  // collector's work) would otherwise be charged to the next one.
  const forwarded = ['--benches', String(plan.benches), '--seconds', String(seconds), '--batch', String(plan.batchSize), '--prepared', String(plan.preparedBatches)];
  for (const target of targets) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...forwarded, '--databases', target, '--one-store'], { stdio: 'inherit' });
    if (child.status !== 0) {
      console.error(`${target} measurement failed (${child.error?.message ?? `exit ${child.status ?? child.signal}`})`);
      process.exitCode = 1;
    }
  }
}
