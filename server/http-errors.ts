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
