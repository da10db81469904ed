/**
 * Ingest of a bench's integrity log. A batch continues the chain from the last acknowledged entry; it may
 * overlap what is already stored (a re-sent batch, or a checkpoint for an entry sent earlier), and the
 * overlap must match byte for byte. The chain and its signed checkpoints are checked by the bench's own
 * verifier (verify-log.ts), the batch is committed, and only then acknowledged.
 */
import { checkCheckpointSignatures, verifyIntegrityLog, type CheckpointSignatureVerdicts, type LogFaultCode } from '../../common/integrity-log/verify-log';
import type { LogAck, LogBatch, ServerErrorCode } from '../../common/central-api/protocol';
import type { Logger } from '../../common/logger';
import type { VerifySignatures } from '../../trust/ed25519';
import { ServerError } from '../server-error';
import { BatchShed } from './ingest-admission';
import type { ServerRepository } from '../store/server-repository';
import { unstorableJsonTextReason } from '../stored-text';

/** A refusal of the log itself (not of the request): raised as an alarm after the batch is rolled back. */
class LogFault extends ServerError {
  constructor(
    code: Extract<ServerErrorCode, 'LOG_GAP' | 'LOG_FORK' | 'LOG_INVALID'>,
    message: string,
    readonly detail: Record<string, unknown>,
  ) {
    super(code, message);
  }
}

function faultFromVerdict(code: LogFaultCode, seq: number, reason: string, firstSeq: number): LogFault {
  const detail = { verifier: code, seq };
  switch (code) {
    case 'ENTRY_MISSING':
      return new LogFault('LOG_GAP', `The batch skips entries: ${reason}.`, detail);
    case 'CHAIN_BROKEN':
      // A first entry that does not link to the acknowledged one means the bench's history changed.
      return seq === firstSeq
        ? new LogFault('LOG_FORK', `Entry ${seq} does not continue the log the server acknowledged: the bench's log was rewritten (fork).`, detail)
        : new LogFault('LOG_INVALID', `The batch's chain is broken: ${reason}.`, detail);
    case 'CHECKPOINT_MISMATCH':
      return new LogFault('LOG_FORK', `A signed checkpoint contradicts the batch: ${reason}.`, detail);
    default:
      return new LogFault('LOG_INVALID', `The batch does not verify: ${reason} (${code}).`, detail);
  }
}

/** A batch's first and last entries; the schema requires one, this says so to the type checker too. */
function batchEnds(batch: LogBatch): { first: LogBatch['entries'][number]; last: LogBatch['entries'][number] } {
  const first = batch.entries[0];
  const last = batch.entries.at(-1);
  if (!first || !last) throw new ServerError('INVALID_REQUEST', 'A log batch needs at least one entry.');
  return { first, last };
}

/** The highest checkpoint of a batch, or null when it carries none. */
const checkpointsThrough = (batch: LogBatch): number | null => batch.checkpoints.reduce<number | null>((max, c) => (max === null || c.seq > max ? c.seq : max), null);

/** The batch was rolled back; the alarm is its own transaction so it survives the refusal. */
async function raiseLogAlarm(repository: ServerRepository, benchId: string, fault: LogFault, batch: LogBatch, now: () => Date, logger: Logger): Promise<void> {
  const { first, last } = batchEnds(batch);
  await repository.raiseAlarm({ benchId, kind: fault.code, message: fault.message, detail: { ...fault.detail, firstSeq: first.seq, lastSeq: last.seq }, raisedAt: now().toISOString() });
  logger.warn({ benchId, code: fault.code, firstSeq: first.seq, lastSeq: last.seq }, 'log batch refused');
}

/**
 * A payload holding text the databases cannot store alike (NUL, a lone surrogate: stored-text.ts) is refused
 * with LOG_INVALID, a refusal the bench's outbox treats as final (re-sending cannot change signed entries),
 * and an alarm, instead of failing inside PostgreSQL with a 500 the bench would retry for ever.
 */
async function refuseUnstorablePayloads(repository: ServerRepository, benchId: string, batch: LogBatch, now: () => Date, logger: Logger): Promise<void> {
  for (const entry of batch.entries) {
    const reason = unstorableJsonTextReason(entry.payloadJson);
    if (!reason) continue;
    const fault = new LogFault('LOG_INVALID', `Entry ${entry.seq} (${entry.type}) has a payload that ${reason}: the server cannot store it.`, { seq: entry.seq, reason });
    await raiseLogAlarm(repository, benchId, fault, batch, now, logger);
    throw fault;
  }
}

