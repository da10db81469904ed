/**
 * The central server's HTTP API (fastify). Three kinds of caller, each authenticated its own way:
 * - benches: every request signed by the bench's Ed25519 key over method, path, body hash, time and nonce;
 * - the server admin: a bearer token from the server's configuration (enrolment codes, revocation);
 * - support: a bearer token that can only read (log entries with their integrity status, alarms);
 * - release managers: a bearer token that can only publish to the repository (server/distribution).
 */
import Fastify, { LogController, type FastifyRequest, type FastifyServerFactory } from 'fastify';
import type { Server } from 'node:http';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import { z } from 'zod';
import { storedText } from './stored-text';
import { packageVersion } from '../common/package-version';
import { readinessProblems } from './readiness';
import { ServerMetrics } from './metrics';
import { decodeBase64, isStrictPublicKey, verifyMany, type VerifySignatures } from '../trust/ed25519';
import type { Logger } from '../common/logger';
import type { KeyPair } from '../trust/crypto';
import { DEFAULT_CLOCK_SKEW_MS, MAX_BATCH_BYTES, enrolRequestSchema, logBatchSchema, requestSigningMessage, signatureHeaders, type EnrolResponse } from '../common/central-api/protocol';
import { registerCreditsRoutes } from './credits/routes';
import type { BlobStore } from './distribution/blob-store';
import { registerDistributionRoutes } from './distribution/routes';
import type { TrustedRootPin } from './distribution/metadata-publish';
import { tokenRoute, type RouteContext, type TokenRole } from './route-context';
import { ServerError } from './server-error';
import { closeIfBodyUnread, failureAnswer, logIfFault } from './http-errors';
import type { DistributionRepository } from './store/distribution-repository';
import type { ServerRepository } from './store/server-repository';
import { registerSupportLogRoutes } from './support/log-routes';
import { LogRechecker } from './support/log-recheck';
import { LogCheckStore } from './store/log-check-store';
import { ingestLogBatch } from './sync/log-ingest';
import { BatchShed, IngestAdmission, type IngestAdmissionOptions } from './sync/ingest-admission';
import { registerReleaseRoutes, type ReleaseRouteOptions } from './releases/release-routes';
import type { FleetRouteContext } from './sessions/route-context';
import { registerSupportSessionRoutes } from './sessions/support-session-routes';
import { registerSupportWeb, type SupportWebOptions } from './support/web/support-web';
import { ENROL_PATH, LOG_BATCH_PATH, PROTOCOL_PREFIX } from '../common/central-api/paths';
import { benchIdOf, benchIdSchema } from '../trust/bench-id';
import { ADMIN_CODES_PATH } from '../common/central-api/paths';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

export interface ServerAppOptions {
  repository: ServerRepository;
  logger: Logger;
  /** Full rights: enrolment codes, revocation, and everything support can do. */
  adminToken: string;
  /** Read-only support access; none when absent (the admin token still reads). */
  supportToken?: string;
  /** Publish-only access for release managers; none when absent. */
  releaseToken?: string;
  /** Read-only access to GET /metrics for the Prometheus scraper; without it only the admin token reads them. */
  metricsToken?: string;
  /** Signed metadata, packs, grants and evidence (server/store/distribution-repository.ts). */
  distribution: { store: DistributionRepository; blobs: BlobStore; trustedRoot?: TrustedRootPin };
  /** The credits role key grants are signed with; null: the server cannot issue grants. */
  creditsKey?: KeyPair | null;
  now?: () => Date;
  clockSkewMs?: number;
  /** Promotion gates per channel (defaults in server/releases/release-policy.ts) and publish-time lookup. */
  releases?: ReleaseRouteOptions;
  /** Seconds between periodic credit reconciliations (default 300); 0 disables the timer. */
  reconcileEverySeconds?: number;
  /** Support web view settings (sign-in rate limits). */
  supportWeb?: SupportWebOptions;
  /** Where request and checkpoint signatures are checked; libuv's thread pool unless given (central-server.ts gives workers). */
  verifySignatures?: VerifySignatures;
  /** When log batches are shed with 429 (server/sync/ingest-admission.ts). */
  ingestAdmission?: IngestAdmissionOptions;
  /** Which proxies' X-Forwarded-For/-Proto/-Host to believe (fastify's trustProxy); none by default. */
  trustProxy?: boolean | number | string;
  /** Serve TLS directly with this certificate chain and key (PEM); plain HTTP when absent. */
  https?: { cert: Buffer; key: Buffer };
}


