/**
 * The integrity log's wire format: how an entry is hashed and what a checkpoint signs. Shared by the
 * bench that writes the log and every verifier (support CLI, central server), so it lives in one place.
 */
import { hash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);
const ENTRY_DOMAIN = 'injbench-log/1';
const CHECKPOINT_DOMAIN = 'injbench/1:log-checkpoint:';

export interface HashedFields {
  seq: number;
  prevHash: string;
  recordedAt: string;
  type: string;
  payloadJson: string;
}

/**
 * The bytes an entry's hash covers: newline-separated with the payload last. No field but the payload may
 * hold a newline (types and times are validated), so the encoding is unambiguous.
 */
export function entryPreimage(fields: HashedFields): string {
  return `${ENTRY_DOMAIN}\n${fields.seq}\n${fields.prevHash}\n${fields.recordedAt}\n${fields.type}\n${fields.payloadJson}`;
}

export function entryHash(fields: HashedFields): string {
  // One-shot hash(): half the cost of a Hash object for inputs this small, paid for every entry the server ingests.
  return hash('sha256', entryPreimage(fields), 'hex');
}

export function checkpointMessage(benchId: string, seq: number, entryHashHex: string, signedAt: string): Uint8Array {
  return new TextEncoder().encode(`${CHECKPOINT_DOMAIN}${JSON.stringify({ benchId, seq, entryHash: entryHashHex, signedAt })}`);
}

export const ENTRY_TYPE_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;
