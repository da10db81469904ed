/**
 * One timed ingest run for bench/server-ingest.ts and bench/server-overload.ts: a central server as it ships,
 * the simulated benches (server-ingest-clients.ts) syncing for `seconds`, then the recount: every
 * acknowledged entry must be stored, in order, byte for byte.
 *
 * The benches run in a worker thread of this process, or with `clientsIn: 'process'` in a child process of
 * their own (real benches are other processes; the server process's CPU is then the server's alone).
 *
 * Latency is taken twice: by the simulated benches (from the call that signs and sends a batch to its
 * answer, so it includes the client's own HTTP work on a thread shared by all of them) and, with
 * `serverLatency`, from the server's access log as it ships (fastify's time from the request's arrival to
 * its answer, the `ms` field) for the accepted batches.
 */
import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { LOG_BATCH_PATH } from '../common/central-api/paths';
import { startCentralServer, type CentralServerOptions } from '../server/central-server';
import type { ClientPlan, FromWorker, ToWorker } from './server-ingest-clients';
import { threadCpuMs } from './thread-cpu';

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** A pino destination keeping the access log's time of every accepted log batch (status 200), in ms. */
function acceptedBatchTimes(): { stream: Writable; times: number[] } {
  const times: number[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.includes(LOG_BATCH_PATH)) continue;
        const entry = JSON.parse(line) as { part?: string; route?: string; status?: number; ms?: number };
        if (entry.part === 'access' && entry.route === LOG_BATCH_PATH && entry.status === 200 && typeof entry.ms === 'number') times.push(entry.ms);
      }
      done();
    },
  });
  return { stream, times };
}

interface ClientsHandle {
  next(): Promise<FromWorker>;
  send(message: ToWorker): void;
  stop(): Promise<void>;
}

/** The simulated benches, in a worker thread or a child process, behind one message interface. */
function startClients(plan: ClientPlan, clientsIn: 'thread' | 'process'): ClientsHandle {
  const entry = new URL('./server-ingest-clients.ts', import.meta.url);
  if (clientsIn === 'process') {
    // The child inherits this process's tsx loader (execArgv); advanced serialization carries the recount's data.
    const child = fork(fileURLToPath(entry), [JSON.stringify(plan)], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return {
      next: () => new Promise<FromWorker>((resolve, reject) => {
        const exited = (code: number | null) => reject(new Error(`the client process exited (${code}) before it reported`));
        child.once('exit', exited);
        child.once('message', (message) => {
          child.off('exit', exited);
          resolve(message as FromWorker);
        });
      }),
      send: (message) => void child.send(message),
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      },
    };
  }
  // Node 20 does not hand a worker the tsx loader for a .ts entry: the worker registers it, then imports.
  const worker = new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true, workerData: plan });
  return {
    next: () => new Promise<FromWorker>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }),
    send: (message) => worker.postMessage(message),
    stop: async () => {
      await worker.terminate();
    },
  };
}

export async function measureIngest(
  databaseUrl: string,
  blobDir: string,
  plan: ClientPlan,
  seconds: number,
  serverOptions: Pick<CentralServerOptions, 'ingestAdmission' | 'acceptors'> = {},
  { serverLatency = false, clientsIn = 'thread' }: { serverLatency?: boolean; clientsIn?: 'thread' | 'process' } = {},
) {
  const access = serverLatency ? acceptedBatchTimes() : null;
  // The access log is written at info level as on a production server; otherwise the server is silent.
  const logger = access ? pino({ level: 'info' }, access.stream) : pino({ level: 'silent' });
  const adminToken = randomBytes(32).toString('hex');
  const server = await startCentralServer({ databaseUrl, blobDir, port: 0, adminToken, logger, ...serverOptions });
  const clients = startClients(plan, clientsIn);
  try {
    const next = clients.next;
    const keys = await next();
    if (keys.kind !== 'keys') throw new Error('the client worker did not announce its benches');
    const now = new Date().toISOString();
    for (const bench of keys.benches) {
      // Enrolment is not what is measured: the benches are registered straight through the repository.
      const codeHash = randomBytes(32).toString('hex');
      await server.repository.addEnrolmentCode({ codeHash, createdAt: now, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), note: null });
      await server.repository.enrol({ codeHash, benchId: bench.benchId, publicKey: bench.publicKey, now });
    }
    const stopped = next();
    // New connections the server took during the run (through any of its listening sockets): a bench that
    // reconnects waits in the kernel's accept queue first, which the server's log does not see.
    let connections = 0;
    const countConnection = () => void (connections += 1);
    server.app.server.on('connection', countConnection);
    const cpuBefore = { loop: threadCpuMs(), process: process.cpuUsage() };
    clients.send({ kind: 'go', serverUrl: server.url, seconds } satisfies ToWorker);
    const run = await stopped;
    server.app.server.off('connection', countConnection);
    if (run.kind !== 'stopped') throw new Error('the client worker did not report');
    const loopCpuMs = cpuBefore.loop === null ? null : (threadCpuMs() ?? 0) - cpuBefore.loop;
    const processCpu = process.cpuUsage(cpuBefore.process);
    const elapsed = run.elapsedMs / 1000;
    const reported = next();
    clients.send({ kind: 'report' } satisfies ToWorker);
    const result = await reported;
    if (result.kind !== 'acknowledged') throw new Error('the client worker did not hand over what was acknowledged');
    let stored = 0;
    let acknowledged = 0;
    for (const bench of result.acknowledged) {
      const rows = await server.repository.entries(bench.benchId, 1, bench.entries.length + 1);
      const same = rows.length === bench.entries.length && rows.every((row, i) => row.entryHash === bench.entries[i]?.entryHash);
      if (!same) throw new Error(`loss: ${bench.benchId} stored ${rows.length} entries, ${bench.entries.length} acknowledged`);
      stored += rows.length;
      acknowledged += bench.entries.length;
    }
    // Which admission rule shed how many, as the server's metrics count them.
    const metricsText = await (await fetch(new URL('/metrics', server.url), { headers: { authorization: `Bearer ${adminToken}` } })).text();
    const shedByRule = Object.fromEntries([...metricsText.matchAll(/^injbench_ingest_shed_total\{reason="([a-z-]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    const latencies = [...run.latenciesMs].sort((a, b) => a - b);
    const serverTimes = access ? [...access.times].sort((a, b) => a - b) : [];
    return {
      acceptors: server.acceptors,
      connections,
      shedByRule,
      serverP50: access ? percentile(serverTimes, 50) : null,
      serverP99: access ? percentile(serverTimes, 99) : null, elapsed, stored, acknowledged, acknowledgedRows: result.acknowledged, errors: run.errors, benchesWritingLive: run.benchesWritingLive, loopCpuMs, clientsCpuMs: run.clientsCpuMs, processCpuMs: (processCpu.user + processCpu.system) / 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99), requests: latencies.length, shed: run.shed };
  } finally {
    await clients.stop();
    await server.close();
  }
}