const DEFAULT_CODE_TTL_MINUTES = 24 * 60;
const ENROL_BODY_LIMIT = 16 * 1024;
/** A log batch at its largest with room for its envelope: the default body limit, and the most a batch shed at the door is read for to keep its connection. */
const BODY_LIMIT_BYTES = MAX_BATCH_BYTES + 64 * 1024;
/** A bench's last-seen time is written at most this often (one write a minute per bench, not one per request). */
const LAST_SEEN_RESOLUTION_MS = 60_000;

const replayed = (): ServerError => new ServerError('REPLAYED_REQUEST', 'This request was already received once (same nonce); a replay is refused.');

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** A request id a proxy or client sent (X-Request-Id) is kept when it is short and plain; otherwise a new one. */
const REQUEST_ID_HEADER = 'x-request-id';
const passableRequestId = /^[A-Za-z0-9._:-]{1,128}$/;
function requestIdOf(request: { headers: Record<string, string | string[] | undefined> }): string {
  const sent = request.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && passableRequestId.test(sent) ? sent : randomUUID();
}

/** A bench id as the access log may show it: the signed header when it looks like one, never anything longer. */
const loggableBenchId = (value: unknown): string | undefined => (typeof value === 'string' && benchIdSchema.safeParse(value).success ? value : undefined);

const createCodeSchema = z.strictObject({
  ttlMinutes: z.int().min(1).max(30 * 24 * 60).default(DEFAULT_CODE_TTL_MINUTES),
  note: storedText().max(200).optional(),
});
const revokeSchema = z.strictObject({ reason: storedText().min(1).max(500) });
const benchParamsSchema = z.strictObject({ benchId: benchIdSchema });

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new ServerError('INVALID_REQUEST', `Invalid ${what}: ${where}${issue?.message ?? 'malformed'}.`);
}

/** A code people can type: 20 base32 characters in groups of four, 100 bits of randomness. */
function newEnrolmentCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}

/** Believe the nearest `hops` proxies (fastify types a hop count as this function). */
const trustHops =
  (hops: number) =>
  (_address: string, hop: number): boolean =>
    hop < hops;

/** An https server in place of the default http one; the same API (https.Server is an http.Server). */
function tlsServerFactory(tls: ServerAppOptions['https']): FastifyServerFactory<Server> | undefined {
  if (!tls) return undefined;
  return (handler) => createHttpsServer({ cert: tls.cert, key: tls.key }, handler);
}

export const hashEnrolmentCode = (code: string): string => createHash('sha256').update(code.trim().toUpperCase()).digest('hex');

