/**
 * The read-only support web view under /support: sign-in with the support token (or the admin token),
 * then the sessions list with filters, one session's trace with its steps, chart and integrity status,
 * and exports (JSON, CSV).
 *
 * Security: the session cookie is random, HttpOnly, SameSite=Strict, scoped to /support and stored on the
 * server only as a hash; the two state-changing requests (sign-in, sign-out) are POSTs refused from another
 * origin, and sign-out also carries the session's CSRF token. Every page is sent with a strict CSP (no
 * script at all; styles only from the stylesheet), nosniff, a same-origin referrer policy and no-store.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { storedText } from '../../stored-text';
import { hashPin, verifyPin } from '../../../common/pin-hash';
import { ServerError } from '../../server-error';
import { closeIfBodyUnread, failureAnswer, logIfFault } from '../../http-errors';
import { parseInput, tokenRoute, type FleetRouteContext, type ServerInstance, type ServerRole } from '../../sessions/route-context';
import { tracesToCsv } from '../../sessions/session-export';
import { SessionIndexRepository, type SessionTrace } from '../../store/session-index-repository';
import { SupportWebSessionRepository } from '../../store/support-web-session-repository';
import { SharedStateRepository } from '../../store/shared-state-repository';
import { sessionIdSchema, sessionQuerySchema, toSessionQuery } from '../../sessions/support-session-routes';
import type { SafeHtml } from './html';
import { FAVICON_SVG, SUPPORT_CSS, WEB_PREFIX, errorPage, sessionPage, sessionsPage, signInPage, type ListFilters, type Viewer } from './pages';
import { SignInLimiter, type Lockout, type SignInLimits } from './sign-in-limiter';
import { benchIdSchema } from '../../../trust/bench-id';
import { SUPPORT_USERS_PATH } from '../../../common/central-api/paths';

export const SESSION_COOKIE = 'injbench_support';
export const WEB_SESSION_HOURS = 8;
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const LIST_LIMIT = 200;
const EXPORT_LIMIT = 200;

const hashOf = (value: string): string => createHash('sha256').update(value).digest('hex');
/** Verified against when the name is unknown; no password matches it (its hash is of random bytes). */
const DUMMY_HASH = `scrypt$32768$8$1$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}`;

function cookieValue(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=') || null;
  }
  return null;
}

interface WebSession extends Viewer {
  role: ServerRole;
}

const signInSchema = z.object({ name: storedText().trim().max(64).default(''), token: z.string().max(512).default('') });
const supportUserSchema = z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9._-]{1,63}$/, 'expected a user name: lower-case letters, digits, . _ - (2-64)') });
const userParamsSchema = z.strictObject({ name: supportUserSchema.shape.name });

/** A password people can type: 24 base32 characters in groups of four, 120 bits of randomness. */
function newPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const chars = [...randomBytes(24)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}
const signOutSchema = z.object({ csrf: z.string().max(128).default('') });
const pageParams = z.strictObject({ benchId: benchIdSchema, sessionId: sessionIdSchema });
const exportParams = z.strictObject({ benchId: benchIdSchema, sessionId: sessionIdSchema, format: z.enum(['json', 'csv']) });
/** Empty form fields arrive as ''; they mean "no filter". */
const withoutEmpty = (query: unknown): Record<string, unknown> =>
  Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, value]) => value !== '' && value !== undefined));

export interface SupportWebOptions {
  /** Failed sign-in limits (defaults in sign-in-limiter.ts: 5 per name and address, 20 per address, 15 min). */
  signInLimits?: Partial<SignInLimits>;
  /**
   * The origin people reach the server at (`https://support.example`, --public-origin). When set, sign-in
   * and sign-out forms are accepted from that origin only; otherwise from the request's own scheme and host
   * (which honour X-Forwarded-Proto/-Host only with --trust-proxy).
   */
  publicOrigin?: string;
}

const minutes = (seconds: number): string => `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) === 1 ? '' : 's'}`;

function lockoutMessage(lockout: Lockout): string {
  const who = lockout.scope === 'name' ? 'for this name from your address' : 'from your address';
  return `Too many failed sign-ins ${who}: sign-in is locked for ${minutes(lockout.retryAfterSeconds)} (until ${lockout.lockedUntil.toISOString().slice(11, 16)} UTC). Try again then, or ask the server admin for a new password.`;
}

