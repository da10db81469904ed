import { createWriteStream, statSync } from 'node:fs';
import { Readable, addAbortSignal } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { TrustError } from './errors';
import { byteCap, type MetadataSource } from './source';

const DEFAULT_TIMEOUT_MS = 15_000;
/** Attempts per download: the first request and up to three resumptions (or restarts). */
const DEFAULT_DOWNLOAD_ATTEMPTS = 4;
const RETRY_DELAY_MS = 250;

export interface HttpSourceOptions {
  /** How long one request may send nothing (headers, or the body mid-way); the whole is bounded too (RequestDeadline). */
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
 * The slowest transfer a download may keep going at: the overall bound of a request grows with its cap at this
 * rate. 32 KiB/s is a workshop on a poor mobile link (256 kbit/s); a server that drips slower than that only
 * delays the bench, which the idle bound and the resumed attempts already limit.
 */
const MIN_BYTES_PER_SECOND = 32 * 1024;

/**
 * The time bounds of one request, headers and body: nothing may arrive for `idleMs` (a server that stalls
 * mid-body) and the whole may not take longer than twice idleMs plus maxBytes at MIN_BYTES_PER_SECOND (a server
 * that drips). Its own timers, held until `done()`, and its own hold on the body (`bind`): with
 * AbortSignal.timeout() passed to fetch, a body that stalled after the headers hung the command for good
 * once a garbage collection had run (see `bind`).
 */
export class RequestDeadline {
  private readonly controller = new AbortController();
  private readonly overall: NodeJS.Timeout;
  private idle: NodeJS.Timeout;

  constructor(
    private readonly what: string,
    private readonly idleMs: number,
    maxBytes: number,
  ) {
    // Twice the idle bound, so a stall is reported as one, plus the time the cap takes at the slowest rate.
    const overallMs = 2 * idleMs + Math.ceil((maxBytes / MIN_BYTES_PER_SECOND) * 1000);
    this.overall = setTimeout(() => this.abort(`did not finish within ${overallMs} ms`), overallMs);
    this.idle = setTimeout(() => this.abort(`sent nothing for ${idleMs} ms`), idleMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * The body stream ends with the deadline. fetch's own signal is not enough here either: undici passes an
   * abort on to a request only through a WeakRef, so once fetch has resolved and its Request object is
   * collected, aborting no longer reaches the body, and a stalled body hung (intermittently, after a GC).
   */
  bind(body: Readable): void {
    addAbortSignal(this.controller.signal, body);
  }

  /** Bytes arrived: the idle bound starts again. */
  touch(): void {
    this.idle.refresh();
  }

  done(): void {
    clearTimeout(this.overall);
    clearTimeout(this.idle);
  }

  private abort(reason: string): void {
    this.controller.abort(new TrustError('UNREACHABLE', `${this.what}: the server ${reason}.`));
  }
}

/** Runs one request under a RequestDeadline, cleared when the request (body included) is over. */
export async function withDeadline<T>(what: string, idleMs: number, maxBytes: number, action: (deadline: RequestDeadline) => Promise<T>): Promise<T> {
  const deadline = new RequestDeadline(what, idleMs, maxBytes);
  try {
    return await action(deadline);
  } catch (error) {
    // fetch and the body stream reject with the abort's reason, or with an AbortError wrapping it.
    const reason: unknown = deadline.signal.aborted ? deadline.signal.reason : undefined;
    throw reason instanceof TrustError ? reason : error;
  } finally {
    deadline.done();
  }
}

/**
 * A response body read whole but never past maxBytes: a Content-Length over the cap is OVERSIZE before the
 * first byte, a body without one (chunked, endless) is counted while it streams and cut at the cap. What
 * arrives is the decoded body (a Content-Encoding is undone first), so a compression bomb stops at the cap too.
 */
export async function readCappedBody(response: Response, maxBytes: number, what: string, deadline?: RequestDeadline): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body.cancel();
    throw new TrustError('OVERSIZE', `${what} is ${declared} bytes, over the ${maxBytes}-byte cap.`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  if (deadline) deadline.bind(body);
  for await (const chunk of body) {
    deadline?.touch();
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw new TrustError('OVERSIZE', `${what} exceeds its ${maxBytes}-byte cap.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * One request whose answer is read whole under the same bounds as the repository's: a RequestDeadline for
 * the headers and the body, and at most maxBytes of body (readCappedBody). For the command line's calls to
 * the central server (admin, support, release tools). Throws TrustError: UNREACHABLE (network, deadline),
 * OVERSIZE (answer over the cap).
 */
export async function fetchWithinBounds(url: URL, init: Omit<RequestInit, 'signal'>, bounds: { maxBytes: number; timeoutMs: number }): Promise<{ status: number; ok: boolean; bytes: Buffer }> {
  const what = `${url.origin}${url.pathname}`;
  return typed(what, () =>
    withDeadline(what, bounds.timeoutMs, bounds.maxBytes, async (deadline) => {
      const response = await fetch(url, { ...init, signal: deadline.signal });
      return { status: response.status, ok: response.ok, bytes: await readCappedBody(response, bounds.maxBytes, `the answer from ${what}`, deadline) };
    }),
  );
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
  async function get(name: string, maxBytes: number, deadline: RequestDeadline, headers: Record<string, string> = {}): Promise<Response | null> {
    const response = await fetch(new URL(name, base), { signal: deadline.signal, redirect: 'error', headers });
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
  async function downloadOnce(name: string, maxBytes: number, destination: string, copy: { etag: string | null; bytes: number }, attempt: number, deadline: RequestDeadline): Promise<void> {
    const resumeFrom = copy.etag && copy.bytes > 0 && copy.bytes < maxBytes ? copy.bytes : 0;
    const headers: Record<string, string> = resumeFrom > 0 && copy.etag ? { range: `bytes=${resumeFrom}-`, 'if-range': copy.etag } : {};
    const report = (status: number): void => options.onDownloadRequest?.({ name, attempt, range: headers.range ?? null, ifRange: headers['if-range'] ?? null, status });
    let response: Response | null;
    try {
      response = await get(name, maxBytes, deadline, headers);
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
    const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
    deadline.bind(body);
    await pipeline(
      body,
      byteCap(maxBytes - (append ? resumeFrom : 0), name, () => deadline.touch()),
      createWriteStream(destination, { mode: 0o600, flags: append ? 'a' : 'w' }),
    );
  }

  return {
    describe: () => base,
    read: (name, maxBytes) =>
      typed(name, () =>
        withDeadline(name, timeoutMs, maxBytes, async (deadline) => {
          const response = await get(name, maxBytes, deadline);
          if (!response?.body) return null;
          return readCappedBody(response, maxBytes, name, deadline);
        }),
      ),
    download: (name, maxBytes, destination) =>
      typed(name, async () => {
        const copy = { etag: null as string | null, bytes: 0 };
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await withDeadline(name, timeoutMs, maxBytes, (deadline) => downloadOnce(name, maxBytes, destination, copy, attempt, deadline));
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
