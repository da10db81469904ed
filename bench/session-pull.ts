/**
 * Pulling one session's trace from a server holding 1,000,000+ log entries, against the named baseline
 * measured in the same run: a raw primary-key range read of the same entries straight from the database
 * (better-sqlite3 for SQLite, the pg client for PostgreSQL). The measured path is everything support
 * does: HTTP on 127.0.0.1 with the support token, the session index lookup, the entry range, the sealing
 * checkpoint, chain and signature verification, JSON.
 *
 * The store is filled through the repository's own batch transaction (entries, checkpoints and the session
 * index in one commit, as ingest does), without HTTP and signatures, which bench/server-ingest.ts measures.
 *
 *   npx tsx bench/session-pull.ts [--benches 20] [--sessions 5500] [--samples 400]
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
import { encodeBase64, generateKeyPair, signDetached } from '../trust/ed25519';
import { GENESIS_HASH, checkpointMessage, entryHash } from '../common/integrity-log/log-format';
import { startCentralServer } from '../server/central-server';
import { openServerDatabase } from '../server/store/database';
import { ServerRepository } from '../server/store/server-repository';
import { supportSessionPath } from '../common/central-api/paths';
import type { CheckpointRecord, LogEntryRecord } from '../common/integrity-log/records';
import { fingerprintOf } from '../trust/bench-id';

const { values } = parseArgs({
  options: { benches: { type: 'string', default: '20' }, sessions: { type: 'string', default: '5500' }, samples: { type: 'string', default: '400' } },
});
const benchCount = Number(values.benches);
const sessionsPerBench = Number(values.sessions);
const samples = Number(values.samples);
const SUPPORT_TOKEN = randomBytes(24).toString('hex');

interface SampleSession {
  benchId: string;
  sessionId: string;
  firstSeq: number;
  lastSeq: number;
}

const STEPS = [
  { id: 'VL', label: 'Full load', railBar: 1600, energizingUs: 1000, nominalMm3: 55 },
  { id: 'EM', label: 'Emission', railBar: 800, energizingUs: 500, nominalMm3: 15 },
  { id: 'LL', label: 'Idle', railBar: 300, energizingUs: 650, nominalMm3: 5 },
  { id: 'VE', label: 'Pilot', railBar: 800, energizingUs: 220, nominalMm3: 1.5 },
];

/** One bench's log: sessions as the engine writes them, each sealed by a signed checkpoint. */
function benchLog(benchIndex: number) {
  const keys = generateKeyPair();
  const benchId = `bench-${fingerprintOf(keys.publicKey)}`;
  const entries: LogEntryRecord[] = [];
  const checkpoints: CheckpointRecord[] = [];
  const sessions: SampleSession[] = [];
  let prevHash = GENESIS_HASH;
  let clock = Date.UTC(2026, 0, 1, 6, 0, 0) + benchIndex * 1000;
  const append = (type: string, payload: Record<string, unknown>) => {
    clock += 1500;
    const fields = { seq: entries.length + 1, prevHash, recordedAt: new Date(clock).toISOString(), type, payloadJson: JSON.stringify(payload) };
    const hash = entryHash(fields);
    entries.push({ ...fields, entryHash: hash });
    prevHash = hash;
    return fields.seq;
  };
  for (let s = 0; s < sessionsPerBench; s += 1) {
    const sessionId = `ses-${benchIndex.toString().padStart(3, '0')}-${s.toString().padStart(8, '0')}`;
    const serial = `INJ-${benchIndex}-${s}`;
    if (s % 10 === 0) append('auth.signed_in', { operatorId: 'op-1', role: 'technician' });
    const firstSeq = append('session.started', { sessionId, partNumber: 'SYN-0445110-001', serial, operatorId: 'op-1', bench: { model: 'INJBENCH-SIM-1', benchSerial: `SIM-${benchIndex}`, firmware: '1.0.0' } });
    append('session.preflight', { sessionId, gates: ['pack', 'channel', 'hardware', 'calibration', 'credits'].map((id) => ({ id, passed: true })) });
    append('session.electrical', { sessionId, coilResistanceOhm: 0.36, insulationMOhm: 480, passed: true });
    append('session.leak', { sessionId, backLeakMlPerMin: 12.5, limitMlPerMin: 30, railBar: 1000, passed: true });
    for (const step of STEPS) {
      append('session.step', { sessionId, ...step, measuredMm3: step.nominalMm3 * (1 + ((s % 7) - 3) / 200), toleranceMm3: step.nominalMm3 * 0.03, deviationPct: ((s % 7) - 3) / 2, backLeakMlPerMin: 12, verdict: 'in_tolerance', correctionSteps: (s % 7) - 3 });
    }
    const verdict = s % 20 === 0 ? 'fail' : 'pass';
    const lastSeq = append('session.completed', { sessionId, verdict, reason: verdict === 'fail' ? 'LEAK_FAIL' : null, partNumber: 'SYN-0445110-001', serial, pack: { family: 'bosch-like-cri', version: '1.1.0', sha256: 'a'.repeat(64), resolvedBy: 'channel canary', synthetic: true }, code: 'ABCDEFG', codeWrite: 'verified', creditsDebited: 3 });
    const signedAt = new Date(clock).toISOString();
    const hash = entries[lastSeq - 1]?.entryHash ?? '';
    checkpoints.push({ seq: lastSeq, entryHash: hash, signedAt, signature: encodeBase64(signDetached(checkpointMessage(benchId, lastSeq, hash, signedAt), keys.secretKey)) });
    sessions.push({ benchId, sessionId, firstSeq, lastSeq });
  }
  return { benchId, publicKey: encodeBase64(keys.publicKey), entries, checkpoints, sessions };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const summarize = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
};

