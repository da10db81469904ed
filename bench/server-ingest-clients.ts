/**
 * The simulated benches of bench/server-ingest.ts and bench/server-overload.ts, in a worker thread or a child
 * process of their own so their signing and JSON work does not share the server's event loop (real benches
 * are other machines). Each bench writes coding
 * sessions into a valid hash chain, sealed by a signed checkpoint after each session, and sends batches
 * until the deadline; it reports exactly the entries the server acknowledged.
 *
 * A real bench wrote its log while it coded injectors, long before it syncs: so each bench writes its
 * first `preparedBatches` batches before the clock starts, and the timed run is the sync alone (request
 * signing, HTTP, the server's work). A bench that runs out keeps writing live, and the run says so.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { encodeBase64, generateKeyPair, signDetached } from '../trust/ed25519';
import { GENESIS_HASH, checkpointMessage, entryHash } from '../common/integrity-log/log-format';
import { SyncError, retryDelayMs, sendSignedRequest } from '../common/central-api/client';
import { logAckSchema } from '../common/central-api/protocol';
import { threadCpuMs } from './thread-cpu';
import { LOG_BATCH_PATH } from '../common/central-api/paths';
import type { CheckpointRecord, LogEntryRecord } from '../common/integrity-log/records';
import { fingerprintOf } from '../trust/bench-id';

export interface ClientPlan {
  benches: number;
  batchSize: number;
  /** Batches each bench writes before the clock starts. */
  preparedBatches: number;
  /**
   * Each bench sends a batch every this many ms (at a random phase) instead of flat out: the offered load is
   * then a rate that does not slow down when the server does. A bench behind its schedule (shed, or waiting
   * for an answer) sends its due batches one after another, as an outbox with a backlog does.
   */
  intervalMs?: number;
}
export type ToWorker = { kind: 'go'; serverUrl: string; seconds: number } | { kind: 'report' };
export type FromWorker =
  | { kind: 'keys'; benches: { benchId: string; publicKey: string }[] }
  | { kind: 'stopped'; elapsedMs: number; latenciesMs: number[]; shed: number; errors: string[]; benchesWritingLive: number; clientsCpuMs: number | null }
  | { kind: 'acknowledged'; acknowledged: { benchId: string; entries: LogEntryRecord[] }[] };

const STEPS_PER_SESSION = 8;

/**
 * The entries a coding session writes, in the shapes the session engine writes them (session-engine.ts),
 * so the server's session index does its real work: started, preflight, electrical, leak, the plan's
 * steps, then the sealed settlement trace.
 */
function sessionEntries(benchId: string, n: number): { type: string; payload: Record<string, unknown> }[] {
  const sessionId = `ses-20261122-${benchId.slice(6, 14)}${n.toString(16).padStart(4, '0')}`;
  const serial = `SN-${benchId.slice(6, 12)}-${n}`;
  const pack = { family: 'bosch-like-cri', version: '1.1.0', sha256: 'ab'.repeat(32) };
  const steps = Array.from({ length: STEPS_PER_SESSION }, (_, i) => ({
    type: 'session.step',
    payload: { sessionId, id: `step-${i}`, pressureBar: 300 + i * 200, pulseUs: 300 + i * 100, measuredMm3: 2 + i * 7.3, nominalMm3: 2 + i * 7.25, toleranceMm3: 0.8 + i * 0.2, verdict: 'pass' },
  }));
  return [
    { type: 'session.started', payload: { sessionId, partNumber: 'SYN-0445110-001', serial, operatorId: 'op-1', bench: { model: 'virtual-bench', firmware: '2.4.1' } } },
    { type: 'session.preflight', payload: { sessionId, gates: ['operator', 'pack', 'hardware', 'calibration', 'credits'].map((id) => ({ id, passed: true, code: null })) } },
    { type: 'session.electrical', payload: { sessionId, resistanceOhm: 0.52, inductanceUh: 182, verdict: 'pass' } },
    { type: 'session.leak', payload: { sessionId, backflowMm3: 11.2, verdict: 'pass' } },
    ...steps,
    { type: 'session.completed', payload: { sessionId, verdict: 'pass', reason: null, partNumber: 'SYN-0445110-001', serial, pack, code: 'K7Q2-9XWM-44TR', codeWrite: 'verified', creditsDebited: 1 } },
  ];
}

