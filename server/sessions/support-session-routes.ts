/**
 * Support API over the session index (read-only; support or admin token):
 *   GET /api/v1/support/sessions?sessionId=&bench=&serial=&from=&to=&outcome=&family=&limit=&after=
 *     newest first; `nextAfter` of a full page is the `after` of the next one
 *   GET /api/v1/support/sessions/:benchId/:sessionId   one session's trace with its integrity
 */
import { z } from 'zod';
import { ServerError } from '../server-error';
import { parseInput, timeBound, tokenRoute, type FleetRouteContext, type ServerInstance } from './route-context';
import { SessionIndexRepository, decodeCursor, encodeCursor, type SessionQuery } from '../store/session-index-repository';
import { sessionOutcomes } from '../store/fleet-schema';
import { benchIdSchema } from '../../trust/bench-id';
import { SUPPORT_SESSIONS_PATH } from '../../common/central-api/paths';


export const MAX_SESSIONS_PAGE = 1000;
export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected a session id (letters, digits, . _ -)');
export const serialSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'expected an injector serial (letters, digits, -)');

export const sessionQuerySchema = z.strictObject({
  sessionId: sessionIdSchema.optional(),
  bench: benchIdSchema.optional(),
  serial: serialSchema.optional(),
  from: timeBound('from').optional(),
  to: timeBound('to').optional(),
  after: z
    .string()
    .max(400)
    .transform((value, context) => decodeCursor(value) ?? (context.addIssue({ code: 'custom', message: 'not a cursor this server gave out (nextAfter)' }), z.NEVER))
    .optional(),
  outcome: z.enum(sessionOutcomes).optional(),
  family: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SESSIONS_PAGE).default(200),
});

export function toSessionQuery(input: z.infer<typeof sessionQuerySchema>): SessionQuery {
  return { sessionId: input.sessionId, benchId: input.bench, serial: input.serial, from: input.from, to: input.to, after: input.after, outcome: input.outcome, family: input.family, limit: input.limit };
}

const traceParamsSchema = z.strictObject({ benchId: benchIdSchema, sessionId: sessionIdSchema });

export function registerSupportSessionRoutes(app: ServerInstance, context: FleetRouteContext): void {
  const store = new SessionIndexRepository(context.repository);

  app.get(SUPPORT_SESSIONS_PATH, tokenRoute('admin', 'support'), async (request) => {
    const query = parseInput(sessionQuerySchema, request.query, 'session query');
    const sessions = await store.find(toSessionQuery(query));
    const last = sessions.at(-1);
    return { sessions, nextAfter: sessions.length === query.limit && last ? encodeCursor(last) : null };
  });

  app.get(`${SUPPORT_SESSIONS_PATH}/:benchId/:sessionId`, tokenRoute('admin', 'support'), async (request) => {
    const { benchId, sessionId } = parseInput(traceParamsSchema, request.params, 'session');
    const session = await store.session(benchId, sessionId);
    if (!session) throw new ServerError('NOT_FOUND', `No session ${sessionId} of ${benchId} has reached this server (has the bench synced?).`);
    const trace = await store.trace(session);
    if (!trace) throw new ServerError('NOT_FOUND', `No bench ${benchId} is enrolled with this server.`);
    return trace;
  });
}
