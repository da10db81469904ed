/**
 * Workspace mode: the bench services and the renderer bundle served to a browser on 127.0.0.1.
 * Every request needs the per-launch token (query on first load, then an HttpOnly cookie, or a bearer
 * header); Host and Origin are checked so no other page or rebinding DNS name can drive the bench.
 */
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { BenchEventMessage } from '../contract/bench-api';
import { fail } from '../contract/envelope';
import type { BenchServices } from '../services/bench-services';
import type { Logger } from '../../common/logger';
import { contentSecurityPolicy } from '../services/security/content-security-policy';

export const WORKSPACE_BRIDGE_PATH = '/workspace-bridge.js';
export const WORKSPACE_EVENTS_PATH = '/api/events';
const MAX_BODY_BYTES = 1024 * 1024;

export interface WorkspaceHostOptions {
  services: Pick<BenchServices, 'dispatch' | 'events'>;
  /** Built renderer (index.html and assets). */
  rendererDir: string;
  /** Built browser bridge that installs window.bench over HTTP and WebSocket. */
  bridgeFile: string;
  logger: Logger;
  port?: number;
  /** Fixed token for tests; a fresh random one per launch otherwise. */
  token?: string;
}

export interface WorkspaceHost {
  /** Opening this URL in a browser signs the browser in (the token is in it). */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export async function startWorkspaceHost(options: WorkspaceHostOptions): Promise<WorkspaceHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  const tokenMatches = (candidate: unknown): boolean =>
    typeof candidate === 'string' && candidate.length > 0 && timingSafeEqual(digest(candidate), tokenDigest);

  const indexHtml = await readFile(path.join(options.rendererDir, 'index.html'), 'utf8');
  const bridgeSource = await readFile(options.bridgeFile, 'utf8');
  // The bridge must run before the app bundle so window.bench exists when the renderer starts.
  const servedIndex = indexHtml.replace('<head>', `<head>\n    <script src="${WORKSPACE_BRIDGE_PATH}"></script>`);
  if (servedIndex === indexHtml) throw new Error(`No <head> in ${options.rendererDir}/index.html; is the renderer built?`);

  const app = Fastify({
    // Fastify's own lines (listening, per request) stay below warn: the URL line on stdout is what people read.
    loggerInstance: options.logger.child({ part: 'workspace' }, { level: 'warn' }),
    // Request lines would carry the token in first-load URLs: keep them out of the log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
  });
  let port = 0;
  const origin = (): string => `http://${HOST}:${port}`;
  const cookieName = (): string => `injbench_workspace_${port}`;

  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: MAX_BODY_BYTES } });

  function deny(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
    return reply.code(status).header('cache-control', 'no-store').send(fail(status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message));
  }

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // DNS rebinding: a page on another name that resolves to 127.0.0.1 must not reach us.
    const host = request.headers.host ?? '';
    if (host !== `${HOST}:${port}` && host !== `localhost:${port}`) {
      return deny(reply, 403, 'Workspace mode answers only on 127.0.0.1.');
    }
    const requestOrigin = request.headers.origin;
    if (requestOrigin !== undefined && requestOrigin !== origin() && requestOrigin !== `http://localhost:${port}`) {
      return deny(reply, 403, 'Requests from other origins are refused.');
    }
    const query = request.query as Record<string, unknown>;
    const bearer = request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (tokenMatches(query.token) && request.method === 'GET' && !request.url.startsWith('/api/')) {
      // Trade the token in the URL for a cookie, and drop it from the address bar and history.
      const target = new URL(request.url, origin());
      target.searchParams.delete('token');
      return reply
        .setCookie(cookieName(), token, { httpOnly: true, sameSite: 'strict', path: '/' })
        .redirect(`${target.pathname}${target.search}`, 303);
    }
    if (tokenMatches(bearer) || tokenMatches(request.cookies[cookieName()]) || tokenMatches(query.token)) return;
    return deny(reply, 401, 'This workspace needs its launch token: open the Workspace URL printed at start-up.');
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('content-security-policy', contentSecurityPolicy({ connectSources: [`ws://${HOST}:${port}`] }));
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.post<{ Params: { method: string } }>('/api/call/:method', async (request, reply) => {
    if (request.headers['content-type']?.split(';')[0]?.trim() !== 'application/json') {
      return reply.code(415).send(fail('INVALID_ARGUMENT', 'Send the argument as application/json.'));
    }
    const body = request.body as { input?: unknown } | null;
    return options.services.dispatch(request.params.method, body?.input);
  });

  app.get(WORKSPACE_EVENTS_PATH, { websocket: true }, (socket) => {
    const unsubscribe = options.services.events.subscribe((event, payload) => {
      const message: BenchEventMessage = { event, payload };
      socket.send(JSON.stringify(message));
    });
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
  });

  const sendIndex = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(servedIndex);
  app.get('/', sendIndex);
  app.get('/index.html', sendIndex);
  app.get(WORKSPACE_BRIDGE_PATH, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(bridgeSource));
  await app.register(fastifyStatic, { root: path.resolve(options.rendererDir), index: false, wildcard: true });

  await app.listen({ host: HOST, port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('Workspace host did not get a TCP port.');
  port = address.port;

  return {
    url: `${origin()}/?token=${token}`,
    origin: origin(),
    port,
    token,
    close: () => app.close(),
  };
}
