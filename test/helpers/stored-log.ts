/**
 * A bench with a long, validly chained and signed log in the server's database, written straight through the
 * repository's append (the path a verified batch takes) without HTTP or verification: a million entries in
 * seconds, for support-read tests and bench/support-page.ts. Free of Vitest, so benchmarks use it too.
 */
import { randomBytes } from 'node:crypto';
import { GENESIS_HASH, checkpointMessage, entryHash } from '../../common/integrity-log/log-format';
import type { CheckpointRecord, LogEntryRecord } from '../../common/integrity-log/records';
import type { ServerRepository } from '../../server/store/server-repository';
import { benchIdOf } from '../../trust/bench-id';
import { encodeBase64, generateKeyPair, signDetached } from '../../trust/ed25519';

const APPEND_ENTRIES = 5000;

export interface StoredLog {
  benchId: string;
  publicKey: string;
  /** The entries' hashes by seq (index 0 is seq 1). */
  hashes: string[];
}

/** Enrols a new bench and stores `entries` entries, a signed checkpoint every `sealEvery` (the tail after the last one unsealed). */
export async function storeValidLog(repository: ServerRepository, options: { entries: number; sealEvery: number }): Promise<StoredLog> {
  const keys = generateKeyPair();
  const benchId = benchIdOf(keys.publicKey);
  const publicKey = encodeBase64(keys.publicKey);
  const now = new Date().toISOString();
  const codeHash = randomBytes(32).toString('hex');
  await repository.addEnrolmentCode({ codeHash, createdAt: now, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), note: null });
  await repository.enrol({ codeHash, benchId, publicKey, now });
  const hashes: string[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  let sealedThrough = 0;
  for (let from = 1; from <= options.entries; from += APPEND_ENTRIES) {
    const entries: LogEntryRecord[] = [];
    const checkpoints: CheckpointRecord[] = [];
    let prevHash = head.hash;
    for (let seq = from; seq < Math.min(options.entries + 1, from + APPEND_ENTRIES); seq += 1) {
      const fields = { seq, prevHash, recordedAt: new Date(Date.UTC(2026, 10, 22) + seq).toISOString(), type: 'bench.note', payloadJson: JSON.stringify({ n: seq, note: 'injector coded within band' }) };
      const hash = entryHash(fields);
      entries.push({ ...fields, entryHash: hash });
      hashes.push(hash);
      if (seq % options.sealEvery === 0) {
        checkpoints.push({ seq, entryHash: hash, signedAt: fields.recordedAt, signature: encodeBase64(signDetached(checkpointMessage(benchId, seq, hash, fields.recordedAt), keys.secretKey)) });
        sealedThrough = seq;
      }
      prevHash = hash;
    }
    const last = entries.at(-1) as LogEntryRecord;
    const outcome = await repository.appendLogBatch(benchId, randomBytes(12).toString('base64url'), {
      expectedHead: head,
      head: { seq: last.seq, hash: last.entryHash, sealedThrough },
      entries,
      checkpoints,
      receivedAt: now,
    });
    if (outcome !== 'appended') throw new Error(`storing the log: ${outcome}`);
    head = { seq: last.seq, hash: last.entryHash };
  }
  return { benchId, publicKey, hashes };
}
