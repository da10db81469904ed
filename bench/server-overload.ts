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
 * 2. The saturating rate: benches flat out without admission control, doubling from `--from` until the
 *    throughput grows by less than 10 %; the highest throughput reached is the rate that saturates the
 *    server (more benches only lengthen its queue). `--saturating RATE` (batches/s) skips the search.
 * 3. Twice that rate offered by a fleet: each bench sends a batch every `--interval` seconds (benches =
 *    rate × interval), whether or not the server keeps up, as benches syncing on their own schedules do.
 *    Flat-out benches could not show this: they slow down with the server, so twice the benches is not
 *    twice the load. With admission control: accepted p50/p99, the shed share, the recount, and the accepted
 *    p99 against the 2 s target and against the unloaded p99. `--without-admission-too` offers the same
 *    rate to a server without admission control.
 *
 * Latency is given as the simulated benches see it (the call that signs and sends a batch to its answer: it
 * includes their own HTTP client, all of them on one thread, which a loaded machine slows as much as the
 * server) and as the server's access log records it (the request's arrival to its answer).
 *
 * The simulated benches run in a worker thread of this process (`--clients thread`, the default) or in a
 * child process (`--clients process`), as real benches are processes of their own. Either way, under overload
 * the benches' p99 is mostly time their new connections wait in the server's accept queue, which the server's
 * log does not see (docs/benchmarks.md, "### Overload").
 *
 *   npx tsx bench/server-overload.ts [--acceptors 4] [--from 4] [--saturating RATE] [--interval 4] [--seconds 15] [--step-seconds 6] [--batch 500] [--databases sqlite,postgres] [--without-admission-too] [--clients process|thread]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_BATCH_ENTRIES } from '../common/central-api/protocol';
import { acceptorsFor, DEFAULT_ACCEPTORS } from '../server/central-server';
import { DEFAULT_MAX_INGEST_IN_FLIGHT, DEFAULT_MAX_WAIT_SECONDS, DEFAULT_TARGET_WAIT_SECONDS } from '../server/sync/ingest-admission';
import { createTemporaryDatabase } from '../test/helpers/temporary-database';
import type { ClientPlan } from './server-ingest-clients';
import { measureIngest } from './server-ingest-run';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '4' },
    saturating: { type: 'string' },
    interval: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '15' },
    'step-seconds': { type: 'string', default: '6' },
    batch: { type: 'string', default: String(DEFAULT_BATCH_ENTRIES) },
    databases: { type: 'string', default: 'sqlite' },
    'without-admission-too': { type: 'boolean', default: false },
    clients: { type: 'string', default: 'thread' },
    acceptors: { type: 'string', default: String(DEFAULT_ACCEPTORS) },
  },
});
const from = Number(values.from);
const fixedSaturating = values.saturating === undefined ? null : Number(values.saturating);
const seconds = Number(values.seconds);
const stepSeconds = Number(values['step-seconds']);
const intervalSeconds = Number(values.interval);
const batchSize = Number(values.batch);
const clientsOption = values.clients;
if (clientsOption !== 'process' && clientsOption !== 'thread') throw new Error('--clients: process (the simulated benches in a child process) or thread (a worker thread of the server\'s process)');
const clientsIn: 'process' | 'thread' = clientsOption;
const acceptors = acceptorsFor(Number(values.acceptors));
if (!(from >= 1 && from <= 250)) throw new Error('--from: 1..250 benches');
if (!(fixedSaturating === null || (fixedSaturating > 0 && fixedSaturating <= 500)) || !(intervalSeconds >= 0.5 && intervalSeconds <= 30)) throw new Error('--saturating: up to 500 batches/s; --interval 0.5..30 s');
if (!(seconds > 0 && seconds <= 60 && stepSeconds > 0 && stepSeconds <= 60 && batchSize >= 1 && batchSize <= 2000)) throw new Error('--seconds and --step-seconds up to 60, --batch 1..2000');
const TARGET_P99_MS = 2000;
/** The search stops when doubling the benches adds less than this to the throughput. */
const SATURATION_GAIN = 1.1;
/** Entries per second the benches' prepared batches cover in all, and batches per second one bench may need. */
const PREPARED_ENTRIES_PER_SECOND = 30_000;
const PREPARED_BATCHES_PER_BENCH_SECOND = 10;

/** Flat out (no interval), or one batch per bench every `intervalMs`. */
const planFor = (benches: number, runSeconds: number, intervalMs?: number): ClientPlan => ({
  benches,
  batchSize,
  preparedBatches: intervalMs
    ? Math.ceil((runSeconds * 1000) / intervalMs) + 2
    : Math.min(Math.ceil((runSeconds * PREPARED_ENTRIES_PER_SECOND) / (benches * batchSize)), Math.ceil(runSeconds * PREPARED_BATCHES_PER_BENCH_SECOND)),
  ...(intervalMs ? { intervalMs } : {}),
});

type Run = Awaited<ReturnType<typeof measureIngest>>;

