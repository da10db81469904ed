/**
 * Support log reads cost what they return: one page (the API's default 1,000 entries) of a bench's stored
 * log, read over HTTP from the central server as it ships (token check, primary-key range read with the
 * entry before and the sealing checkpoint, the page re-hashed, JSON), from logs of 10^4, 10^5 and 10^6
 * entries held by one server in one run. Target: p99 < 20 ms at 10^6, and the same at every length.
 *
 * Baseline, measured in the same run on the same pages: the bare primary-key SELECT of the page through the
 * server's repository (no HTTP, no verification, no JSON).
 *
 * The client reads from a worker thread of its own (support-page-client.ts), so the server thread's CPU per
 * read is the server's alone; it is printed beside the wall-clock figures, with the machine's load average:
 * on a machine shared with other work the wall time moves with the load, the CPU much less.
 *
 * The logs are written straight through the repository's append (validly chained and signed, a checkpoint
 * every 13 entries as a coding session writes them), not through HTTP: a million entries in one to two minutes.
 *
 *   npx tsx bench/support-page.ts [--reads 300] [--limit 1000] [--sizes 10000,100000,1000000] [--databases sqlite,postgres]
 *   INJBENCH_TEST_PG_URL=postgres://… also measures PostgreSQL (a fresh database is created and dropped).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { pino } from 'pino';
import { startCentralServer } from '../server/central-server';
import { storeValidLog, type StoredLog } from '../test/helpers/stored-log';
import { createTemporaryDatabase } from '../test/helpers/temporary-database';
import type { PageReads, PageReadsResult } from './support-page-client';
import { threadCpuMs } from './thread-cpu';
import { percentile } from './server-ingest-run';

const { values } = parseArgs({
  options: {
    reads: { type: 'string', default: '300' },
    limit: { type: 'string', default: '1000' },
    sizes: { type: 'string', default: '10000,100000,1000000' },
    databases: { type: 'string', default: 'sqlite,postgres' },
  },
});
const reads = Number(values.reads);
const limit = Number(values.limit);
const sizes = values.sizes.split(',').map(Number);
if (!(reads >= 10 && reads <= 10_000 && limit >= 1 && limit <= 5000 && sizes.every((size) => size >= limit && size <= 5_000_000))) {
  throw new Error('--reads 10..10000, --limit 1..5000, --sizes each from --limit to 5,000,000');
}
const SEAL_EVERY = 13;
const WARMUP_READS = 20;

/** The machine's 1-minute load average, as `uptime` prints it: the wall-clock figures move with it, the CPU ones do not. */
const load = () => os.loadavg()[0]?.toFixed(1) ?? 'n/a';

const perRead = (cpuMs: number | null, count: number) => (cpuMs === null ? null : cpuMs / count);
const formatMs = (ms: number | null) => (ms === null ? 'n/a' : ms.toFixed(2));

/** The bare SELECT's wall times and this thread's CPU per read, after the warm-up reads. */
async function bareSelects(starts: number[], select: (fromSeq: number) => Promise<void>): Promise<{ sorted: number[]; cpuMs: number | null }> {
  for (const fromSeq of starts.slice(0, WARMUP_READS)) await select(fromSeq);
  const measured = starts.slice(WARMUP_READS);
  const times: number[] = [];
  const cpuBefore = threadCpuMs();
  for (const fromSeq of measured) {
    const started = performance.now();
    await select(fromSeq);
    times.push(performance.now() - started);
  }
  const cpuAfter = threadCpuMs();
  return { sorted: times.sort((a, b) => a - b), cpuMs: cpuBefore === null || cpuAfter === null ? null : perRead(cpuAfter - cpuBefore, measured.length) };
}

/** A client worker thread (support-page-client.ts) reading pages over HTTP while this thread serves them. */
class PageClient {
  // Node 20 does not hand a worker the tsx loader for a .ts entry: the worker registers it, then imports.
  private readonly worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./support-page-client.ts', import.meta.url).href)}); });`, { eval: true });

