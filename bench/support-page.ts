/**
 * Support log reads cost what they return: one page (the API's default 1,000 entries) of a bench's stored
 * log, read over HTTP from the central server as it ships (token check, primary-key range read with the
 * entry before and the sealing checkpoint, the page re-hashed, JSON), from logs of 10^4, 10^5 and 10^6
 * entries held by one server in one run. Target: p99 < 20 ms at 10^6, and the same at every length.
 *
 * Baseline, measured in the same run on the same pages: the bare primary-key SELECT of the page through the
 * server's repository (no HTTP, no verification, no JSON).
 *
 * The logs are written straight through the repository's append (validly chained and signed, a checkpoint
 * every 13 entries as a coding session writes them), not through HTTP: a million entries in seconds.
 *
 *   npx tsx bench/support-page.ts [--reads 300] [--limit 1000] [--sizes 10000,100000,1000000] [--databases sqlite,postgres]
 *   INJBENCH_TEST_PG_URL=postgres://… also measures PostgreSQL (a fresh database is created and dropped).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { supportLogPath } from '../common/central-api/paths';
import { startCentralServer } from '../server/central-server';
import { storeValidLog, type StoredLog } from '../test/helpers/stored-log';
import { createTemporaryDatabase } from '../test/helpers/temporary-database';
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

/**
 * Each read's wall time, after the warm-up reads, and this thread's CPU per read (server and client share it):
 * on a machine shared with other work the wall time moves with the load, the CPU does not.
 */
async function latencies(starts: number[], read: (fromSeq: number) => Promise<void>): Promise<{ sorted: number[]; cpuMs: string }> {
  for (const fromSeq of starts.slice(0, WARMUP_READS)) await read(fromSeq);
  const measured = starts.slice(WARMUP_READS);
  const times: number[] = [];
  const cpuBefore = threadCpuMs();
  for (const fromSeq of measured) {
    const started = performance.now();
    await read(fromSeq);
    times.push(performance.now() - started);
  }
  const cpuAfter = threadCpuMs();
  return { sorted: times.sort((a, b) => a - b), cpuMs: cpuBefore === null || cpuAfter === null ? 'n/a' : ((cpuAfter - cpuBefore) / measured.length).toFixed(2) };
}

async function measureStore(target: 'sqlite' | 'postgres', pgUrl: string | undefined): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `injbench-support-page-${target}-`));
  const database = await createTemporaryDatabase(target, dir, pgUrl);
  const supportToken = randomBytes(32).toString('hex');
  const server = await startCentralServer({ databaseUrl: database.url, blobDir: path.join(dir, 'blobs'), port: 0, adminToken: randomBytes(32).toString('hex'), supportToken, logger: pino({ level: 'silent' }) });
  try {
    const logs: StoredLog[] = [];
    const building = performance.now();
    for (const size of sizes) logs.push(await storeValidLog(server.repository, { entries: size, sealEvery: SEAL_EVERY }));
    console.log(`${target.padEnd(9)} stored ${sizes.map((s) => s.toLocaleString('en')).join(' + ')} entries in ${((performance.now() - building) / 1000).toFixed(1)} s`);
    const p99s: number[] = [];
    for (const [index, log] of logs.entries()) {
      const size = sizes[index] as number;
      // The same random pages for the server and the baseline, spread over the whole log.
      const starts = Array.from({ length: WARMUP_READS + reads }, () => 1 + Math.floor(Math.random() * (size - limit + 1)));
      const readPage = async (fromSeq: number) => {
        const response = await fetch(`${server.url}${supportLogPath(log.benchId)}?fromSeq=${fromSeq}&limit=${limit}`, { headers: { authorization: `Bearer ${supportToken}` } });
        const body = (await response.json()) as { integrity: { ok: boolean }; entries: { entryHash: string; integrity: string }[] };
        if (response.status !== 200 || !body.integrity.ok || body.entries.length !== limit || body.entries[0]?.entryHash !== log.hashes[fromSeq - 1]) {
          throw new Error(`page ${fromSeq} of ${log.benchId}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
        }
      };
      const bareSelect = async (fromSeq: number) => {
        const rows = await server.repository.entries(log.benchId, fromSeq, limit);
        if (rows.length !== limit) throw new Error('baseline read short');
      };
      const page = await latencies(starts, readPage);
      const baseline = await latencies(starts, bareSelect);
      const p99 = percentile(page.sorted, 99);
      p99s.push(p99);
      console.log(
        `${''.padEnd(9)} ${size.toLocaleString('en').padStart(9)} entries: page of ${limit} over HTTP p50 ${percentile(page.sorted, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (target < 20 ms), CPU ${page.cpuMs} ms/read; ` +
          `baseline bare primary-key SELECT p50 ${percentile(baseline.sorted, 50).toFixed(2)} ms, p99 ${percentile(baseline.sorted, 99).toFixed(2)} ms, CPU ${baseline.cpuMs} ms/read; ` +
          `ratio p99 ${(p99 / percentile(baseline.sorted, 99)).toFixed(2)}, CPU ${page.cpuMs !== 'n/a' && baseline.cpuMs !== 'n/a' ? (Number(page.cpuMs) / Number(baseline.cpuMs)).toFixed(2) : 'n/a'}`,
      );
    }
    const first = p99s[0] ?? 0;
    const last = p99s.at(-1) ?? 0;
    console.log(`${''.padEnd(9)} independence of length: p99 at ${sizes.at(-1)?.toLocaleString('en')} / p99 at ${sizes[0]?.toLocaleString('en')} = ${(last / first).toFixed(2)} (${reads} reads each)`);
  } finally {
    await server.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pgUrl = process.env.INJBENCH_TEST_PG_URL;
const wanted = new Set(values.databases.split(','));
console.log(`support log page reads: ${reads} random pages of ${limit} entries per log length, one server per store`);
if (!pgUrl && wanted.has('postgres')) console.log('postgres  not measured: set INJBENCH_TEST_PG_URL (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")');
for (const target of (['sqlite', 'postgres'] as const).filter((t) => wanted.has(t) && (t === 'sqlite' || pgUrl))) await measureStore(target, pgUrl);