const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function run(target: 'sqlite' | 'postgres', pgUrl: string | undefined, plan: ClientPlan, runSeconds: number, admission: boolean): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `injbench-overload-${target}-`));
  try {
    const database = await createTemporaryDatabase(target, dir, pgUrl);
    try {
      return await measureIngest(database.url, path.join(dir, 'blobs'), plan, runSeconds, { acceptors, ...(admission ? {} : { ingestAdmission: { maxInFlight: Infinity } }) }, { serverLatency: true, clientsIn });
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
    `${r.connections} new connections; the benches' thread used ${r.clientsCpuMs === null ? '-' : (r.clientsCpuMs / 1000 / r.elapsed).toFixed(2)} of a core; shed ${r.shed} of ${r.requests + r.shed} answers (${(shedShare(r) * 100).toFixed(1)} %${r.shed ? `; by rule ${Object.entries(r.shedByRule).map(([rule, n]) => `${rule} ${n}`).join(', ')}` : ''}); recount ${r.stored} stored = ${r.acknowledged} acknowledged (zero loss)` +
    (r.errors.length ? `; ${r.errors.length} benches stopped on errors: ${r.errors[0]}` : '') +
    (r.benchesWritingLive ? `; ${r.benchesWritingLive} benches wrote live` : '')
  );
}

const pgUrl = process.env.INJBENCH_TEST_PG_URL;
const wanted = new Set(values.databases.split(','));
console.log(
  `overload: batches of ${batchSize} entries; admission: in progress at most measured batches/s × ${DEFAULT_TARGET_WAIT_SECONDS} s (≤ ${DEFAULT_MAX_INGEST_IN_FLIGHT}), ` +
    `door shut while the oldest waiting batch has waited > ${DEFAULT_TARGET_WAIT_SECONDS * 1000} ms, shed before its write after ${DEFAULT_MAX_WAIT_SECONDS * 1000} ms; ` +
    `simulated benches in a ${clientsIn === 'process' ? 'child process' : 'worker thread of the server\'s process'}; Node ${process.versions.node}, ` +
    `${acceptors} listening socket(s) on the server's port; ${os.availableParallelism()} CPUs, load average ${loadAverage()}`,
);
if (!pgUrl && wanted.has('postgres')) console.log('postgres  not measured: set INJBENCH_TEST_PG_URL (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")');
for (const target of (['sqlite', 'postgres'] as const).filter((t) => wanted.has(t) && (t === 'sqlite' || pgUrl))) {
  const pad = ''.padEnd(9);
  const unloaded = await run(target, pgUrl, planFor(1, stepSeconds), stepSeconds, true);
  console.log(`${target.padEnd(9)} ${describe('unloaded, 1 bench flat out', unloaded)}`);

  let saturatingRate = fixedSaturating;
  if (saturatingRate === null) {
    let best: { benches: number; rate: number } | null = null;
    for (let benches = from; benches <= 250; benches *= 2) {
      const result = await run(target, pgUrl, planFor(benches, stepSeconds), stepSeconds, false);
      console.log(`${pad} ${describe(`search, ${benches} benches flat out, no admission control`, result)}`);
      const rate = batchesPerSecond(result);
      const grew = best === null || rate >= best.rate * SATURATION_GAIN;
      if (best === null || rate > best.rate) best = { benches, rate };
      if (!grew) break;
    }
    saturatingRate = best?.rate ?? 1;
    console.log(`${pad} saturating rate: ${saturatingRate.toFixed(1)} batches/s (${best?.benches} benches flat out; doubling them added < ${Math.round((SATURATION_GAIN - 1) * 100)} %)`);
  }
  const offeredRate = 2 * saturatingRate;
  const fleet = Math.max(1, Math.round(offeredRate * intervalSeconds));
  const offeredPlan = planFor(fleet, seconds, (fleet / offeredRate) * 1000);
  const offered = `${offeredRate.toFixed(1)} batches/s offered (${fleet} benches, one batch each every ${(fleet / offeredRate).toFixed(2)} s)`;
  if (values['without-admission-too']) console.log(`${pad} ${describe(`${offered}, no admission control`, await run(target, pgUrl, offeredPlan, seconds, false))}`);
  const overloaded = await run(target, pgUrl, offeredPlan, seconds, true);
  console.log(`${pad} ${describe(`${offered}, admission control`, overloaded)}`);
  const ratio = (a: number | null, b: number | null): string => (a === null || b === null || b === 0 ? '-' : (a / b).toFixed(2));
  console.log(
    `${pad} at twice the saturating rate (${saturatingRate.toFixed(1)} batches/s) ${offered}: accepted ${batchesPerSecond(overloaded).toFixed(1)}/s; ` +
      `accepted p50 ${ms(overloaded.p50)}, p99 ${ms(overloaded.p99)} as the benches see it = ${ratio(overloaded.p99, TARGET_P99_MS)} × the 2 s target, ${ratio(overloaded.p99, unloaded.p99)} × unloaded (${ms(unloaded.p99)}); ` +
      `in the server's log p50 ${ms(overloaded.serverP50)}, p99 ${ms(overloaded.serverP99)} = ${ratio(overloaded.serverP99, TARGET_P99_MS)} × target, ${ratio(overloaded.serverP99, unloaded.serverP99)} × unloaded (${ms(unloaded.serverP99)}); ` +
      `shed share ${(shedShare(overloaded) * 100).toFixed(1)} %; recount ${overloaded.stored} = ${overloaded.acknowledged} acknowledged${overloaded.stored === overloaded.acknowledged ? ', zero loss' : ', LOSS'}; load average ${loadAverage()}`,
  );
}