  /** The reads' wall times, the server thread's (this thread's) CPU and the client's CPU, per read. */
  async read(plan: PageReads): Promise<{ sorted: number[]; serverCpuMs: number | null; clientCpuMs: number | null }> {
    const answered = new Promise<PageReadsResult>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
    const cpuBefore = threadCpuMs();
    this.worker.postMessage(plan);
    const result = await answered;
    const cpuAfter = threadCpuMs();
    if (!result.ok) throw new Error(result.error);
    return {
      sorted: [...result.timesMs].sort((a, b) => a - b),
      serverCpuMs: cpuBefore === null || cpuAfter === null ? null : perRead(cpuAfter - cpuBefore, plan.reads.length),
      clientCpuMs: perRead(result.clientCpuMs, plan.reads.length),
    };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

async function measureStore(target: 'sqlite' | 'postgres', pgUrl: string | undefined): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `injbench-support-page-${target}-`));
  const database = await createTemporaryDatabase(target, dir, pgUrl);
  const supportToken = randomBytes(32).toString('hex');
  const server = await startCentralServer({ databaseUrl: database.url, blobDir: path.join(dir, 'blobs'), port: 0, adminToken: randomBytes(32).toString('hex'), supportToken, logger: pino({ level: 'silent' }) });
  const client = new PageClient();
  try {
    const logs: StoredLog[] = [];
    for (const size of sizes) {
      const building = performance.now();
      logs.push(await storeValidLog(server.repository, { entries: size, sealEvery: SEAL_EVERY }));
      console.log(`${target.padEnd(9)} stored ${size.toLocaleString('en')} entries in ${((performance.now() - building) / 1000).toFixed(1)} s (load ${load()})`);
    }
    const p99s: number[] = [];
    const serverCpus: (number | null)[] = [];
    for (const [index, log] of logs.entries()) {
      const size = sizes[index] as number;
      // The same random pages for the server and the baseline, spread over the whole log.
      const starts = Array.from({ length: WARMUP_READS + reads }, () => 1 + Math.floor(Math.random() * (size - limit + 1)));
      const plan = (fromSeqs: number[]): PageReads => ({ serverUrl: server.url, supportToken, benchId: log.benchId, limit, reads: fromSeqs.map((fromSeq) => ({ fromSeq, firstHash: log.hashes[fromSeq - 1] as string })) });
      const bareSelect = async (fromSeq: number) => {
        const rows = await server.repository.entries(log.benchId, fromSeq, limit);
        if (rows.length !== limit) throw new Error('baseline read short');
      };
      await client.read(plan(starts.slice(0, WARMUP_READS)));
      const page = await client.read(plan(starts.slice(WARMUP_READS)));
      const baseline = await bareSelects(starts, bareSelect);
      const p99 = percentile(page.sorted, 99);
      const baselineP99 = percentile(baseline.sorted, 99);
      p99s.push(p99);
      serverCpus.push(page.serverCpuMs);
      console.log(
        `${''.padEnd(9)} ${size.toLocaleString('en').padStart(9)} entries (load ${load()}): page of ${limit} over HTTP p50 ${percentile(page.sorted, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (target < 20 ms: ${p99 < 20 ? 'met' : 'not met'}), ` +
          `server CPU ${formatMs(page.serverCpuMs)} ms/read (client ${formatMs(page.clientCpuMs)} ms/read, its own thread); ` +
          `baseline bare primary-key SELECT p50 ${percentile(baseline.sorted, 50).toFixed(2)} ms, p99 ${baselineP99.toFixed(2)} ms, CPU ${formatMs(baseline.cpuMs)} ms/read; ` +
          `ratio p99 ${(p99 / baselineP99).toFixed(2)}, server CPU ${page.serverCpuMs !== null && baseline.cpuMs !== null ? (page.serverCpuMs / baseline.cpuMs).toFixed(2) : 'n/a'}`,
      );
    }
    const ratio = (values: (number | null)[]) => {
      const first = values[0];
      const last = values.at(-1);
      return first === null || first === undefined || last === null || last === undefined ? 'n/a' : (last / first).toFixed(2);
    };
    console.log(
      `${''.padEnd(9)} independence of length: at ${sizes.at(-1)?.toLocaleString('en')} / at ${sizes[0]?.toLocaleString('en')} entries, p99 ${ratio(p99s)}, server CPU per read ${ratio(serverCpus)} (${reads} reads each)`,
    );
  } finally {
    await client.close();
    await server.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pgUrl = process.env.INJBENCH_TEST_PG_URL;
const wanted = new Set(values.databases.split(','));
console.log(`support log page reads: ${reads} random pages of ${limit} entries per log length, one server per store, the client in its own thread; ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`);
if (!pgUrl && wanted.has('postgres')) console.log('postgres  not measured: set INJBENCH_TEST_PG_URL (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")');
for (const target of (['sqlite', 'postgres'] as const).filter((t) => wanted.has(t) && (t === 'sqlite' || pgUrl))) await measureStore(target, pgUrl);