export async function ingestLogBatch(
  repository: ServerRepository,
  bench: { bench_id: string; public_key: string; head_seq: number; head_hash: string },
  batch: LogBatch,
  now: () => Date,
  logger: Logger,
  /** The request's nonce, recorded in the batch's own transaction: a replay finds it there. */
  nonce: string,
  verifySignatures?: VerifySignatures,
  /** Asked once the batch is checked and about to be written: false sheds it (BatchShed) with nothing written (ingest-admission.ts). */
  readyToWrite?: () => boolean,
): Promise<LogAck> {
  const entries = batch.entries;
  const { first, last } = batchEnds(batch);
  const benchId = bench.bench_id;
  const ack: LogAck = { benchId, throughSeq: last.seq, throughHash: last.entryHash, checkpointsThrough: checkpointsThrough(batch) };
  await refuseUnstorablePayloads(repository, benchId, batch, now, logger);
  // The signatures do not depend on what is stored: they are checked off the event loop before the batch
  // takes its place in the (single-writer) transaction, and judged in the usual order inside it.
  const signatureVerdicts = await checkCheckpointSignatures({ benchId, publicKey: bench.public_key, checkpoints: batch.checkpoints }, verifySignatures);
  if (readyToWrite && !readyToWrite()) throw new BatchShed();

  // The usual batch continues the head the request was authenticated with: it is verified against that head
  // without a lock and written only if the head is still the same (one statement on PostgreSQL). Anything
  // else (an overlap, a gap, a batch that does not verify, a head another request moved) is judged under
  // the bench's lock below, where refusals are decided and alarms raised.
  const head = Number(bench.head_seq);
  if (first.seq === head + 1) {
    const after = head === 0 ? undefined : { seq: head, entryHash: bench.head_hash };
    const verdict = verifyIntegrityLog({ benchId, publicKey: bench.public_key, entries, checkpoints: batch.checkpoints, after }, signatureVerdicts);
    if (verdict.ok) {
      const receivedAt = now().toISOString();
      const outcome = await repository.appendLogBatch(benchId, nonce, {
        expectedHead: { seq: head, hash: bench.head_hash },
        head: { seq: last.seq, hash: last.entryHash, sealedThrough: ack.checkpointsThrough ?? 0 },
        entries,
        checkpoints: batch.checkpoints,
        receivedAt,
      });
      if (outcome === 'appended') return ack;
      if (outcome === 'replayed') throw replayed();
    }
  }
  return ingestUnderLock(repository, bench, batch, now, logger, nonce, signatureVerdicts);
}

const replayed = () => new ServerError('REPLAYED_REQUEST', 'This request was already received once (same nonce); a replay is refused.');

async function ingestUnderLock(
  repository: ServerRepository,
  bench: { bench_id: string; public_key: string },
  batch: LogBatch,
  now: () => Date,
  logger: Logger,
  nonce: string,
  signatureVerdicts: CheckpointSignatureVerdicts,
): Promise<LogAck> {
  const entries = batch.entries;
  const { first, last } = batchEnds(batch);
  const benchId = bench.bench_id;
  try {
    return await repository.withBenchLocked(benchId, async (tx) => {
      if (!(await tx.rememberNonce(nonce, now().toISOString()))) throw replayed();
      if (tx.bench.status === 'revoked') {
        throw new ServerError('BENCH_REVOKED', `Bench ${benchId} was revoked at ${tx.bench.revoked_at ?? 'an unknown time'}; the server refuses its requests. Ask the server admin.`);
      }
      const head = tx.bench.head_seq;
      if (first.seq > head + 1) {
        throw new LogFault('LOG_GAP', `The batch starts at entry ${first.seq} but the server holds entries up to ${head}: send from entry ${head + 1}.`, {
          firstSeq: first.seq,
          serverHead: head,
        });
      }
      if (first.seq <= head) {
        const stored = await tx.entryHashes(first.seq, Math.min(last.seq, head));
        for (const entry of entries) {
          if (entry.seq > head) break;
          const storedHash = stored.get(entry.seq);
          if (storedHash !== entry.entryHash) {
            throw new LogFault('LOG_FORK', `Entry ${entry.seq} differs from the one the server acknowledged: the bench's log was rewritten (fork).`, {
              seq: entry.seq,
              storedHash: storedHash ?? null,
              sentHash: entry.entryHash,
            });
          }
        }
      }
      const anchorSeq = first.seq - 1;
      let after: { seq: number; entryHash: string } | undefined;
      if (anchorSeq === head) after = head === 0 ? undefined : { seq: head, entryHash: tx.bench.head_hash };
      else if (anchorSeq > 0) {
        const anchorHash = (await tx.entryHashes(anchorSeq, anchorSeq)).get(anchorSeq);
        if (!anchorHash) throw new ServerError('INTERNAL', `Stored entry ${anchorSeq} of ${benchId} is missing.`);
        after = { seq: anchorSeq, entryHash: anchorHash };
      }
      const verdict = verifyIntegrityLog(
        { benchId, publicKey: tx.bench.public_key, entries, checkpoints: batch.checkpoints, after },
        tx.bench.public_key === bench.public_key ? signatureVerdicts : undefined,
      );
      if (!verdict.ok) throw faultFromVerdict(verdict.code, verdict.seq, verdict.reason, first.seq);

      const fresh = entries.filter((entry) => entry.seq > head);
      const through = checkpointsThrough(batch);
      if (fresh.length > 0 || batch.checkpoints.length > 0) {
        await tx.append({
          head: { seq: Math.max(head, last.seq), hash: last.seq > head ? last.entryHash : tx.bench.head_hash, sealedThrough: through ?? 0 },
          entries: fresh,
          checkpoints: batch.checkpoints,
          receivedAt: now().toISOString(),
        });
      }
      return { benchId, throughSeq: last.seq, throughHash: last.entryHash, checkpointsThrough: through };
    });
  } catch (error) {
    if (error instanceof LogFault) await raiseLogAlarm(repository, benchId, error, batch, now, logger);
    throw error;
  }
}
