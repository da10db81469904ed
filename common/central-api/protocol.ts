/**
 * The wire protocol between a bench and the central server: request signing, and the zod schemas of
 * every body either side sends. One definition, imported by the bench's outbox and by the server, so the
 * two cannot drift apart.
 */
import { z } from 'zod';
import { sha256Hex } from '../../trust/crypto';
import { ENTRY_TYPE_PATTERN } from '../integrity-log/log-format';
import { benchIdSchema } from '../../trust/bench-id';
import { CREDIT_GRANT_MAX_BYTES } from '../../trust/credit-grant';


/** At most this many entries in one batch; the outbox also stays under MAX_BATCH_BYTES. */
export const MAX_BATCH_ENTRIES = 500;
/**
 * What a bench's outbox sends in one batch unless configured otherwise: the most the server takes. Every
 * request costs a signature, a round trip and a share of a commit whatever its size, so a bench catching up
 * after an outage needs fewer of them, and the server ingests ~15 % more entries per CPU second than with
 * batches of 200 (bench/server-ingest.ts --batch). A batch of coding-session entries is ~220 kB.
 */
export const DEFAULT_BATCH_ENTRIES = MAX_BATCH_ENTRIES;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** A request signed further than this from the server's clock is refused as stale. */
export const DEFAULT_CLOCK_SKEW_MS = 5 * 60 * 1000;

export const signatureHeaders = {
  bench: 'x-injbench-bench',
  time: 'x-injbench-time',
  nonce: 'x-injbench-nonce',
  signature: 'x-injbench-signature',
} as const;

const REQUEST_DOMAIN = 'injbench/1:request';

export interface SignedRequestFields {
  method: string;
  /** Path and query exactly as sent. */
  path: string;
  /** The body as sent: its UTF-8 text, or (the server) the exact bytes received. */
  body: string | Uint8Array;
  benchId: string;
  /** ISO 8601 time of signing. */
  time: string;
  nonce: string;
}

/** What the bench key signs: every part of the request that matters, so none can be swapped. */
export function requestSigningMessage(fields: SignedRequestFields): Uint8Array {
  return new TextEncoder().encode(
    [REQUEST_DOMAIN, fields.method.toUpperCase(), fields.path, sha256Hex(fields.body), fields.benchId, fields.time, fields.nonce].join('\n'),
  );
}

const hashHex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 hash in lower-case hex');
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64').max(256);
const isoTime = z.iso.datetime({ offset: true });
/**
 * A hash inside a log batch. The server recomputes every entry's hash and compares each link and checkpoint
 * with it (verify-log.ts), so a batch whose hashes are not the entries' SHA-256 in lower-case hex is refused
 * there, with the entry named; the schema only bounds the size. A regex per hash was 1 % of the server's
 * whole ingest CPU.
 */
const chainedHash = z.string().length(64);

export const logEntrySchema = z.strictObject({
  seq: z.int().min(1),
  prevHash: chainedHash,
  entryHash: chainedHash,
  recordedAt: isoTime,
  type: z.string().regex(ENTRY_TYPE_PATTERN, 'expected a lower-case dotted entry type'),
  payloadJson: z.string().max(256 * 1024),
});

export const checkpointSchema = z.strictObject({
  seq: z.int().min(1),
  entryHash: chainedHash,
  signedAt: isoTime,
  signature: base64,
});

export const logBatchSchema = z.strictObject({
  entries: z.array(logEntrySchema).min(1).max(MAX_BATCH_ENTRIES),
  checkpoints: z.array(checkpointSchema).max(MAX_BATCH_ENTRIES),
});
export type LogBatch = z.infer<typeof logBatchSchema>;

/** The server's answer to a stored batch. A re-sent batch gets exactly the same acknowledgement. */
export const logAckSchema = z.strictObject({
  benchId: benchIdSchema,
  throughSeq: z.int().min(1),
  throughHash: hashHex,
  checkpointsThrough: z.int().min(1).nullable(),
});
export type LogAck = z.infer<typeof logAckSchema>;

export const enrolRequestSchema = z.strictObject({
  code: z.string().min(8).max(128),
  benchId: benchIdSchema,
  publicKey: base64,
});
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

export const enrolResponseSchema = z.strictObject({
  benchId: benchIdSchema,
  enrolledAt: isoTime,
  /** The bench's first directive (signed bytes, base64) when the server already holds one for it. */
  directive: z.string().max(128 * 1024).nullable().optional(),
});
export type EnrolResponse = z.infer<typeof enrolResponseSchema>;

export const creditGrantsResponseSchema = z.strictObject({
  benchId: benchIdSchema,
  grants: z.array(z.strictObject({ grantId: z.string().min(1).max(128), grantBase64: z.string().max(Math.ceil(CREDIT_GRANT_MAX_BYTES / 3) * 4) })).max(10_000),
});
export type CreditGrantsResponse = z.infer<typeof creditGrantsResponseSchema>;

/** Error codes the server answers with; the bench and the CLI act on them by name. */
export const serverErrorCodes = [
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'UNKNOWN_BENCH',
  'BENCH_REVOKED',
  'BAD_SIGNATURE',
  'STALE_REQUEST',
  'REPLAYED_REQUEST',
  'ENROLMENT_CODE_UNKNOWN',
  'ENROLMENT_CODE_EXPIRED',
  'ENROLMENT_CODE_USED',
  'ALREADY_ENROLLED',
  'LOG_GAP',
  'LOG_FORK',
  'LOG_INVALID',
  'PROMOTION_GATED',
  // Distribution and credits
  'CONFLICT',
  'ROLLBACK',
  'HASH_MISMATCH',
  'METADATA_REFUSED',
  'UNTRUSTED_ROOT',
  'MISSING_PACK',
  'OVERSIZE',
  'NOT_CONFIGURED',
  // The server sheds load: try again after the Retry-After header's seconds.
  'OVERLOADED',
  'INTERNAL',
] as const;
export type ServerErrorCode = (typeof serverErrorCodes)[number];

export const errorEnvelopeSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.enum(serverErrorCodes), message: z.string() }),
});
