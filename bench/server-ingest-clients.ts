/**
 * The simulated benches of bench/server-ingest.ts, in their own worker thread so their signing and JSON
 * work does not share the server's event loop (real benches are other machines). Each bench keeps a valid
 * hash chain with a signed checkpoint every 50 entries and sends batches until the deadline; it reports
 * exactly the entries the server acknowledged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fingerprintOf } from '../electron/services/identity/bench-identity';
import { encodeBase64, generateKeyPair, signDetached } from '../trust/ed25519';
import { GENESIS_HASH, checkpointMessage, entryHash } from '../electron/services/integrity-log/log-format';
import type { CheckpointRecord, LogEntryRecord } from '../electron/services/store/integrity-log-repository';
import { sendSignedRequest } from '../electron/services/sync/sync-client';
import { LOG_BATCH_PATH, logAckSchema } from '../electron/services/sync/sync-protocol';

export interface ClientPlan {
  benches: number;
  batchSize: number;
}
export type ToWorker = { kind: 'go'; serverUrl: string; seconds: number };
export type FromWorker =
  | { kind: 'keys'; benches: { benchId: string; publicKey: string }[] }
  | { kind: 'done'; acknowledged: { benchId: string; entries: LogEntryRecord[] }[]; latenciesMs: number[]; errors: string[] };

const CHECKPOINT_EVERY = 50;

function simulatedBench() {
  const keys = generateKeyPair();
  const benchId = `bench-${fingerprintOf(keys.publicKey)}`;
  const acknowledged: LogEntryRecord[] = [];
  let prevHash = GENESIS_HASH;
  let seq = 0;
  const nextBatch = (size: number): { entries: LogEntryRecord[]; checkpoints: CheckpointRecord[] } => {
    const entries: LogEntryRecord[] = [];
    const checkpoints: CheckpointRecord[] = [];
    for (let i = 0; i < size; i += 1) {
      seq += 1;
      const fields = { seq, prevHash, recordedAt: new Date(Date.UTC(2026, 0, 1, 8, 0, 0, seq)).toISOString(), type: 'session.step', payloadJson: JSON.stringify({ step: seq % 12, measuredMm3: 41.7 + (seq % 9) / 10, verdict: 'pass' }) };
      const hash = entryHash(fields);
      entries.push({ ...fields, entryHash: hash });
      prevHash = hash;
      if (seq % CHECKPOINT_EVERY === 0) {
        checkpoints.push({ seq, entryHash: hash, signedAt: fields.recordedAt, signature: encodeBase64(signDetached(checkpointMessage(benchId, seq, hash, fields.recordedAt), keys.secretKey)) });
      }
    }
    return { entries, checkpoints };
  };
  return { benchId, publicKey: encodeBase64(keys.publicKey), sign: (m: Uint8Array) => signDetached(m, keys.secretKey), acknowledged, nextBatch };
}

const plan = workerData as ClientPlan;
const port = parentPort;
if (!port) throw new Error('server-ingest-clients runs as a worker thread');
const benches = Array.from({ length: plan.benches }, simulatedBench);
port.postMessage({ kind: 'keys', benches: benches.map(({ benchId, publicKey }) => ({ benchId, publicKey })) } satisfies FromWorker);

port.once('message', async (message: ToWorker) => {
  const deadline = performance.now() + message.seconds * 1000;
  const latenciesMs: number[] = [];
  const errors: string[] = [];
  await Promise.all(
    benches.map(async (bench) => {
      while (performance.now() < deadline) {
        const batch = bench.nextBatch(plan.batchSize);
        const sent = performance.now();
        try {
          await sendSignedRequest({ serverUrl: message.serverUrl, identity: bench, method: 'POST', path: LOG_BATCH_PATH, body: batch, responseSchema: logAckSchema, timeoutMs: 60_000 });
        } catch (error) {
          // A refused or lost batch ends this bench's run: the recount then shows exactly what was stored.
          errors.push(`${bench.benchId}: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
        latenciesMs.push(performance.now() - sent);
        bench.acknowledged.push(...batch.entries);
      }
    }),
  );
  port.postMessage({ kind: 'done', acknowledged: benches.map((b) => ({ benchId: b.benchId, entries: b.acknowledged })), latenciesMs, errors } satisfies FromWorker);
});
