import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server';

/** What the proxy does with one request: pass it on, fail it, never answer, or pass it on and lose the answer. */
export type Fault = 'forward' | '503' | 'hang' | 'lose-answer';

export interface FaultProxy {
  url: string;
  /** Faults seen so far, in order. */
  readonly seen: Fault[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of the central server that applies `faults` to successive requests
 * (then forwards everything). 'lose-answer' lets the server commit and drops its acknowledgement.
 */
export function startFaultProxy(upstream: string, faults: Fault[]): Promise<FaultProxy> {
  const queue = [...faults];
  const seen: Fault[] = [];
  const hanging: ServerResponse[] = [];
  const forward = async (request: IncomingMessage, body: Buffer): Promise<{ status: number; body: string }> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
    const response = await fetch(new URL(request.url ?? '/', upstream), { method: request.method, headers, body: body.length > 0 ? new Uint8Array(body) : undefined });
    return { status: response.status, body: await response.text() };
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const fault = queue.shift() ?? 'forward';
      seen.push(fault);
      const body = Buffer.concat(chunks);
      if (fault === 'hang') return void hanging.push(response);
      if (fault === '503') return void response.writeHead(503, { 'content-type': 'text/plain' }).end('upstream unavailable');
      forward(request, body).then(
        (answer) => {
          if (fault === 'lose-answer') return void response.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
          response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
        },
        () => response.writeHead(502).end(),
      );
    });
  });
  return listenOnLoopback(server, () => {
    for (const response of hanging) response.destroy();
  }).then((listening) => ({ ...listening, seen }));
}
