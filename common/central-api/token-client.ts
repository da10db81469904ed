/** Calls to the central server's admin and support API with a bearer token, for the CLI and the demo. */
import { errorEnvelopeSchema } from './protocol';
import { SyncError } from './client';

export const SERVER_TOKEN_ENV = 'INJBENCH_SERVER_TOKEN';

export function serverTokenFromEnv(): string {
  const token = process.env[SERVER_TOKEN_ENV];
  if (!token) throw new SyncError('UNAUTHORIZED', `Set ${SERVER_TOKEN_ENV} to the server's admin or support token.`, false);
  return token;
}

export async function callServer(serverUrl: string, method: 'GET' | 'POST' | 'PUT', pathAndQuery: string, body?: unknown, options: { token?: string } = {}): Promise<unknown> {
  const url = new URL(pathAndQuery, serverUrl);
  const token = options.token ?? serverTokenFromEnv();
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new SyncError('NETWORK_ERROR', `Cannot reach the server at ${url.origin}: ${cause}.`, true);
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const envelope = errorEnvelopeSchema.safeParse(payload);
    if (envelope.success) throw new SyncError(envelope.data.error.code, envelope.data.error.message, false, response.status);
    throw new SyncError('BAD_RESPONSE', `The server answered ${response.status}.`, false, response.status);
  }
  return payload;
}
