/**
 * How a failed request is answered, shared by the API's and the support web view's error handlers: a
 * refusal keeps its status (ServerError's code, or the framework's own 4xx: 400 malformed body, 413 body
 * over the limit, 415 unsupported content type), and only a real fault is a 5xx, logged at error level.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerErrorCode } from '../common/central-api/protocol';
import { ServerError } from './server-error';

export interface FailureAnswer {
  status: number;
  code: ServerErrorCode;
  message: string;
  /** A fault of the server (5xx): logged at error level. A refusal of the request is not. */
  fault: boolean;
}

const FAULT_MESSAGE = 'The server failed to handle this request; the details are in its log.';

export function failureAnswer(error: unknown): FailureAnswer {
  if (error instanceof ServerError) return { status: error.httpStatus, code: error.code, message: error.message, fault: error.httpStatus >= 500 };
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own refusals (FST_ERR_CTP_*): their messages name the rule, never the body.
    const message = error instanceof Error ? error.message : 'Bad request.';
    return { status, code: status === 413 ? 'OVERSIZE' : 'INVALID_REQUEST', message, fault: false };
  }
  return { status: 500, code: 'INTERNAL', message: FAULT_MESSAGE, fault: true };
}

/**
 * Logs a fault with the error and the route, never the request body (it may hold tokens, passwords or a
 * bench's data); refusals are the caller's doing and stay out of the error log.
 */
export function logIfFault(request: FastifyRequest, error: unknown, answer: FailureAnswer, what: string): void {
  if (answer.fault) request.log.error({ err: error, method: request.method, url: request.routeOptions.url ?? request.url }, what);
}

/**
 * An answer sent before the request's body was read (a refused token, a declared Content-Length over the
 * limit, a body cut off at the limit) closes the connection: otherwise Node would read and discard the rest
 * of the body, and a client that declares a large body and sends little would hold the connection open.
 */
export function closeIfBodyUnread(request: FastifyRequest, reply: FastifyReply): void {
  if (request.raw.complete || request.raw.destroyed) return;
  reply.header('connection', 'close');
  request.raw.resume();
}

/**
 * Before an answer that does not need the request's body (a batch shed for overload): reads and drops a body
 * of a declared length up to `maxBytes` that arrives within `withinMs`, so the answer goes out on a connection
 * that stays open. A client's next request on it then needs no new connection: under overload a server on
 * Node 20 takes one new connection per event-loop iteration (libuv 1.45+), and clients reconnecting after
 * every refusal wait seconds in its accept queue. HTTP/1.1 reuses a connection only once the whole body is
 * read, and undici (the benches' fetch) drops one whose answer came before its upload ended. A body with no
 * length, over `maxBytes`, or slower than `withinMs` is not waited for: the connection is closed
 * (closeIfBodyUnread), so a client that declares much and sends little holds nothing.
 */
export async function discardBodyOrClose(request: FastifyRequest, reply: FastifyReply, { maxBytes, withinMs }: { maxBytes: number; withinMs: number }): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return;
  const declared = Number(request.headers['content-length']);
  const bounded = request.headers['transfer-encoding'] === undefined && Number.isSafeInteger(declared) && declared <= maxBytes;
  const read =
    bounded &&
    (await new Promise<boolean>((resolve) => {
      const settle = (whole: boolean) => {
        clearTimeout(timer);
        raw.off('end', ended).off('close', cut).off('error', cut);
        resolve(whole);
      };
      const ended = () => settle(true);
      const cut = () => settle(false);
      const timer = setTimeout(cut, withinMs);
      raw.on('end', ended).on('close', cut).on('error', cut);
      raw.resume();
    }));
  if (!read) closeIfBodyUnread(request, reply);
}
