import { createWriteStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { TrustError } from './errors';
import { byteCap, type MetadataSource } from './source';

const DEFAULT_TIMEOUT_MS = 15_000;
/** Attempts per download: the first request and up to three resumptions (or restarts). */
const DEFAULT_DOWNLOAD_ATTEMPTS = 4;
const RETRY_DELAY_MS = 250;

export interface HttpSourceOptions {
  /** Bound on one request, headers and body. */
  timeoutMs?: number;
  /** Requests per pack download, the first included (≥ 1). */
  downloadAttempts?: number;
  /** Pause before a resumption, times the attempt number. */
  retryDelayMs?: number;
  /** Told about each download request: the Range it asked for (null: the whole file) and the answer. */
  onDownloadRequest?: (event: { name: string; attempt: number; range: string | null; ifRange: string | null; status: number }) => void;
}

/** Failures a new request may cure: the connection, the timeout, a 5xx. OVERSIZE, NOT_FOUND and the like are final. */
function retryable(error: unknown): boolean {
  if (error instanceof TrustError) return error.code === 'UNREACHABLE';
  return true;
}

/** Only a strong validator may join two partial copies (RFC 9110 §13.1.5). */
const strongEtag = (value: string | null): string | null => (value && !value.startsWith('W/') ? value : null);

/** `bytes start-end/total` of a 206 answer. */
function contentRange(value: string | null): { start: number; end: number; total: number } | null {
  const match = value ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value) : null;
  return match ? { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) } : null;
}

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
 * whole request (headers and body) is bounded by one timeout. A pack download cut short (connection lost,
 * timeout, 5xx) resumes where it stopped: the next request asks for the remainder only (Range) and only if
 * the server still has the same bytes (If-Range with the first answer's strong ETag); a 200 instead of 206
 * means the file changed or the server ignores ranges, and the download starts again from zero. Attempts
 * are bounded. The caller verifies the whole pack's hash afterwards, as for any download.
 */
export function httpSource(baseUrl: string, options: HttpSourceOptions = {}): MetadataSource {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const attempts = Math.max(1, options.downloadAttempts ?? DEFAULT_DOWNLOAD_ATTEMPTS);
  const retryDelayMs = options.retryDelayMs ?? RETRY_DELAY_MS;
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  async function get(name: string, maxBytes: number, headers: Record<string, string> = {}): Promise<Response | null> {
    const response = await fetch(new URL(name, base), { signal: AbortSignal.timeout(timeoutMs), redirect: 'error', headers });
    if (response.status === 404) {
      // An unread body holds the connection open; "missing" needs none of it.
      await response.body?.cancel();
      return null;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new TrustError('UNREACHABLE', `${name}: HTTP ${response.status}.`);
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await response.body.cancel();
      throw new TrustError('OVERSIZE', `${name} is ${declared} bytes, over the ${maxBytes}-byte cap.`);
    }
    return response;
  }

  /**
   * One request of a download into `destination`: the remainder from `copy.bytes` on when the copy has a
   * validator to resume against, else the whole file. `copy.etag` is the validator of the bytes on disk,
   * set as soon as a 200's headers arrive, so a body cut short leaves what the next attempt needs.
   */
  async function downloadOnce(name: string, maxBytes: number, destination: string, copy: { etag: string | null; bytes: number }, attempt: number): Promise<void> {
    const resumeFrom = copy.etag && copy.bytes > 0 && copy.bytes < maxBytes ? copy.bytes : 0;
    const headers: Record<string, string> = resumeFrom > 0 && copy.etag ? { range: `bytes=${resumeFrom}-`, 'if-range': copy.etag } : {};
    const report = (status: number): void => options.onDownloadRequest?.({ name, attempt, range: headers.range ?? null, ifRange: headers['if-range'] ?? null, status });
    let response: Response | null;
    try {
      response = await get(name, maxBytes, headers);
    } catch (error) {
      const status = Number((error instanceof TrustError ? /HTTP (\d+)/.exec(error.message)?.[1] : undefined) ?? 0);
      report(status);
      // 416: the server's file is shorter than the copy; the next attempt starts over.
      if (status === 416) copy.etag = null;
      throw error;
    }
    report(response?.status ?? 404);
    if (!response?.body) throw new TrustError('NOT_FOUND', `${name} is missing from ${base}.`);
    const etag = strongEtag(response.headers.get('etag'));
    let append = false;
    if (resumeFrom > 0 && response.status === 206) {
      const range = contentRange(response.headers.get('content-range'));
      if (!range || range.start !== resumeFrom || range.total > maxBytes || etag !== copy.etag) {
        await response.body.cancel();
        copy.etag = null; // the next attempt starts over
        throw new TrustError('UNREACHABLE', `${name}: the server answered the resumption with ${response.headers.get('content-range') ?? 'no Content-Range'}, not the bytes from ${resumeFrom} on.`);
      }
      append = true;
    } else {
      // A 200 (first request, the file changed, or ranges ignored): the copy starts again from zero.
      copy.etag = etag;
      copy.bytes = 0;
    }
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      byteCap(maxBytes - (append ? resumeFrom : 0), name),
      createWriteStream(destination, { mode: 0o600, flags: append ? 'a' : 'w' }),
    );
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
        const copy = { etag: null as string | null, bytes: 0 };
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await downloadOnce(name, maxBytes, destination, copy, attempt);
          } catch (error) {
            if (!retryable(error) || attempt >= attempts) throw error;
          }
          // What the cut request left on disk (the pipeline has closed the file) is where the next one resumes.
          try {
            copy.bytes = statSync(destination).size;
          } catch {
            copy.bytes = 0;
          }
          await new Promise((resolve) => setTimeout(resolve, retryDelayMs * attempt));
        }
      }),
  };
}
