/**
 * What route modules get from the server app (server/app.ts): token roles, bench-signed request
 * authentication, boundary parsing and the clock. Each module registers its routes with one call.
 */
import type { FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../common/logger';
import { ServerError } from './server-error';
import type { BenchRecord } from './store/server-repository';

/** The server app as route modules see it (its logger is the project's pino logger). */
export type ServerInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/** admin: everything; support: read only; release: publish to the repository; metrics: read /metrics, nothing else. */
export type TokenRole = 'admin' | 'support' | 'release' | 'metrics';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A token route: the roles whose bearer token may call it, checked in onRequest (server/app.ts). */
    tokenRoles?: readonly TokenRole[];
  }
  interface FastifyRequest {
    /** The role of the caller's token, set on token routes before the body is read. */
    tokenRole?: TokenRole;
  }
}

/**
 * Route options of a token route. The token is checked in an onRequest hook, before the body is read or
 * parsed: an anonymous or wrong-token caller gets 401/403 without costing the server its body.
 */
export function tokenRoute(...roles: TokenRole[]): { config: { tokenRoles: readonly TokenRole[] } } {
  return { config: { tokenRoles: roles } };
}

/** The role the onRequest hook authenticated; a handler of a route without tokenRoute() has none. */
export function tokenRoleOf(request: FastifyRequest): TokenRole {
  if (!request.tokenRole) throw new ServerError('INTERNAL', `${request.routeOptions.url ?? request.url} is not declared a token route.`);
  return request.tokenRole;
}

export interface RouteContext {
  logger: Logger;
  now: () => Date;
  /** A bench-signed request from an enrolled, active bench; the nonce is recorded (a replay is refused). */
  authenticateBench(request: FastifyRequest): Promise<{ bench: BenchRecord }>;
  parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T;
}
