import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server';

/** What the proxy does to the n-th request whose path matches: cut its answer after `cutAfterBytes`, or swap its If-Range. */
export interface CutRule {
  cutAfterBytes?: number;
  /** Sends this If-Range instead of the client's (as if the server's file had changed since). */
  ifRange?: string;
}

export interface ProxiedRequest {
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  /** Body bytes the proxy passed on before it finished or cut the connection. */
  bytesSent: number;
  cut: boolean;
}

export interface CuttingProxy {
  url: string;
  /** The requests whose path ends with the watched suffix, in order. */
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * A streaming HTTP proxy on 127.0.0.1 in front of a real server. Requests whose path ends with `watch` get
 * `rules[n]` (n-th such request): the answer is passed on byte for byte and, with `cutAfterBytes`, the socket
 * is destroyed after that many body bytes, the way a dropped connection ends a download mid-file.
 */
export function startCuttingProxy(upstream: string, watch: string, rules: CutRule[]): Promise<CuttingProxy> {
  const requests: ProxiedRequest[] = [];
  const target = new URL(upstream);
  const server = http.createServer((request: IncomingMessage, response: ServerResponse) => {
    const watched = (request.url ?? '').endsWith(watch);
    const rule = watched ? (rules[requests.length] ?? {}) : {};
    const headers: http.OutgoingHttpHeaders = { ...request.headers, host: target.host };
    if (rule.ifRange !== undefined && headers['if-range'] !== undefined) headers['if-range'] = rule.ifRange;
    const record: ProxiedRequest | null = watched
      ? { path: request.url ?? '', range: (headers.range as string | undefined) ?? null, ifRange: (headers['if-range'] as string | undefined) ?? null, status: 0, bytesSent: 0, cut: false }
      : null;
    if (record) requests.push(record);
    const upstreamRequest = http.request({ host: target.hostname, port: target.port, method: request.method, path: request.url, headers }, (answer) => {
      if (record) record.status = answer.statusCode ?? 0;
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on('data', (chunk: Buffer) => {
        if (record?.cut) return;
        const limit = rule.cutAfterBytes;
        if (record && limit !== undefined && record.bytesSent + chunk.length >= limit) {
          const part = chunk.subarray(0, limit - record.bytesSent);
          record.bytesSent += part.length;
          record.cut = true;
          answer.destroy();
          // Let the bytes before the cut reach the client, then drop the connection without ending the body.
          response.write(part, () => setTimeout(() => response.socket?.destroy(), 50));
          return;
        }
        if (record) record.bytesSent += chunk.length;
        response.write(chunk);
      });
      answer.on('end', () => {
        if (!record?.cut) response.end();
      });
    });
    upstreamRequest.on('error', () => response.destroy());
    request.pipe(upstreamRequest);
  });
  return listenOnLoopback(server).then((listening) => ({ ...listening, requests }));
}
