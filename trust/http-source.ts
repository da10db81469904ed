import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { TrustError } from './errors';
import { byteCap, type MetadataSource } from './source';

const TIMEOUT_MS = 15_000;

/** A repository served over HTTP(S): 404 is "missing", every body is capped while it streams. */
export function httpSource(baseUrl: string): MetadataSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  async function get(name: string, maxBytes: number): Promise<Response | null> {
    let response: Response;
    try {
      response = await fetch(new URL(name, base), { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    } catch (error) {
      throw new TrustError('NOT_FOUND', `${name}: ${error instanceof Error ? error.message : String(error)}.`);
    }
    if (response.status === 404) return null;
    if (!response.ok || !response.body) throw new TrustError('NOT_FOUND', `${name}: HTTP ${response.status}.`);
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await response.body.cancel();
      throw new TrustError('OVERSIZE', `${name} is ${declared} bytes, over the ${maxBytes}-byte cap.`);
    }
    return response;
  }
  return {
    describe: () => base,
    async read(name, maxBytes) {
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
    },
    async download(name, maxBytes, destination) {
      const response = await get(name, maxBytes);
      if (!response?.body) throw new TrustError('NOT_FOUND', `${name} is missing from ${base}.`);
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), byteCap(maxBytes, name), createWriteStream(destination, { mode: 0o600 }));
    },
  };
}
