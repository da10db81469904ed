/**
 * The bench's HTTP client for the central server: every request signed with the bench key, every answer
 * checked against the protocol's schemas, every failure a SyncError that says whether a retry can help.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { encodeBase64 } from '../../trust/ed25519';
import { isTrustError } from '../../trust/errors';
import { RequestDeadline, readCappedBody } from '../../trust/http-source';
import { errorEnvelopeSchema, requestSigningMessage, signatureHeaders, type ServerErrorCode } from './protocol';

/** Refusals that a later attempt of the same request cannot turn into success. */
const finalRefusals: ReadonlySet<string> = new Set<ServerErrorCode>([
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'UNKNOWN_BENCH',
  'BENCH_REVOKED',
  'BAD_SIGNATURE',
  'ENROLMENT_CODE_UNKNOWN',
  'ENROLMENT_CODE_EXPIRED',
  'ENROLMENT_CODE_USED',
  'ALREADY_ENROLLED',
  'LOG_GAP',
  'LOG_FORK',
  'LOG_INVALID',
]);

export type SyncErrorCode = ServerErrorCode | 'NETWORK_ERROR' | 'TIMEOUT' | 'BAD_RESPONSE' | 'NOT_ENROLLED';

export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    /** True when the same request may succeed later (network, timeout, 5xx, clock, replay). */
    readonly retryable: boolean,
    readonly httpStatus?: number,
    /** How long the server asked the caller to wait before sending again (429/503 Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

/** An answer of the protocol (an ack, a page of grants) fits well under this; a larger body is not read. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/** Longest wait a Retry-After may impose: a server (or a proxy) cannot park a bench's outbox for hours. */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** Retry-After as delta seconds or an HTTP date (RFC 9110 10.2.3), in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date = new Date()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now.getTime();
  return Number.isFinite(ms) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms)) : undefined;
}

/**
 * How long to wait before the next attempt: what the server asked for (Retry-After) plus jitter up to as much
 * again, so a shed fleet does not come back in step; otherwise full jitter under an exponentially growing
 * ceiling (failuresInARow counts from 1).
 */
export function retryDelayMs(error: SyncError | null, failuresInARow: number, policy: { baseDelayMs: number; maxDelayMs: number }, random: () => number = Math.random): number {
  if (error?.retryAfterMs !== undefined) return Math.max(policy.baseDelayMs, error.retryAfterMs) * (1 + random());
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failuresInARow - 1));
  return Math.floor(random() * ceiling);
}

/** The bench's side of a signed request: its id and its Ed25519 key (which never leaves the bench). */
export interface RequestSigner {
  readonly benchId: string;
  sign(message: Uint8Array): Uint8Array;
}

export interface SignedRequest<T> {
  serverUrl: string;
  identity: RequestSigner;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** The body already serialized as JSON, as text or its UTF-8 bytes, instead of `body` (a caller sending the same batch again). */
  bodyJson?: string | Buffer<ArrayBuffer>;
  responseSchema: z.ZodType<T>;
  timeoutMs: number;
  /** Cap on the answer's (decoded) body; DEFAULT_MAX_RESPONSE_BYTES when absent. */
  maxResponseBytes?: number;
  now?: () => Date;
}

export async function sendSignedRequest<T>(request: SignedRequest<T>): Promise<T> {
  const json = request.bodyJson ?? (request.body === undefined ? '' : JSON.stringify(request.body));
  // Encoded once: the same bytes are hashed for the signature and sent (a batch is ~100 kB of JSON).
  const body = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  const time = (request.now ?? (() => new Date()))().toISOString();
  const nonce = randomBytes(18).toString('base64url');
  const signature = request.identity.sign(
    requestSigningMessage({ method: request.method, path: request.path, body, benchId: request.identity.benchId, time, nonce }),
  );
  const headers: Record<string, string> = {
    [signatureHeaders.bench]: request.identity.benchId,
    [signatureHeaders.time]: time,
    [signatureHeaders.nonce]: nonce,
    [signatureHeaders.signature]: encodeBase64(signature),
  };
  if (body.length > 0) headers['content-type'] = 'application/json';
  const url = new URL(request.path, request.serverUrl);
  const maxResponseBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  // Its own timers, bound to the body too (RequestDeadline): a fetch signal alone stops reaching a stalled body after a GC.
  const deadline = new RequestDeadline(`${url.origin}${request.path}`, request.timeoutMs, maxResponseBytes);
  let response: Response;
  let payload: unknown;
  try {
    try {
      response = await fetch(url, { method: request.method, headers, body: body.length > 0 ? body : undefined, signal: deadline.signal });
    } catch (error) {
      if (deadline.signal.aborted) throw new SyncError('TIMEOUT', `The server at ${url.origin} did not answer within ${request.timeoutMs} ms.`, true);
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      throw new SyncError('NETWORK_ERROR', `Cannot reach the server at ${url.origin}: ${cause}.`, true);
    }
    try {
      payload = JSON.parse((await readCappedBody(response, maxResponseBytes, `The server's answer to ${request.path}`, deadline)).toString('utf8'));
    } catch (error) {
      // An answer over the cap (an endless or bloated body) is refused, never read into memory whole.
      if (isTrustError(error, 'OVERSIZE')) throw new SyncError('BAD_RESPONSE', error.message, false, response.status);
      if (deadline.signal.aborted) throw new SyncError('TIMEOUT', `The server at ${url.origin} stopped sending its answer (${(deadline.signal.reason as Error).message})`, true);
      throw new SyncError('BAD_RESPONSE', `The server answered ${response.status} without a JSON body.`, response.status >= 500, response.status);
    }
  } finally {
    deadline.done();
  }
  if (!response.ok) {
    const envelope = errorEnvelopeSchema.safeParse(payload);
    if (!envelope.success) throw new SyncError('BAD_RESPONSE', `The server answered ${response.status} with an unexpected body.`, response.status >= 500, response.status);
    const { code, message } = envelope.data.error;
    const wait = response.status === 429 || response.status === 503 ? retryAfterMs(response.headers.get('retry-after')) : undefined;
    throw new SyncError(code, message, response.status >= 500 || response.status === 429 || !finalRefusals.has(code), response.status, wait);
  }
  const parsed = request.responseSchema.safeParse(payload);
  if (!parsed.success) throw new SyncError('BAD_RESPONSE', `The server's answer to ${request.path} does not match the protocol.`, false, response.status);
  return parsed.data;
}