function simulatedBench() {
  const keys = generateKeyPair();
  const benchId = `bench-${fingerprintOf(keys.publicKey)}`;
  let prevHash = GENESIS_HASH;
  let seq = 0;
  let sessions = 0;
  let pending: { type: string; payload: Record<string, unknown> }[] = [];
  const nextBatch = (size: number): { entries: LogEntryRecord[]; checkpoints: CheckpointRecord[] } => {
    const entries: LogEntryRecord[] = [];
    const checkpoints: CheckpointRecord[] = [];
    for (let i = 0; i < size; i += 1) {
      if (pending.length === 0) pending = sessionEntries(benchId, (sessions += 1));
      const next = pending.shift() as { type: string; payload: Record<string, unknown> };
      seq += 1;
      const fields = { seq, prevHash, recordedAt: new Date(Date.UTC(2026, 10, 22, 8, 0, 0, seq)).toISOString(), type: next.type, payloadJson: JSON.stringify(next.payload) };
      const hash = entryHash(fields);
      entries.push({ ...fields, entryHash: hash });
      prevHash = hash;
      // The bench seals its log with a signed checkpoint at the end of every session.
      if (pending.length === 0) {
        checkpoints.push({ seq, entryHash: hash, signedAt: fields.recordedAt, signature: encodeBase64(signDetached(checkpointMessage(benchId, seq, hash, fields.recordedAt), keys.secretKey)) });
      }
    }
    return { entries, checkpoints };
  };
  // Kept serialized, as bytes outside the JavaScript heap: a million entry objects, or ~700 MB of strings,
  // held across the run would have the worker's garbage collector mark and sweep them again and again (on
  // the process's shared GC threads), far more work than the benches' own, and it would show up as the
  // server's CPU.
  const written: Buffer<ArrayBuffer>[] = [];
  const acknowledgedBodies: Buffer<ArrayBuffer>[] = [];
  let wroteLive = false;
  return {
    benchId,
    publicKey: encodeBase64(keys.publicKey),
    sign: (m: Uint8Array) => signDetached(m, keys.secretKey),
    prepare: (batches: number, size: number) => {
      for (let i = 0; i < batches; i += 1) written.push(Buffer.from(JSON.stringify(nextBatch(size))));
    },
    takeBatch: (size: number): Buffer<ArrayBuffer> => {
      const prepared = written.shift();
      if (prepared) return prepared;
      wroteLive = true;
      return Buffer.from(JSON.stringify(nextBatch(size)));
    },
    acknowledge: (bodyJson: Buffer<ArrayBuffer>) => acknowledgedBodies.push(bodyJson),
    acknowledgedEntries: (): LogEntryRecord[] => acknowledgedBodies.flatMap((body) => (JSON.parse(body.toString('utf8')) as { entries: LogEntryRecord[] }).entries),
    wroteLive: () => wroteLive,
  };
}

/** The parent's end: a worker thread's port, or a child process's IPC channel (plan as the first argument). */
interface ParentChannel {
  postMessage(message: FromWorker): void;
  once(event: 'message', listener: (message: ToWorker) => void): void;
}
function parentChannel(): { port: ParentChannel; plan: ClientPlan } {
  if (parentPort) return { port: parentPort, plan: workerData as ClientPlan };
  const send = process.send?.bind(process);
  if (!send || process.argv[2] === undefined) throw new Error('server-ingest-clients runs as a worker thread or a forked child process');
  return {
    port: { postMessage: (message) => void send(message), once: (event, listener) => void process.once(event, listener) },
    plan: JSON.parse(process.argv[2]) as ClientPlan,
  };
}
const { port, plan } = parentChannel();
const benches = Array.from({ length: plan.benches }, simulatedBench);
for (const bench of benches) bench.prepare(plan.preparedBatches, plan.batchSize);
port.postMessage({ kind: 'keys', benches: benches.map(({ benchId, publicKey }) => ({ benchId, publicKey })) } satisfies FromWorker);

port.once('message', async (message: ToWorker) => {
  if (message.kind !== 'go') throw new Error('the clients wait for go');
  const started = performance.now();
  const deadline = started + message.seconds * 1000;
  const cpuBefore = threadCpuMs();
  const latenciesMs: number[] = [];
  const errors: string[] = [];
  let shed = 0;
  await Promise.all(
    benches.map(async (bench) => {
      // A batch the server shed is kept and sent again (signed anew), as the bench's outbox does.
      let unacknowledged: Buffer<ArrayBuffer> | null = null;
      let nextDue = started + Math.random() * (plan.intervalMs ?? 0);
      while (performance.now() < deadline) {
        if (plan.intervalMs && unacknowledged === null) {
          const early = nextDue - performance.now();
          if (early > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(early, deadline - performance.now())));
          if (performance.now() >= deadline) break;
          nextDue += plan.intervalMs;
        }
        const bodyJson: Buffer<ArrayBuffer> = unacknowledged ?? bench.takeBatch(plan.batchSize);
        const sent = performance.now();
        try {
          await sendSignedRequest({ serverUrl: message.serverUrl, identity: bench, method: 'POST', path: LOG_BATCH_PATH, bodyJson, responseSchema: logAckSchema, timeoutMs: 60_000 });
        } catch (error) {
          if (error instanceof SyncError && error.retryAfterMs !== undefined) {
            shed += 1;
            unacknowledged = bodyJson;
            // The outbox's own wait: the server's Retry-After plus jitter (sync-outbox.ts).
            const wait = retryDelayMs(error, 1, { baseDelayMs: 500, maxDelayMs: 60_000 });
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(wait, deadline - performance.now()))));
            continue;
          }
          // A refused or lost batch ends this bench's run: the recount then shows exactly what was stored.
          errors.push(`${bench.benchId}: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
        unacknowledged = null;
        latenciesMs.push(performance.now() - sent);
        bench.acknowledge(bodyJson);
      }
    }),
  );
  port.postMessage({
    kind: 'stopped',
    elapsedMs: performance.now() - started,
    latenciesMs,
    shed,
    errors,
    benchesWritingLive: benches.filter((b) => b.wroteLive()).length,
    clientsCpuMs: cpuBefore === null ? null : (threadCpuMs() ?? 0) - cpuBefore,
  } satisfies FromWorker);
  // The recount's data, asked for once the server's CPU has been read: parsing it is not part of the run.
  port.once('message', () => {
    port.postMessage({ kind: 'acknowledged', acknowledged: benches.map((b) => ({ benchId: b.benchId, entries: b.acknowledgedEntries() })) } satisfies FromWorker);
  });
});