export async function buildServerApp(options: ServerAppOptions) {
  const { repository, logger } = options;
  const now = options.now ?? (() => new Date());
  const clockSkewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const verifySignatures = options.verifySignatures ?? verifyMany;
  if (options.adminToken.length < 32) throw new ServerError('INVALID_REQUEST', 'The server admin token must be at least 32 characters long.');
  const adminDigest = digest(options.adminToken);
  const supportDigest = options.supportToken ? digest(options.supportToken) : null;
  if (options.releaseToken !== undefined && options.releaseToken.length < 32) throw new ServerError('INVALID_REQUEST', 'The release token must be at least 32 characters long.');
  const releaseDigest = options.releaseToken ? digest(options.releaseToken) : null;
  if (options.metricsToken !== undefined && options.metricsToken.length < 32) throw new ServerError('INVALID_REQUEST', 'The metrics token must be at least 32 characters long.');
  const metricsDigest = options.metricsToken ? digest(options.metricsToken) : null;
  const metrics = new ServerMetrics(repository, now);
  // One line per answered request at info level: request id, route, status, time. Never headers or bodies.
  const accessLog = logger.child({ part: 'access' });

  const app = Fastify({
    loggerInstance: logger.child({ part: 'server' }, { level: 'warn' }),
    // Request lines would carry no secrets, but bearer headers must never reach a log line.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : (options.trustProxy ?? false),
    serverFactory: tlsServerFactory(options.https),
    genReqId: requestIdOf,
  });

  // The id goes back to the caller, so a bench's or a proxy's report can be matched to the server's log.
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.requestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
    accessLog.info(
      {
        reqId: request.id,
        method: request.method,
        route,
        // The path without its query string: what was asked for, not the parameters that came with it.
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        remote: request.ip,
        bench: loggableBenchId(request.headers[signatureHeaders.bench]),
        role: request.tokenRole,
      },
      'request',
    );
  });

  // The signature covers the exact bytes sent, so keep them beside the parsed body.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      done(new ServerError('INVALID_REQUEST', 'The request body is not valid JSON.'), undefined);
    }
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    closeIfBodyUnread(request, reply);
    const answer = failureAnswer(error);
    (answer.fault ? metrics.faults : metrics.refusals).inc({ code: answer.code });
    logIfFault(request, error, answer, 'request failed');
    return reply.code(answer.status).send({ ok: false, error: { code: answer.code, message: answer.message } });
  });

  function roleOfToken(token: string): TokenRole | null {
    const candidate = digest(token);
    if (timingSafeEqual(candidate, adminDigest)) return 'admin';
    if (supportDigest && timingSafeEqual(candidate, supportDigest)) return 'support';
    if (releaseDigest && timingSafeEqual(candidate, releaseDigest)) return 'release';
    if (metricsDigest && timingSafeEqual(candidate, metricsDigest)) return 'metrics';
    return null;
  }

  function bearerRole(request: FastifyRequest): TokenRole | null {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
    if (!match?.[1]) return null;
    return roleOfToken(match[1]);
  }

  function requireRole(request: FastifyRequest, allowed: readonly TokenRole[]): TokenRole {
    const role = bearerRole(request);
    if (!role) throw new ServerError('UNAUTHORIZED', 'This API needs a valid server token (Authorization: Bearer …).');
    if (!allowed.includes(role)) throw new ServerError('FORBIDDEN', `The ${role} token may not do this.`);
    return role;
  }

  // Token routes (tokenRoute() in route-context.ts) check the token before the body is read or parsed, so a
  // caller without the right token cannot make the server buffer or parse anything.
  app.addHook('onRequest', async (request) => {
    const allowed = request.routeOptions.config.tokenRoles;
    if (allowed) request.tokenRole = requireRole(request, allowed);
  });

  /**
   * Checks a bench-signed request: signature first (an unsigned caller cannot burn nonces), then the
   * clock window, then the nonce, recorded so the same request is refused the second time.
   */
  async function verifySignedRequest(request: FastifyRequest, publicKeyBase64: string, benchId: string, nonceHandling: 'record' | 'return' = 'record'): Promise<string> {
    const header = (name: string): string => {
      const value = request.headers[name];
      if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
        throw new ServerError('BAD_SIGNATURE', `The request has no valid ${name} header; benches sign every request.`);
      }
      return value;
    };
    const time = header(signatureHeaders.time);
    const nonce = header(signatureHeaders.nonce);
    const signature = decodeBase64(header(signatureHeaders.signature));
    const publicKey = decodeBase64(publicKeyBase64);
    const message = requestSigningMessage({ method: request.method, path: request.url, body: request.rawBody ?? Buffer.alloc(0), benchId, time, nonce });
    const [valid] = await verifySignatures([{ message, signature, publicKey: publicKey ?? new Uint8Array(0) }]);
    if (!valid) {
      throw new ServerError('BAD_SIGNATURE', `The request signature does not verify with the key enrolled for ${benchId}.`);
    }
    const signedAt = Date.parse(time);
    const skew = Math.abs(now().getTime() - signedAt);
    if (!Number.isFinite(signedAt) || skew > clockSkewMs) {
      throw new ServerError('STALE_REQUEST', `The request was signed at ${time}, more than ${Math.round(clockSkewMs / 1000)} s from the server's clock: check the bench's clock.`);
    }
    if (nonceHandling === 'return') return nonce;
    if (!(await repository.rememberNonce(benchId, nonce, now().toISOString()))) throw replayed();
    return nonce;
  }

  /** A log batch records its nonce in its own transaction (one commit, one fsync per request). */
  async function authenticateBench(request: FastifyRequest) {
    const benchId = parse(benchIdSchema, request.headers[signatureHeaders.bench], `${signatureHeaders.bench} header`);
    const bench = await repository.bench(benchId);
    if (!bench) throw new ServerError('UNKNOWN_BENCH', `Bench ${benchId} is not enrolled with this server: enrol it with a code from the server admin.`);
    const nonce = await verifySignedRequest(request, bench.public_key, benchId, 'return');
    if (bench.status === 'revoked') {
      throw new ServerError('BENCH_REVOKED', `Bench ${benchId} was revoked at ${bench.revoked_at ?? 'an unknown time'}; the server refuses its requests. Ask the server admin.`);
    }
    const seenAt = now();
    await repository.markSeen(benchId, seenAt.toISOString(), new Date(seenAt.getTime() - LAST_SEEN_RESOLUTION_MS).toISOString());
    return { bench, nonce };
  }

  const routeContext: RouteContext = {
    logger,
    now,
    parse,
    authenticateBench: async (request) => {
      const { bench, nonce } = await authenticateBench(request);
      if (!(await repository.rememberNonce(bench.bench_id, nonce, now().toISOString()))) throw replayed();
      return { bench };
    },
  };
  await registerDistributionRoutes(app, routeContext, options.distribution);
  await registerCreditsRoutes(app, routeContext, { store: options.distribution.store, benches: repository, signingKey: options.creditsKey ?? null, reconcileEverySeconds: options.reconcileEverySeconds });

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_request, reply) => {
    const problems = await readinessProblems({ pingDatabase: () => repository.ping(), blobDir: options.distribution.blobs.directory });
    if (problems.length === 0) return { ok: true };
    logger.warn({ problems }, 'server not ready');
    return reply.code(503).header('cache-control', 'no-store').send({ ok: false, reasons: problems });
  });

  const version = packageVersion();
  app.get('/version', async () => ({ version }));

  // Prometheus: the admin token, or the metrics token that reads nothing else (docs/operations.md, "Monitor").
  app.get('/metrics', tokenRoute('admin', 'metrics'), async (_request, reply) => {
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(await metrics.text());
  });

  app.post(ADMIN_CODES_PATH, tokenRoute('admin'), async (request, reply) => {
    const input = parse(createCodeSchema, request.body ?? {}, 'enrolment code request');
    const code = newEnrolmentCode();
    const createdAt = now();
    const expiresAt = new Date(createdAt.getTime() + input.ttlMinutes * 60_000);
    await repository.addEnrolmentCode({ codeHash: hashEnrolmentCode(code), createdAt: createdAt.toISOString(), expiresAt: expiresAt.toISOString(), note: input.note ?? null });
    logger.info({ expiresAt: expiresAt.toISOString() }, 'enrolment code created');
    return reply.code(201).header('cache-control', 'no-store').send({ code, expiresAt: expiresAt.toISOString() });
  });

  app.post(`${PROTOCOL_PREFIX}/admin/benches/:benchId/revoke`, tokenRoute('admin'), async (request) => {
    const { benchId } = parse(benchParamsSchema, request.params, 'bench id');
    const { reason } = parse(revokeSchema, request.body, 'revocation');
    const bench = await repository.revoke(benchId, reason, now().toISOString());
    logger.warn({ benchId }, 'bench revoked');
    return { benchId: bench.bench_id, status: bench.status, revokedAt: bench.revoked_at, reason: bench.revoke_reason };
  });

  app.get(`${PROTOCOL_PREFIX}/admin/benches`, tokenRoute('admin', 'support'), async () => {
    const benches = await repository.benches();
    return benches.map((b) => ({
      benchId: b.bench_id,
      status: b.status,
      enrolledAt: b.enrolled_at,
      revokedAt: b.revoked_at,
      lastSeenAt: b.last_seen_at,
      headSeq: Number(b.head_seq),
      sealedThrough: Number(b.sealed_through),
    }));
  });

  app.get(`${PROTOCOL_PREFIX}/admin/alarms`, tokenRoute('admin', 'support'), async () => {
    return repository.alarms();
  });

  // Anyone may call enrolment (the signature is checked on the body), so its body is kept small: a code, an id, a key.
  app.post(ENROL_PATH, { bodyLimit: ENROL_BODY_LIMIT }, async (request, reply): Promise<EnrolResponse> => {
    const input = parse(enrolRequestSchema, request.body, 'enrolment');
    const publicKey = decodeBase64(input.publicKey);
    // The bench id is derived from its key, so the server adopts it after checking that it matches.
    if (!publicKey || publicKey.length !== 32 || input.benchId !== benchIdOf(publicKey)) {
      throw new ServerError('INVALID_REQUEST', `The bench id ${input.benchId} does not belong to the public key sent with it.`);
    }
    // A small-order or mixed-order key would let forged requests verify, or one secret speak for two benches.
    if (!isStrictPublicKey(publicKey)) throw new ServerError('INVALID_REQUEST', 'The public key is not a canonical Ed25519 key of prime order (WEAK_KEY); generate a new bench key.');
    // Signed with the key being enrolled: the caller proves it holds the private key.
    if (request.headers[signatureHeaders.bench] !== input.benchId) throw new ServerError('BAD_SIGNATURE', 'The enrolment request is not signed by the bench it enrols.');
    await verifySignedRequest(request, input.publicKey, input.benchId);
    const bench = await repository.enrol({ codeHash: hashEnrolmentCode(input.code), benchId: input.benchId, publicKey: input.publicKey, now: now().toISOString() });
    logger.info({ benchId: bench.bench_id }, 'bench enrolled');
    reply.code(201);
    // The bench's first directive, when an admin published one for this bench id before it enrolled. The key
    // is left out otherwise, so benches built before directives existed still parse the answer.
    const directive = await options.distribution.store.file(`directives/${bench.bench_id}.json`);
    return { benchId: bench.bench_id, enrolledAt: bench.enrolled_at, ...(directive ? { directive: directive.content_base64 } : {}) };
  });

  const admission = new IngestAdmission({ bodyLimitBytes: BODY_LIMIT_BYTES, ...options.ingestAdmission, onShed: (reason) => metrics.ingestShed.inc({ reason }) });
  app.post(LOG_BATCH_PATH, { onRequest: admission.onRequest, preValidation: admission.onBodyReceived }, async (request, reply) => {
    const { bench, nonce } = await authenticateBench(request);
    const batch = parse(logBatchSchema, request.body, 'log batch');
    try {
      const ack = await ingestLogBatch(repository, bench, batch, now, logger, nonce, verifySignatures, () => admission.readyToWrite(request));
      metrics.ingestBatches.inc({ outcome: 'stored' });
      metrics.ingestEntries.inc(Math.max(0, ack.throughSeq - Number(bench.head_seq)));
      return ack;
    } catch (error) {
      // Shed before its write: not a refusal of the batch (it was never judged), so no nonce is recorded,
      // a write the server has no time for. A replay of it is judged like the bench's own sending again.
      if (error instanceof BatchShed) {
        await admission.shedAnswer(reply, 'waited');
        return reply;
      }
      metrics.ingestBatches.inc({ outcome: 'refused' });
      // A refused batch was rolled back with its nonce: record the nonce now, so the refusal cannot be replayed.
      if (error instanceof ServerError && error.code !== 'REPLAYED_REQUEST') await repository.rememberNonce(bench.bench_id, nonce, now().toISOString());
      throw error;
    }
  });

  // Support log pages by primary-key range, and the admin's whole-log re-check off the event loop.
  const logChecks = new LogCheckStore(repository.db, repository.dialect);
  const rechecker = new LogRechecker({ repository, checks: logChecks, verifySignatures, logger, now });
  registerSupportLogRoutes(app, { repository, checks: logChecks, rechecker });
  app.addHook('onClose', () => rechecker.close());

  // Session index, support web view, canary health and promotion gates (issue 7, part B).
  const fleet: FleetRouteContext = { repository, logger, now, roleOfToken };
  registerSupportSessionRoutes(app, fleet);
  registerSupportWeb(app, fleet, options.supportWeb);
  // Time since publish comes from the server's own distribution record of the pack.
  registerReleaseRoutes(app, fleet, { publishedAtOf: (family, version) => options.distribution.store.packPublishedAt(family, version), ...options.releases });

  // Bounded housekeeping: nonces older than twice the skew window can no longer pass the time check.
  const pruneTimer = setInterval(() => {
    repository.forgetNoncesBefore(new Date(now().getTime() - 2 * clockSkewMs).toISOString()).catch((error: unknown) => logger.warn({ err: error }, 'nonce pruning failed'));
  }, Math.max(60_000, clockSkewMs));
  pruneTimer.unref();
  app.addHook('onClose', async () => clearInterval(pruneTimer));

  return app;
}

export type ServerApp = Awaited<ReturnType<typeof buildServerApp>>;
