/**
 * A bench's id: "bench-" and the first 16 hex digits of the SHA-256 of its Ed25519 public key. The bench
 * derives it at first start, the server checks it at enrolment, every API path and query names it, and
 * the signed documents addressed to one bench (directives, credit grants) carry it: one schema for all.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const benchIdSchema = z.string().regex(/^bench-[0-9a-f]{16}$/, 'expected a bench id like bench-0123456789abcdef');

/** First 16 hex digits of the public key's SHA-256, for reading aloud or comparing by eye. */
export function fingerprintOf(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}

export function benchIdOf(publicKey: Uint8Array): string {
  return `bench-${fingerprintOf(publicKey)}`;
}
