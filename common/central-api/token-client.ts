/** Calls to the central server's admin and support API with a bearer token, for the CLI and the demo. */
import { errorEnvelopeSchema } from './protocol';
import { isTrustError } from '../../trust/errors';
import { fetchWithinBounds } from '../../trust/http-source';
import { SyncError } from './client';

export const SERVER_TOKEN_ENV = 'INJBENCH_SERVER_TOKEN';

/** The admin API's answers (evidence pages, reports) fit in this; a larger body is not read. */
export const ADMIN_ANSWER_MAX_BYTES = 64 * 1024 * 1024;

/** A failed bounded request as the command line reports it: an answer over its cap, a stall or the network. */
export function syncErrorOf(error: unknown, url: URL): SyncError {
  if (isTrustError(error, 'OVERSIZE')) return new SyncError('BAD_RESPONSE', error.message, false);
  const message = error instanceof Error ? error.message : String(error);
  return new SyncError('NETWORK_ERROR', `Cannot reach the server at ${url.origin}: ${message}`, true);
}

function parsedJsonOrNull(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return null;
  }
}

export function serverTokenFromEnv(): string {
  const token = process.env[SERVER_TOKEN_ENV];
  if (!token) throw new SyncError('UNAUTHORIZED', `Set ${SERVER_TOKEN_ENV} to the server's admin or support token.`, false);
  return token;
}

export async function callServer(serverUrl: string, method: 'GET' | 'POST' | 'PUT', pathAndQuery: string, body?: unknown, options: { token?: string } = {}): Promise<unknown> {
  const url = new URL(pathAndQuery, serverUrl);
  const token = options.token ?? serverTokenFromEnv();
  let response: { status: number; ok: boolean; bytes: Buffer };
  try {
    response = await fetchWithinBounds(
      url,
      { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) },
      { maxBytes: ADMIN_ANSWER_MAX_BYTES, timeoutMs: 30_000 },
    );
  } catch (error) {
    throw syncErrorOf(error, url);
  }
  const payload = parsedJsonOrNull(response.bytes);
  if (!response.ok) {
    const envelope = errorEnvelopeSchema.safeParse(payload);
    if (envelope.success) throw new SyncError(envelope.data.error.code, envelope.data.error.message, false, response.status);
    throw new SyncError('BAD_RESPONSE', `The server answered ${response.status}.`, false, response.status);
  }
  return payload;
}