/** Fills the store through the repository's batch transaction, 2,000 entries a commit. */
async function fill(databaseUrl: string): Promise<{ entries: number; sessions: SampleSession[] }> {
  const opened = await openServerDatabase(databaseUrl);
  const repository = new ServerRepository(opened.db, opened.dialect);
  const all: SampleSession[] = [];
  let total = 0;
  try {
    for (let b = 0; b < benchCount; b += 1) {
      const log = benchLog(b);
      const now = new Date().toISOString();
      const codeHash = randomBytes(32).toString('hex');
      await repository.addEnrolmentCode({ codeHash, createdAt: now, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), note: null });
      await repository.enrol({ codeHash, benchId: log.benchId, publicKey: log.publicKey, now });
      for (let from = 0; from < log.entries.length; from += 2000) {
        const batch = log.entries.slice(from, from + 2000);
        const last = batch.at(-1);
        if (!last) break;
        const checkpoints = log.checkpoints.filter((c) => c.seq > from && c.seq <= last.seq);
        await repository.withBenchLocked(log.benchId, async (tx) => {
          await tx.append({ head: { seq: last.seq, hash: last.entryHash, sealedThrough: checkpoints.at(-1)?.seq ?? tx.bench.sealed_through }, entries: batch, checkpoints, receivedAt: now });
        });
      }
      total += log.entries.length;
      all.push(...log.sessions);
      process.stdout.write(`\r  filled ${b + 1}/${benchCount} benches, ${total} entries`);
    }
    process.stdout.write('\n');
  } finally {
    await opened.close();
  }
  return { entries: total, sessions: all };
}

async function measure(label: string, databaseUrl: string, baseline: (s: SampleSession) => Promise<number>, closeBaseline: () => Promise<void>) {
  const filledAt = performance.now();
  const { entries, sessions } = await fill(databaseUrl);
  console.log(`${label.padEnd(9)} store: ${entries} entries, ${sessions.length} sessions indexed (filled in ${((performance.now() - filledAt) / 1000).toFixed(0)} s)`);
  const picks = Array.from({ length: samples }, (_, i) => sessions[(i * 7919 + 13) % sessions.length] as SampleSession);
  const server = await startCentralServer({ databaseUrl, blobDir: path.join(dir, `blobs-${label}`), port: 0, adminToken: randomBytes(32).toString('hex'), supportToken: SUPPORT_TOKEN, logger: pino({ level: 'silent' }) });
  try {
    const pull = async (session: SampleSession) => {
      const started = performance.now();
      const response = await fetch(new URL(supportSessionPath(session.benchId, session.sessionId), server.url), { headers: { authorization: `Bearer ${SUPPORT_TOKEN}` } });
      const body = (await response.json()) as { integrity?: { status: string }; entries?: unknown[] };
      const ms = performance.now() - started;
      if (response.status !== 200 || body.integrity?.status !== 'sealed' || body.entries?.length !== session.lastSeq - session.firstSeq + 1) {
        throw new Error(`${session.sessionId}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
      }
      return ms;
    };
    for (const session of picks.slice(0, 20)) await pull(session); // warm-up
    const server_ms: number[] = [];
    const raw_ms: number[] = [];
    for (const session of picks) {
      raw_ms.push(await baseline(session));
      server_ms.push(await pull(session));
    }
    const s = summarize(server_ms);
    const r = summarize(raw_ms);
    console.log(
      `${label.padEnd(9)} session trace pull over HTTP (index lookup, entries, seal, verification): p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms over ${samples} sessions (target p99 < 50 ms); ` +
        `baseline raw primary-key range read p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms; ratio p99 ${(s.p99 / r.p99).toFixed(1)}x`,
    );
  } finally {
    await server.close();
    await closeBaseline();
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'injbench-pull-'));
try {
  console.log(`${benchCount} benches x ${sessionsPerBench} sessions (about ${Math.round(benchCount * sessionsPerBench * 9.1)} entries), ${samples} sampled pulls`);
  const file = path.join(dir, 'server.sqlite');
  let sqlite: Database.Database | null = null;
  await measure(
    'sqlite',
    `sqlite:${file}`,
    async (session) => {
      sqlite ??= new Database(file, { readonly: true });
      const started = performance.now();
      sqlite.prepare('SELECT * FROM log_entries WHERE bench_id = ? AND seq BETWEEN ? AND ? ORDER BY seq').all(session.benchId, session.firstSeq, session.lastSeq);
      return performance.now() - started;
    },
    async () => {
      sqlite?.close();
    },
  );
  rmSync(file, { force: true });

  const pgUrl = process.env.INJBENCH_TEST_PG_URL;
  if (pgUrl) {
    const name = `injbench_pull_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    const client = new pg.Client({ connectionString: url.toString() });
    let connected = false;
    try {
      await measure(
        'postgres',
        url.toString(),
        async (session) => {
          if (!connected) {
            await client.connect();
            connected = true;
          }
          const started = performance.now();
          await client.query('SELECT * FROM log_entries WHERE bench_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq', [session.benchId, session.firstSeq, session.lastSeq]);
          return performance.now() - started;
        },
        async () => {
          if (connected) await client.end();
        },
      );
    } finally {
      const dropper = new pg.Client({ connectionString: pgUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    }
  } else {
    console.log('postgres  not measured: set INJBENCH_TEST_PG_URL (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
