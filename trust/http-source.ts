import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { TrustError } from './errors';
import { byteCap, type MetadataSource } from './source';

const DEFAULT_TIMEOUT_MS = 15_000;

/** Network failures (refused, reset, timeout, body cut short) become UNREACHABLE; typed errors pass through. */
async function typed<T>(name: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof TrustError) throw error;
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new TrustError('UNREACHABLE', `${name}: ${error instanceof Error ? error.message : String(error)}${cause}.`, { cause: error });
  }
}

/**
 * A repository served over HTTP(S): 404 is "missing", every body is capped while it streams, and the
 * whole request (headers and body) is bounded by one timeout.
 */
export function httpSource(baseUrl: string, options: { timeoutMs?: number } = {}): MetadataSource {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  async function get(name: string, maxBytes: number): Promise<Response | null> {
    const response = await fetch(new URL(name, base), { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (response.status === 404) return null;
    if (!response.ok || !response.body) throw new TrustError('UNREACHABLE', `${name}: HTTP ${response.status}.`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await response.body.cancel();
      throw new TrustError('OVERSIZE', `${name} is ${declared} bytes, over the ${maxBytes}-byte cap.`);
    }
    return response;
  }
  return {
    describe: () => base,
    read: (name, maxBytes) =>
      typed(name, async () => {
        const response = await get(name, maxBytes);
        if (!response?.body) return null;
        const chunks: Buffer[] = [];
        let total = 0;
        for await (const chunk of Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)) {
          total += (chunk as Buffer).length;
          if (total > maxBytes) throw new TrustError('OVERSIZE', `${name} exceeds its ${maxBytes}-byte cap.`);
          chunks.push(chunk as Buffer);
        }
        return Buffer.concat(chunks);
      }),
    download: (name, maxBytes, destination) =>
      typed(name, async () => {
        const response = await get(name, maxBytes);
        if (!response?.body) throw new TrustError('NOT_FOUND', `${name} is missing from ${base}.`);
        await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), byteCap(maxBytes, name), createWriteStream(destination, { mode: 0o600 }));
      }),
  };
}
