/**
 * What route modules get from the server app (server/app.ts): token roles, bench-signed request
 * authentication, boundary parsing and the clock. Each module registers its routes with one call.
 */
import type { FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../common/logger';
import type { BenchRecord } from './store/server-repository';

/** The server app as route modules see it (its logger is the project's pino logger). */
export type ServerInstance = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

/** admin: everything; support: read only; release: publish to the repository, nothing else. */
export type TokenRole = 'admin' | 'support' | 'release';

export interface RouteContext {
  logger: Logger;
  now: () => Date;
  /** The caller's token role when it is one of `allowed`; UNAUTHORIZED or FORBIDDEN otherwise. */
  requireRole(request: FastifyRequest, allowed: readonly TokenRole[]): TokenRole;
  /** A bench-signed request from an enrolled, active bench; the nonce is recorded (a replay is refused). */
  authenticateBench(request: FastifyRequest): Promise<{ bench: BenchRecord }>;
  parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T;
}
