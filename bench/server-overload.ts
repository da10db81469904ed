/**
 * Overload: benches syncing flat out at twice the load that saturates the server, with admission control as
 * it ships (server/sync/ingest-admission.ts). The batches past the bound are answered 429 with Retry-After,
 * the benches keep them and send them again after that wait (server-ingest-clients.ts does what the outbox
 * does), and the batches the server takes are answered promptly. Target: p99 of the accepted batches < 2 s
 * at twice the saturating load, zero acknowledged entries lost (every one recounted from the database), the
 * share of shed batches printed.
 *
 * Everything is measured in the same run, on whatever the machine is doing meanwhile (its load average is
 * printed beside each step):
 *
 * 1. Unloaded: one bench flat out against the server alone: the latency a batch has with nobody ahead of it.
 * 2. The saturating load: benches flat out without admission control, doubling from `--from` until the
 *    throughput grows by less than 10 %; the load before that step saturates the server (more benches only
 *    lengthen its queue). `--saturating N` skips the search.
 * 3. Twice that many benches with admission control: accepted p50/p99, the shed share, the recount, and the
 *    accepted p99 against the 2 s target and against the unloaded p99.
 *
 * Latency is given as the simulated benches see it (the call that signs and sends a batch to its answer: it
 * includes their own HTTP client, all of them on one thread of this process, which a loaded machine slows
 * as much as the server) and as the server's access log records it (the request's arrival to its answer).
 *
 *   npx tsx bench/server-overload.ts [--from 4] [--saturating N] [--seconds 15] [--step-seconds 6] [--batch 500] [--databases sqlite,postgres] [--without-admission-too]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_ENTRIES } from '../common/central-api/protocol';
import { DEFAULT_MAX_INGEST_IN_FLIGHT, DEFAULT_MAX_WAIT_SECONDS, DEFAULT_TARGET_WAIT_SECONDS } from '../server/sync/ingest-admission';
import { createTemporaryDatabase } from '../test/helpers/temporary-database';
import type { ClientPlan } from './server-ingest-clients';
import { measureIngest } from './server-ingest-run';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '4' },
    saturating: { type: 'string' },
    seconds: { type: 'string', default: '15' },
    'step-seconds': { type: 'string', default: '6' },
    batch: { type: 'string', default: String(DEFAULT_BATCH_ENTRIES) },
    databases: { type: 'string', default: 'sqlite' },
    'without-admission-too': { type: 'boolean', default: false },
  },
});
const from = Number(values.from);
const fixedSaturating = values.saturating === undefined ? null : Number(values.saturating);
const seconds = Number(values.seconds);
const stepSeconds = Number(values['step-seconds']);
const batchSize = Number(values.batch);
if (!(from >= 1 && from <= 250 && (fixedSaturating === null || (fixedSaturating >= 1 && fixedSaturating <= 250)))) throw new Error('--from and --saturating: 1..250 benches');
if (!(seconds > 0 && seconds <= 60 && stepSeconds > 0 && stepSeconds <= 60 && batchSize >= 1 && batchSize <= 2000)) throw new Error('--seconds and --step-seconds up to 60, --batch 1..2000');
const TARGET_P99_MS = 2000;
/** The search stops when doubling the benches adds less than this to the throughput. */
const SATURATION_GAIN = 1.1;
/** Entries per second the benches' prepared batches cover in all, and batches per second one bench may need. */
const PREPARED_ENTRIES_PER_SECOND = 30_000;
const PREPARED_BATCHES_PER_BENCH_SECOND = 10;

const planFor = (benches: number, runSeconds: number): ClientPlan => ({
  benches,
  batchSize,
  preparedBatches: Math.min(Math.ceil((runSeconds * PREPARED_ENTRIES_PER_SECOND) / (benches * batchSize)), Math.ceil(runSeconds * PREPARED_BATCHES_PER_BENCH_SECOND)),
});

type Run = Awaited<ReturnType<typeof measureIngest>>;