export function registerSupportWeb(app: ServerInstance, context: FleetRouteContext, options: SupportWebOptions = {}): void {
  const webSessions = new SupportWebSessionRepository(context.repository.db);
  const store = new SessionIndexRepository(context.repository);
  const limiter = new SignInLimiter(new SharedStateRepository(context.repository.db), options.signInLimits, context.now);

  // The admin manages named support users; each gets a generated password, shown once.
  app.post(SUPPORT_USERS_PATH, tokenRoute('admin'), async (request, reply) => {
    const { name } = parseInput(supportUserSchema, request.body, 'support user');
    const password = newPassword();
    await webSessions.addUser({ name, passwordHash: await hashPin(password), createdAt: context.now().toISOString() });
    context.logger.info({ user: name }, 'support user created');
    return reply.code(201).header('cache-control', 'no-store').send({ name, password });
  });

  app.get(SUPPORT_USERS_PATH, tokenRoute('admin'), async () => {
    return webSessions.users();
  });

  app.post(`${SUPPORT_USERS_PATH}/:name/disable`, tokenRoute('admin'), async (request) => {
    const { name } = parseInput(userParamsSchema, request.params, 'support user');
    await webSessions.disableUser(name, context.now().toISOString());
    context.logger.warn({ user: name }, 'support user disabled');
    return { name, disabled: true };
  });

  void app.register(
    async (scope) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      });

      scope.addHook('onSend', async (_request, reply, payload) => {
        reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
        reply.header('x-content-type-options', 'nosniff');
        // same-origin, not no-referrer: with no-referrer Chromium posts forms with `Origin: null`.
        reply.header('referrer-policy', 'same-origin');
        reply.header('x-frame-options', 'DENY');
        reply.header('cross-origin-opener-policy', 'same-origin');
        reply.header('cache-control', 'no-store');
        return payload;
      });

      const sendPage = (reply: FastifyReply, page: SafeHtml, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(page.value);

      // The framework's refusals keep their status (415 content type, 413 form or declared length over the
      // limit, 400 malformed body); only a fault is a 500 and logged.
      scope.setErrorHandler((error: unknown, request, reply) => {
        closeIfBodyUnread(request, reply);
        const answer = failureAnswer(error);
        logIfFault(request, error, answer, 'support page failed');
        const message = answer.fault ? 'The server failed to show this page; the details are in its log.' : answer.message;
        return sendPage(reply, errorPage(answer.status, message, null), answer.status);
      });

      async function webSession(request: FastifyRequest): Promise<WebSession | null> {
        const cookie = cookieValue(request, SESSION_COOKIE);
        if (!cookie || cookie.length > 128) return null;
        const row = await webSessions.find(hashOf(cookie), context.now().toISOString());
        if (!row) return null;
        const role: ServerRole = row.role === 'admin' ? 'admin' : 'support';
        return { csrfToken: row.csrfToken, role, label: row.userName ?? `the ${role} token` };
      }

      /** The origin the browser shows: the configured public origin, else this request's scheme and host. */
      const expectedOrigin = (request: FastifyRequest): string => options.publicOrigin ?? `${request.protocol}://${request.host}`;

      /** Under TLS (served directly, or an https public origin behind a proxy) the cookie never travels in clear. */
      const secureAttribute = (request: FastifyRequest): string => (expectedOrigin(request).startsWith('https:') ? '; Secure' : '');

      /** A form POST from another origin is refused (login CSRF, forced sign-out). */
      function requireSameOrigin(request: FastifyRequest): void {
        const origin = request.headers.origin;
        const site = request.headers['sec-fetch-site'];
        if (typeof origin === 'string' && origin !== expectedOrigin(request)) throw new ServerError('FORBIDDEN', 'This form was posted from another site; it is refused.');
        if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') throw new ServerError('FORBIDDEN', 'This form was posted from another site; it is refused.');
      }

      /** The signed-in session, or a redirect to the sign-in page (null then: the reply is sent). */
      async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<WebSession | null> {
        const session = await webSession(request);
        if (!session) {
          await reply.code(303).header('location', `${WEB_PREFIX}/sign-in`).send();
          return null;
        }
        return session;
      }

      scope.get('/static/support.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(SUPPORT_CSS));
      scope.get('/static/favicon.svg', async (_request, reply) => reply.type('image/svg+xml').send(FAVICON_SVG));

      scope.get('/', async (_request, reply) => reply.code(303).header('location', `${WEB_PREFIX}/sessions`).send());

      scope.get('/sign-in', async (_request, reply) => sendPage(reply, signInPage(null)));

      scope.post('/sign-in', async (request, reply) => {
        requireSameOrigin(request);
        const { name, token } = parseInput(signInSchema, request.body ?? {}, 'sign-in');
        const address = request.ip;
        const locked = await limiter.lockout(address, name);
        if (locked) {
          // Answered before any password is checked: a locked key costs no scrypt.
          reply.header('retry-after', String(locked.retryAfterSeconds));
          return sendPage(reply, signInPage(lockoutMessage(locked)), 429);
        }
        let role: ServerRole | null = null;
        let userName: string | null = null;
        if (name) {
          const user = await webSessions.user(name);
          // A missing user still costs one scrypt, so the answer time does not say which names exist.
          const valid = await verifyPin(token, user?.passwordHash ?? DUMMY_HASH);
          if (user && valid && user.disabledAt === null) {
            role = 'support';
            userName = user.name;
          }
        } else if (token) {
          // The release token publishes; it does not read sessions.
          const tokenRole = context.roleOfToken(token);
          role = tokenRole === 'admin' || tokenRole === 'support' ? tokenRole : null;
        }
        if (!role) {
          context.logger.warn({ part: 'support-web', user: name || null, address }, 'support sign-in refused');
          const lockout = await limiter.recordFailure(address, name);
          if (lockout) {
            // The name and address only: never the password or token that was tried.
            context.logger.warn(
              { part: 'support-web', user: name || null, address, scope: lockout.scope, failures: lockout.failures, lockedUntil: lockout.lockedUntil.toISOString() },
              'support sign-in locked after repeated failures',
            );
            reply.header('retry-after', String(lockout.retryAfterSeconds));
            return sendPage(reply, signInPage(lockoutMessage(lockout)), 429);
          }
          return sendPage(reply, signInPage(name ? 'That name and password do not match an active support user.' : 'That token is not valid for this server.'), 401);
        }
        await limiter.recordSuccess(address, name);
        context.logger.info({ part: 'support-web', user: userName, role }, 'support sign-in');
        const cookie = randomBytes(32).toString('base64url');
        const created = context.now();
        const expires = new Date(created.getTime() + WEB_SESSION_HOURS * 3_600_000);
        await webSessions.create({ sessionHash: hashOf(cookie), csrfToken: randomBytes(24).toString('base64url'), role, userName, createdAt: created.toISOString(), expiresAt: expires.toISOString() });
        return reply
          .code(303)
          .header('set-cookie', `${SESSION_COOKIE}=${cookie}; Path=${WEB_PREFIX}; HttpOnly; SameSite=Strict${secureAttribute(request)}; Max-Age=${WEB_SESSION_HOURS * 3600}`)
          .header('location', `${WEB_PREFIX}/sessions`)
          .send();
      });

      scope.post('/sign-out', async (request, reply) => {
        requireSameOrigin(request);
        const session = await webSession(request);
        const { csrf } = parseInput(signOutSchema, request.body ?? {}, 'sign-out');
        if (session && csrf !== session.csrfToken) throw new ServerError('FORBIDDEN', 'The sign-out form is stale or forged (CSRF token mismatch).');
        const cookie = cookieValue(request, SESSION_COOKIE);
        if (cookie) await webSessions.delete(hashOf(cookie));
        return reply.code(303).header('set-cookie', `${SESSION_COOKIE}=; Path=${WEB_PREFIX}; HttpOnly; SameSite=Strict${secureAttribute(request)}; Max-Age=0`).header('location', `${WEB_PREFIX}/sign-in`).send();
      });

      scope.get('/sessions', async (request, reply) => {
        const session = await signedIn(request, reply);
        if (!session) return reply;
        const raw = withoutEmpty(request.query);
        const parsed = sessionQuerySchema.safeParse({ ...raw, limit: LIST_LIMIT });
        const filters: ListFilters = Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === 'string')) as ListFilters;
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return sendPage(reply, errorPage(400, `Invalid filter ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'malformed'}.`, session), 400);
        }
        const sessions = await store.find(toSessionQuery(parsed.data));
        return sendPage(reply, sessionsPage(sessions, filters, LIST_LIMIT, session));
      });

      async function traceOrThrow(benchId: string, sessionId: string): Promise<SessionTrace> {
        const summary = await store.session(benchId, sessionId);
        const trace = summary ? await store.trace(summary) : null;
        if (!trace) throw new ServerError('NOT_FOUND', `No session ${sessionId} of ${benchId} has reached this server.`);
        return trace;
      }

      function sendExport(reply: FastifyReply, traces: SessionTrace[], format: 'json' | 'csv', name: string) {
        reply.header('content-disposition', `attachment; filename="${name}.${format}"`);
        if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(tracesToCsv(traces));
        return reply.type('application/json; charset=utf-8').send(JSON.stringify({ exportedAt: context.now().toISOString(), sessions: traces }, null, 2));
      }

      scope.get('/sessions/:benchId/:sessionId', async (request, reply) => {
        const session = await signedIn(request, reply);
        if (!session) return reply;
        const { benchId, sessionId } = parseInput(pageParams, request.params, 'session');
        return sendPage(reply, sessionPage(await traceOrThrow(benchId, sessionId), session));
      });

      // The export name arrives as "<session>.<format>"; split it before validating the session id.
      scope.get('/sessions/:benchId/:sessionId/export.:format', async (request, reply) => {
        const session = await signedIn(request, reply);
        if (!session) return reply;
        const { benchId, sessionId, format } = parseInput(exportParams, request.params, 'export');
        return sendExport(reply, [await traceOrThrow(benchId, sessionId)], format, sessionId);
      });

      scope.get('/export', async (request, reply) => {
        const session = await signedIn(request, reply);
        if (!session) return reply;
        const raw = withoutEmpty(request.query);
        const format = raw.format === 'csv' ? 'csv' : 'json';
        delete raw.format;
        const query = parseInput(sessionQuerySchema, { ...raw, limit: EXPORT_LIMIT }, 'export filters');
        const traces: SessionTrace[] = [];
        for (const summary of await store.find(toSessionQuery(query))) {
          const trace = await store.trace(summary);
          if (trace) traces.push(trace);
        }
        return sendExport(reply, traces, format, 'sessions');
      });
    },
    { prefix: WEB_PREFIX },
  );
}
