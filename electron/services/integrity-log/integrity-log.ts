/**
 * The bench's append-only, hash-chained integrity log. Every session step, decision and admin action is
 * appended here; a checkpoint signed with the bench key seals the chain at the end of each session.
 * Each append is one SQLite transaction under synchronous=FULL: once it returns, it survives power loss.
 */
import { ServiceError } from '../service-error';
import type { BenchIdentity } from '../identity/bench-identity';
import { encodeBase64 } from '../../../trust/ed25519';
import type { IntegrityLogRepository } from '../store/integrity-log-repository';
import { ENTRY_TYPE_PATTERN, GENESIS_HASH, checkpointMessage, entryHash } from '../../../common/integrity-log/log-format';
import type { CheckpointRecord, LogEntryRecord } from '../../../common/integrity-log/records';

/** Payloads above this are refused: the log records decisions and summaries, not raw data. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export class IntegrityLog {
  constructor(
    private readonly repository: IntegrityLogRepository,
    private readonly identity: BenchIdentity,
    private readonly now: () => Date = () => new Date(),
  ) {}

  append(type: string, payload: Record<string, unknown>): LogEntryRecord {
    if (!ENTRY_TYPE_PATTERN.test(type)) throw new ServiceError('INVALID_ARGUMENT', `Log entry type ${JSON.stringify(type)} is not a lower-case dotted name.`);
    const payloadJson = JSON.stringify(payload);
    if (Buffer.byteLength(payloadJson) > MAX_PAYLOAD_BYTES) {
      throw new ServiceError('INVALID_ARGUMENT', `Log entry ${type} is larger than ${MAX_PAYLOAD_BYTES} bytes; log a summary instead.`);
    }
    const recordedAt = this.now().toISOString();
    return this.repository.append((head) => {
      const seq = (head?.seq ?? 0) + 1;
      const prevHash = head?.entryHash ?? GENESIS_HASH;
      return { seq, prevHash, recordedAt, type, payloadJson, entryHash: entryHash({ seq, prevHash, recordedAt, type, payloadJson }) };
    });
  }

  /** Signs the current head. Returns null when the log is empty or the head is already sealed. */
  checkpoint(): CheckpointRecord | null {
    const head = this.repository.head();
    if (!head || this.repository.lastCheckpoint()?.seq === head.seq) return null;
    const signedAt = this.now().toISOString();
    const signature = encodeBase64(this.identity.sign(checkpointMessage(this.identity.benchId, head.seq, head.entryHash, signedAt)));
    const checkpoint = { seq: head.seq, entryHash: head.entryHash, signedAt, signature };
    this.repository.addCheckpoint(checkpoint);
    return checkpoint;
  }
}
