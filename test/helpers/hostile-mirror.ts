import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server';

/**
 * What the mirror answers for one repository path instead of the upstream's bytes: 404, a body that never
 * ends (chunked, no length), given bytes, or the upstream's bytes trickled out `bytesPerTick` every `tickMs`.
 */
export type MirrorAnswer =
  | { kind: 'not-found' }
  | { kind: 'endless' }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'slow'; bytesPerTick: number; tickMs: number }
  /** A 302 to `location` (another host, a file: URL). */
  | { kind: 'redirect'; location: string }
  /** The upstream's headers and the first `bytes` of its body, then nothing: the connection stays open. */
  | { kind: 'stall'; bytes: number }
  /** `Content-Encoding: gzip` over these (small) compressed bytes, which decompress to far more. */
  | { kind: 'gzip'; compressed: Uint8Array };

export interface HostileMirror {
  /** The repository base URL benches are pointed at. */
  url: string;
  /** Repository paths requested so far, in order. */
  readonly requested: string[];
  /** Body bytes written per path (for endless and slow answers: how far the client let it go). */
  readonly bytesSent: Map<string, number>;
  /** Called when a request for `path` arrives (the kill loop times its kills from a pack request). */
  onRequest: ((path: string) => void) | null;
  answer(path: string, answer: MirrorAnswer | null): void;
  /** Back to passing everything through. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * An attacker between benches and the central server (or a compromised mirror), on 127.0.0.1: it passes
 * the real server's answers through and replaces those of the paths it was told to.
 */
export async function startHostileMirror(upstreamRepositoryUrl: string): Promise<HostileMirror> {
  const answers = new Map<string, MirrorAnswer>();
  const requested: string[] = [];
  const bytesSent = new Map<string, number>();
  const open = new Set<ServerResponse>();
  const count = (name: string, bytes: number): void => void bytesSent.set(name, (bytesSent.get(name) ?? 0) + bytes);
  const mirror: Pick<HostileMirror, 'onRequest'> = { onRequest: null };

  const server = http.createServer((request: IncomingMessage, response: ServerResponse) => {
    const name = (request.url ?? '/').replace(/^\/repo\//, '');
    requested.push(name);
    mirror.onRequest?.(name);
    open.add(response);
    response.once('close', () => open.delete(response));
    const answer = answers.get(name);
    if (answer?.kind === 'not-found') return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    if (answer?.kind === 'bytes') {
      count(name, answer.bytes.length);
      return void response.writeHead(200, { 'content-length': String(answer.bytes.length) }).end(answer.bytes);
    }
    if (answer?.kind === 'redirect') return void response.writeHead(302, { location: answer.location }).end();
    if (answer?.kind === 'gzip') {
      count(name, answer.compressed.length);
      return void response.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(answer.compressed.length) }).end(answer.compressed);
    }
    if (answer?.kind === 'endless') {
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (!response.destroyed && response.write(chunk)) count(name, chunk.length);
        if (!response.destroyed) response.once('drain', pump);
      };
      return pump();
    }
    void fetch(new URL(name, upstreamRepositoryUrl), { redirect: 'manual' }).then(
      async (upstream) => {
        const body = Buffer.from(await upstream.arrayBuffer());
        if (answer?.kind === 'stall') {
          count(name, Math.min(answer.bytes, body.length));
          return void response.writeHead(upstream.status, { 'content-length': String(body.length) }).write(body.subarray(0, answer.bytes));
        }
        if (answer?.kind !== 'slow') {
          count(name, body.length);
          return void response.writeHead(upstream.status, { 'content-length': String(body.length) }).end(body);
        }
        response.writeHead(upstream.status, { 'content-length': String(body.length) });
        let offset = 0;
        const timer = setInterval(() => {
          if (response.destroyed || offset >= body.length) return void clearInterval(timer);
          const next = body.subarray(offset, offset + answer.bytesPerTick);
          offset += next.length;
          count(name, next.length);
          if (offset >= body.length) response.end(next);
          else response.write(next);
        }, answer.tickMs);
      },
      () => response.writeHead(502).end(),
    );
  });
  const listening = await listenOnLoopback(server, () => {
    for (const response of open) response.destroy();
  });
  return {
    url: `${listening.url}/repo/`,
    requested,
    bytesSent,
    get onRequest() {
      return mirror.onRequest;
    },
    set onRequest(value) {
      mirror.onRequest = value;
    },
    answer: (name, answer) => void (answer ? answers.set(name, answer) : answers.delete(name)),
    reset: () => {
      answers.clear();
      mirror.onRequest = null;
    },
    close: listening.close,
  };
}
