/**
 * Verifies an integrity log end to end and names the first bad entry. Pure: the entries come from the
 * bench database, a support bundle or the server's copy alike.
 *
 * What each check catches: an edited entry no longer hashes to its entry_hash (ENTRY_ALTERED); a deleted
 * one leaves a gap in the sequence (ENTRY_MISSING); a reordered or spliced one breaks the prev_hash link
 * (CHAIN_BROKEN); a rewritten tail with recomputed hashes (a fork) no longer matches the hash a signed
 * checkpoint sealed (CHECKPOINT_MISMATCH); cutting entries sealed by a checkpoint leaves the checkpoint
 * pointing past the end (TRUNCATED). Entries after the last checkpoint are hash-chained but not yet
 * signed: deleting them locally is caught only by the server, which has seen them.
 */
import { decodeBase64, verifyDetached, verifyMany, type VerifySignatures } from '../../trust/ed25519';
import { GENESIS_HASH, checkpointMessage, entryHash } from './log-format';
import type { CheckpointRecord, LogEntryRecord } from './records';

export type LogFaultCode = 'ENTRY_ALTERED' | 'ENTRY_MISSING' | 'CHAIN_BROKEN' | 'CHECKPOINT_MISMATCH' | 'BAD_CHECKPOINT_SIGNATURE' | 'TRUNCATED';

export type LogVerdict =
  | { ok: true; entries: number; headHash: string; sealedThrough: number; unsealedEntries: number }
  | { ok: false; code: LogFaultCode; seq: number; reason: string };

export interface LogToVerify {
  benchId: string;
  /** Base64 Ed25519 public key the checkpoints must verify against (from enrolment, or the bench). */
  publicKey: string;
  entries: Iterable<LogEntryRecord>;
  checkpoints: readonly CheckpointRecord[];
  /**
   * Verify a continuation instead of a whole log: the entries must link to this already-verified entry
   * (the server's last acknowledged one). Checkpoints then count only for the entries given here.
   */
  after?: { seq: number; entryHash: string };
  /**
   * The entries' hashes (of entryPreimage), in entry order, when they were computed elsewhere: the server
   * hashes a whole-log re-check on a worker thread. Absent, each entry is hashed here.
   */
  computedHashes?: readonly string[];
}

/** Each checkpoint's signature verdict, checked ahead of the walk (see checkCheckpointSignatures). */
export type CheckpointSignatureVerdicts = ReadonlyMap<CheckpointRecord, boolean>;

function checkSignature<Verdict>(
  log: Pick<LogToVerify, 'benchId' | 'publicKey'>,
  checkpoint: CheckpointRecord,
  check: (message: Uint8Array, signature: Uint8Array | null, publicKey: Uint8Array) => Verdict,
): Verdict {
  // An undecodable key fails every check the same way a wrong one does.
  const publicKey = decodeBase64(log.publicKey) ?? new Uint8Array(0);
  return check(checkpointMessage(log.benchId, checkpoint.seq, checkpoint.entryHash, checkpoint.signedAt), decodeBase64(checkpoint.signature), publicKey);
}

/**
 * Checks the checkpoints' signatures in one call of `verify` (the central server passes its worker threads, so
 * its event loop does not spend its time on them); hand the verdicts to verifyIntegrityLog.
 */
export async function checkCheckpointSignatures(
  log: Pick<LogToVerify, 'benchId' | 'publicKey' | 'checkpoints'>,
  verify: VerifySignatures = verifyMany,
): Promise<CheckpointSignatureVerdicts> {
  const verdicts = await verify(log.checkpoints.map((checkpoint) => checkSignature(log, checkpoint, (message, signature, publicKey) => ({ message, signature, publicKey }))));
  return new Map(log.checkpoints.map((checkpoint, i) => [checkpoint, verdicts[i] === true]));
}

export function verifyIntegrityLog(log: LogToVerify, signatureVerdicts?: CheckpointSignatureVerdicts): LogVerdict {
  const checkpoints = [...log.checkpoints].sort((a, b) => a.seq - b.seq);
  const checkpointAt = new Map<number, CheckpointRecord>();
  for (const checkpoint of checkpoints) {
    if (!(signatureVerdicts?.get(checkpoint) ?? checkSignature(log, checkpoint, verifyDetached))) {
      return { ok: false, code: 'BAD_CHECKPOINT_SIGNATURE', seq: checkpoint.seq, reason: `the checkpoint at entry ${checkpoint.seq} is not signed by this bench's key` };
    }
    checkpointAt.set(checkpoint.seq, checkpoint);
  }

  let expectedSeq = (log.after?.seq ?? 0) + 1;
  let prevHash = log.after?.entryHash ?? GENESIS_HASH;
  let position = 0;
  for (const entry of log.entries) {
    const computedHash = log.computedHashes?.[position] ?? entryHash(entry);
    position += 1;
    if (entry.seq !== expectedSeq) {
      return entry.seq > expectedSeq
        ? { ok: false, code: 'ENTRY_MISSING', seq: expectedSeq, reason: `entry ${expectedSeq} is missing (the next stored entry is ${entry.seq})` }
        : { ok: false, code: 'CHAIN_BROKEN', seq: entry.seq, reason: `entry ${entry.seq} appears out of order after entry ${expectedSeq - 1}` };
    }
    if (entry.prevHash !== prevHash) {
      return { ok: false, code: 'CHAIN_BROKEN', seq: entry.seq, reason: `entry ${entry.seq} does not link to entry ${entry.seq - 1}` };
    }
    if (computedHash !== entry.entryHash) {
      return { ok: false, code: 'ENTRY_ALTERED', seq: entry.seq, reason: `entry ${entry.seq} (${entry.type}) was changed after it was written` };
    }
    const checkpoint = checkpointAt.get(entry.seq);
    if (checkpoint && checkpoint.entryHash !== entry.entryHash) {
      return { ok: false, code: 'CHECKPOINT_MISMATCH', seq: entry.seq, reason: `entry ${entry.seq} differs from the one the signed checkpoint sealed (the log was rewritten)` };
    }
    prevHash = entry.entryHash;
    expectedSeq += 1;
  }

  const entries = expectedSeq - 1;
  const sealedThrough = checkpoints.at(-1)?.seq ?? 0;
  const firstChecked = (log.after?.seq ?? 0) + 1;
  const unchecked = checkpoints.find((checkpoint) => checkpoint.seq < firstChecked);
  if (unchecked) {
    return { ok: false, code: 'CHECKPOINT_MISMATCH', seq: unchecked.seq, reason: `the checkpoint at entry ${unchecked.seq} seals an entry that is not in this part of the log` };
  }
  if (sealedThrough > entries) {
    return { ok: false, code: 'TRUNCATED', seq: entries + 1, reason: `a signed checkpoint seals entry ${sealedThrough}, but the log ends at entry ${entries}` };
  }
  return { ok: true, entries, headHash: prevHash, sealedThrough, unsealedEntries: entries - sealedThrough };
}
