/**
 * Overload: benches syncing flat out at twice the load that saturates the server. With admission control
 * (server/sync/ingest-admission.ts, its production bound) the batches past the bound are answered 429 with
 * Retry-After before their body is read, the benches keep them and send them again after that wait
 * (server-ingest-clients.ts does what the outbox does), and the batches the server takes are answered
 * promptly. Target: p99 of the accepted batches < 2 s at twice the saturating load, zero acknowledged
 * entries lost (every one recounted from the database), the share of shed batches printed.
 *
 * Named baseline, measured in the same run: the same server without admission control at the saturating
 * load (`--saturating` benches flat out: the server's throughput no longer grows with more benches, only
 * its queue and latency do). `--without-admission-too` also runs twice the load without admission control.
 *
 *   npx tsx bench/server-overload.ts [--saturating 100] [--seconds 15] [--batch 500] [--databases sqlite,postgres] [--without-admission-too]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_ENTRIES } from '../common/central-api/protocol';
import { DEFAULT_MAX_INGEST_IN_FLIGHT, DEFAULT_TARGET_WAIT_SECONDS } from '../server/sync/ingest-admission';
import { createTemporaryDatabase } from '../test/helpers/temporary-database';
import type { ClientPlan } from './server-ingest-clients';
import { measureIngest } from './server-ingest-run';

const { values } = parseArgs({
  options: {
    saturating: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '15' },
    batch: { type: 'string', default: String(DEFAULT_BATCH_ENTRIES) },
    databases: { type: 'string', default: 'sqlite' },
    'without-admission-too': { type: 'boolean', default: false },
  },
});
const saturating = Number(values.saturating);
const seconds = Number(values.seconds);
const batchSize = Number(values.batch);
if (!(saturating >= 1 && saturating <= 500 && seconds > 0 && seconds <= 60 && batchSize >= 1 && batchSize <= 2000)) throw new Error('--saturating 1..500, --seconds up to 60, --batch 1..2000');
/** Entries per second the benches' prepared batches cover; a bench that runs out writes live (and the run says so). */
const PREPARED_ENTRIES_PER_SECOND = 30_000;

const planFor = (benches: number): ClientPlan => ({ benches, batchSize, preparedBatches: Math.ceil((seconds * PREPARED_ENTRIES_PER_SECOND) / (benches * batchSize)) });

type Run = Awaited<ReturnType<typeof measureIngest>>;

async function run(target: 'sqlite' | 'postgres', pgUrl: string | undefined, benches: number, admission: boolean): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `injbench-overload-${target}-`));
  try {
    const database = await createTemporaryDatabase(target, dir, pgUrl);
    try {
      return await measureIngest(database.url, path.join(dir, 'blobs'), planFor(benches), seconds, admission ? {} : { ingestAdmission: { maxInFlight: Infinity } });
    } finally {
      await database.drop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function describe(label: string, result: Run): string {
  const answered = result.requests + result.shed;
  const shedShare = answered === 0 ? 0 : result.shed / answered;
  return (
    `${label}: ${Math.round(result.stored / result.elapsed)} entries/s, ${result.requests} batches accepted, p50 ${result.p50.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms; ` +
    `shed ${result.shed} of ${answered} answers (${(shedShare * 100).toFixed(1)} %); recount ${result.stored} stored = ${result.acknowledged} acknowledged (zero loss)` +
    (result.errors.length ? `; ${result.errors.length} benches stopped on errors: ${result.errors[0]}` : '') +
    (result.benchesWritingLive ? `; ${result.benchesWritingLive} benches wrote live` : '')
  );
}

const pgUrl = process.env.INJBENCH_TEST_PG_URL;
const wanted = new Set(values.databases.split(','));
console.log(`overload: ${saturating} benches flat out saturate the server; twice that is ${saturating * 2}; batches of ${batchSize} entries, ${seconds} s per run, admission bound: measured batches per second × ${DEFAULT_TARGET_WAIT_SECONDS} s, at most ${DEFAULT_MAX_INGEST_IN_FLIGHT} in progress`);
if (!pgUrl && wanted.has('postgres')) console.log('postgres  not measured: set INJBENCH_TEST_PG_URL (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")');
for (const target of (['sqlite', 'postgres'] as const).filter((t) => wanted.has(t) && (t === 'sqlite' || pgUrl))) {
  const baseline = await run(target, pgUrl, saturating, false);
  console.log(`${target.padEnd(9)} ${describe(`baseline, ${saturating} benches, no admission control`, baseline)}`);
  if (values['without-admission-too']) console.log(`${''.padEnd(9)} ${describe(`${saturating * 2} benches, no admission control`, await run(target, pgUrl, saturating * 2, false))}`);
  const overloaded = await run(target, pgUrl, saturating * 2, true);
  console.log(`${''.padEnd(9)} ${describe(`${saturating * 2} benches, admission control`, overloaded)}`);
  const rate = (r: Run) => r.stored / r.elapsed;
  console.log(
    `${''.padEnd(9)} at twice the saturating load: accepted p99 ${overloaded.p99.toFixed(0)} ms (target < 2000 ms), ratio to the baseline's p99 ${(overloaded.p99 / baseline.p99).toFixed(2)}; ` +
      `throughput ratio ${(rate(overloaded) / rate(baseline)).toFixed(2)}; shed share ${((overloaded.shed / Math.max(1, overloaded.requests + overloaded.shed)) * 100).toFixed(1)} %`,
  );
}
