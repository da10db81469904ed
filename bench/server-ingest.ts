/**
 * Central server ingest throughput, against the named baseline measured in the same run: a raw
 * better-sqlite3 bulk insert of the same rows (one prepared statement, one transaction, WAL +
 * synchronous=FULL). The server path is everything a real batch goes through: HTTP on 127.0.0.1, request
 * signature, nonce, chain and checkpoint verification, Kysely, a committed transaction per batch.
 * Several benches push concurrently; loss is ruled out by recounting what the server stored.
 *
 *   npx tsx bench/server-ingest.ts [--benches 20] [--entries 5000] [--batch 500]
 *   INJBENCH_TEST_PG_URL=postgres://… also measures PostgreSQL (a fresh database is created and dropped).
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { fingerprintOf } from '../electron/services/identity/bench-identity';
import { encodeBase64, generateKeyPair, signDetached } from '../electron/services/identity/ed25519';
import { GENESIS_HASH, checkpointMessage, entryHash } from '../electron/services/integrity-log/log-format';
import type { CheckpointRecord, LogEntryRecord } from '../electron/services/store/integrity-log-repository';
import { sendSignedRequest } from '../electron/services/sync/sync-client';
import { LOG_BATCH_PATH, logAckSchema } from '../electron/services/sync/sync-protocol';
import { startCentralServer } from '../server/central-server';

const { values } = parseArgs({
  options: { benches: { type: 'string', default: '20' }, entries: { type: 'string', default: '5000' }, batch: { type: 'string', default: '500' } },
});
const benchCount = Number(values.benches);
const entriesPerBench = Number(values.entries);
const batchSize = Number(values.batch);

interface SimulatedBench {
  benchId: string;
  publicKey: string;
  sign(message: Uint8Array): Uint8Array;
  entries: LogEntryRecord[];
  checkpoints: CheckpointRecord[];
}

function simulateBench(): SimulatedBench {
  const keys = generateKeyPair();
  const benchId = `bench-${fingerprintOf(keys.publicKey)}`;
  const entries: LogEntryRecord[] = [];
  const checkpoints: CheckpointRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= entriesPerBench; seq += 1) {
    const fields = { seq, prevHash, recordedAt: new Date(Date.UTC(2026, 0, 1, 8, 0, seq)).toISOString(), type: 'session.step', payloadJson: JSON.stringify({ step: seq % 12, measuredMm3: 41.7 + (seq % 9) / 10, verdict: 'pass' }) };
    const hash = entryHash(fields);
    entries.push({ ...fields, entryHash: hash });
    prevHash = hash;
    if (seq % 50 === 0) {
      const signedAt = fields.recordedAt;
      checkpoints.push({ seq, entryHash: hash, signedAt, signature: encodeBase64(signDetached(checkpointMessage(benchId, seq, hash, signedAt), keys.secretKey)) });
    }
  }
  return { benchId, publicKey: encodeBase64(keys.publicKey), sign: (m) => signDetached(m, keys.secretKey), entries, checkpoints };
}

function rawBulkInsert(dir: string, benches: SimulatedBench[]): number {
  const db = new Database(path.join(dir, 'baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE log_entries (bench_id TEXT NOT NULL, seq INTEGER NOT NULL, prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL,
    recorded_at TEXT NOT NULL, type TEXT NOT NULL, payload_json TEXT NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (bench_id, seq))`);
  const insert = db.prepare('INSERT INTO log_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const receivedAt = new Date().toISOString();
  const started = performance.now();
  db.transaction(() => {
    for (const bench of benches) for (const e of bench.entries) insert.run(bench.benchId, e.seq, e.prevHash, e.entryHash, e.recordedAt, e.type, e.payloadJson, receivedAt);
  })();
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return seconds;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function measureServer(databaseUrl: string, benches: SimulatedBench[]) {
  const server = await startCentralServer({ databaseUrl, port: 0, adminToken: randomBytes(32).toString('hex'), logger: pino({ level: 'silent' }) });
  try {
    const now = new Date().toISOString();
    for (const bench of benches) {
      // Enrolment is not what is measured: the benches are registered straight through the repository.
      const codeHash = randomBytes(32).toString('hex');
      await server.repository.addEnrolmentCode({ codeHash, createdAt: now, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), note: null });
      await server.repository.enrol({ codeHash, benchId: bench.benchId, publicKey: bench.publicKey, now });
    }
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      benches.map(async (bench) => {
        for (let from = 0; from < bench.entries.length; from += batchSize) {
          const entries = bench.entries.slice(from, from + batchSize);
          const first = entries[0]?.seq ?? 0;
          const last = entries.at(-1)?.seq ?? 0;
          const checkpoints = bench.checkpoints.filter((c) => c.seq >= first && c.seq <= last);
          const sent = performance.now();
          await sendSignedRequest({ serverUrl: server.url, identity: bench, method: 'POST', path: LOG_BATCH_PATH, body: { entries, checkpoints }, responseSchema: logAckSchema, timeoutMs: 60_000 });
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    let stored = 0;
    for (const bench of benches) {
      const head = await server.repository.bench(bench.benchId);
      const entries = await server.repository.entries(bench.benchId, 1, entriesPerBench + 1);
      if (entries.length !== bench.entries.length || Number(head?.head_seq) !== bench.entries.length) throw new Error(`loss: ${bench.benchId} has ${entries.length} of ${bench.entries.length}`);
      stored += entries.length;
    }
    latencies.sort((a, b) => a - b);
    return { seconds, stored, p50: percentile(latencies, 50), p99: percentile(latencies, 99), requests: latencies.length };
  } finally {
    await server.close();
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'injbench-ingest-'));
try {
  const benches = Array.from({ length: benchCount }, simulateBench);
  const total = benchCount * entriesPerBench;
  console.log(`${benchCount} benches x ${entriesPerBench} entries = ${total} entries, batches of ${batchSize}, checkpoint every 50`);
  const baselineSeconds = rawBulkInsert(dir, benches);
  const baselineRate = total / baselineSeconds;
  console.log(`baseline  raw better-sqlite3 bulk insert (one transaction): ${Math.round(baselineRate)} entries/s`);

  const targets: [string, string, (() => Promise<void>) | null][] = [['sqlite', `sqlite:${path.join(dir, 'server.sqlite')}`, null]];
  const pgUrl = process.env.INJBENCH_TEST_PG_URL;
  if (pgUrl) {
    const name = `injbench_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    targets.push([
      'postgres',
      url.toString(),
      async () => {
        const client = new pg.Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    ]);
  } else {
    console.log('postgres  not measured: set INJBENCH_TEST_PG_URL (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")');
  }
  for (const [label, url, drop] of targets) {
    try {
      const result = await measureServer(url, benches);
      const rate = result.stored / result.seconds;
      console.log(
        `${label.padEnd(9)} server ingest: ${Math.round(rate)} entries/s over ${result.requests} signed batches, ` +
          `p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms; recount ${result.stored}/${total} (zero loss); ` +
          `ratio to baseline ${(rate / baselineRate).toFixed(3)} (target >= 0.3)`,
      );
    } finally {
      await drop?.();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