const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function run(target: 'sqlite' | 'postgres', pgUrl: string | undefined, benches: number, runSeconds: number, admission: boolean): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `injbench-overload-${target}-`));
  try {
    const database = await createTemporaryDatabase(target, dir, pgUrl);
    try {
      return await measureIngest(database.url, path.join(dir, 'blobs'), planFor(benches, runSeconds), runSeconds, admission ? {} : { ingestAdmission: { maxInFlight: Infinity } }, { serverLatency: true });
    } finally {
      await database.drop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const batchesPerSecond = (r: Run): number => r.requests / r.elapsed;
const ms = (value: number | null): string => (value === null ? '-' : `${value.toFixed(0)} ms`);
const shedShare = (r: Run): number => (r.requests + r.shed === 0 ? 0 : r.shed / (r.requests + r.shed));

function describe(label: string, r: Run): string {
  return (
    `${label} [load ${loadAverage()}]: ${batchesPerSecond(r).toFixed(1)} batches/s (${Math.round(r.stored / r.elapsed)} entries/s), ${r.requests} accepted; ` +
    `benches see p50 ${ms(r.p50)}, p99 ${ms(r.p99)}; server log p50 ${ms(r.serverP50)}, p99 ${ms(r.serverP99)}; ` +
    `shed ${r.shed} of ${r.requests + r.shed} answers (${(shedShare(r) * 100).toFixed(1)} %); recount ${r.stored} stored = ${r.acknowledged} acknowledged (zero loss)` +
    (r.errors.length ? `; ${r.errors.length} benches stopped on errors: ${r.errors[0]}` : '') +
    (r.benchesWritingLive ? `; ${r.benchesWritingLive} benches wrote live` : '')
  );
}

const pgUrl = process.env.INJBENCH_TEST_PG_URL;
const wanted = new Set(values.databases.split(','));
console.log(
  `overload: batches of ${batchSize} entries; admission: in progress at most measured batches/s × ${DEFAULT_TARGET_WAIT_SECONDS} s (≤ ${DEFAULT_MAX_INGEST_IN_FLIGHT}), ` +
    `door shut while the oldest waiting batch has waited > ${DEFAULT_TARGET_WAIT_SECONDS * 1000} ms, shed before its write after ${DEFAULT_MAX_WAIT_SECONDS * 1000} ms; ` +
    `${os.availableParallelism()} CPUs, load average ${loadAverage()}`,
);
if (!pgUrl && wanted.has('postgres')) console.log('postgres  not measured: set INJBENCH_TEST_PG_URL (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")');
for (const target of (['sqlite', 'postgres'] as const).filter((t) => wanted.has(t) && (t === 'sqlite' || pgUrl))) {
  const pad = ''.padEnd(9);
  const unloaded = await run(target, pgUrl, 1, stepSeconds, true);
  console.log(`${target.padEnd(9)} ${describe('unloaded, 1 bench', unloaded)}`);

  let saturating = fixedSaturating;
  let saturatingRun: Run | null = null;
  if (saturating === null) {
    let previous: { benches: number; result: Run } | null = null;
    for (let benches = from; ; benches *= 2) {
      const result = await run(target, pgUrl, benches, stepSeconds, false);
      console.log(`${pad} ${describe(`search, ${benches} benches, no admission control`, result)}`);
      if (previous && batchesPerSecond(result) < batchesPerSecond(previous.result) * SATURATION_GAIN) break;
      previous = { benches, result };
      if (benches * 4 > 250) break;
    }
    saturating = previous?.benches ?? from;
    saturatingRun = previous?.result ?? null;
    console.log(`${pad} saturating load: ${saturating} benches flat out, ${saturatingRun ? batchesPerSecond(saturatingRun).toFixed(1) : '?'} batches/s (doubling them added < ${Math.round((SATURATION_GAIN - 1) * 100)} %)`);
  }
  const offered = saturating * 2;
  if (values['without-admission-too']) console.log(`${pad} ${describe(`${offered} benches, no admission control`, await run(target, pgUrl, offered, seconds, false))}`);
  const overloaded = await run(target, pgUrl, offered, seconds, true);
  console.log(`${pad} ${describe(`${offered} benches (twice the saturating load), admission control`, overloaded)}`);
  const ratio = (a: number | null, b: number | null): string => (a === null || b === null || b === 0 ? '-' : (a / b).toFixed(2));
  console.log(
    `${pad} at twice the saturating load (${offered} benches${saturatingRun ? `, offered ~${(2 * batchesPerSecond(saturatingRun)).toFixed(0)} batches/s against a saturating ${batchesPerSecond(saturatingRun).toFixed(1)}` : ''}): ` +
      `accepted p99 as the benches see it ${ms(overloaded.p99)} = ${ratio(overloaded.p99, TARGET_P99_MS)} × the 2 s target, ${ratio(overloaded.p99, unloaded.p99)} × unloaded (${ms(unloaded.p99)}); ` +
      `in the server's log ${ms(overloaded.serverP99)} = ${ratio(overloaded.serverP99, TARGET_P99_MS)} × target, ${ratio(overloaded.serverP99, unloaded.serverP99)} × unloaded (${ms(unloaded.serverP99)}); ` +
      `shed share ${(shedShare(overloaded) * 100).toFixed(1)} %; recount ${overloaded.stored} = ${overloaded.acknowledged} acknowledged${overloaded.stored === overloaded.acknowledged ? ', zero loss' : ', LOSS'}`,
  );
}
