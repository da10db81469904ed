/**
 * Credits over HTTP:
 *
 *   POST /api/v1/admin/credits/grants      admin token: issue a grant, signed here with the credits key
 *   GET  /api/v1/admin/credits/grants      admin/support token: grants issued (?benchId=)
 *   GET  /api/v1/credits/grants            bench-signed: the bench's own grants, exact signed bytes
 *   POST /api/v1/admin/credits/reconcile   admin token: reconcile grants against the synced settlement traces
 *
 * Reconciliation also runs on a timer (periodic-reconcile.ts, `injbench server --reconcile-every SECONDS`).
 * The credits private key is read once from the file the operator names; it is never logged or sent.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { storedText } from '../stored-text';
import { type CreditGrantsResponse } from '../../common/central-api/protocol';
import { issueCreditGrant } from '../../trust/credit-grant';
import { MAX_GRANT_CREDITS, MAX_GRANT_VALID_DAYS } from '../../trust/schemas';
import type { KeyPair } from '../../trust/crypto';
import { tokenRoleOf, tokenRoute, type RouteContext, type ServerInstance } from '../route-context';
import { ServerError } from '../server-error';
import type { DistributionRepository } from '../store/distribution-repository';
import type { ServerRepository } from '../store/server-repository';
import { DEFAULT_RECONCILE_EVERY_SECONDS, startPeriodicReconciliation } from './periodic-reconcile';
import { reconcileBench } from './reconcile';
import { CREDIT_GRANTS_PATH } from '../../common/central-api/paths';
import { benchIdSchema } from '../../trust/bench-id';
import { ADMIN_GRANTS_PATH, ADMIN_RECONCILE_PATH } from '../../common/central-api/paths';


export interface CreditsOptions {
  store: DistributionRepository;
  benches: ServerRepository;
  /** The root's credits role key; without it the server cannot issue grants (NOT_CONFIGURED). */
  signingKey: KeyPair | null;
  /** Seconds between periodic reconciliations (default 300); 0 disables the timer. */
  reconcileEverySeconds?: number;
}

const issueSchema = z.strictObject({
  benchId: benchIdSchema,
  credits: z.int().min(1).max(MAX_GRANT_CREDITS),
  validDays: z.int().min(1).max(MAX_GRANT_VALID_DAYS).default(365),
  grantId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'expected letters, digits, . _ -').optional(),
  note: storedText().max(500).optional(),
  actor: storedText().min(1).max(200).optional(),
});
const grantsQuerySchema = z.strictObject({ benchId: benchIdSchema.optional() });
const reconcileSchema = z.strictObject({ benchId: benchIdSchema.optional() });

const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function registerCreditsRoutes(app: ServerInstance, context: RouteContext, options: CreditsOptions): Promise<void> {
  const periodic = startPeriodicReconciliation({
    store: options.store,
    benches: options.benches,
    logger: context.logger,
    now: context.now,
    everySeconds: options.reconcileEverySeconds ?? DEFAULT_RECONCILE_EVERY_SECONDS,
  });
  app.addHook('onClose', async () => periodic.stop());

  app.post(ADMIN_GRANTS_PATH, tokenRoute('admin'), async (request, reply) => {
    const role = tokenRoleOf(request);
    const input = context.parse(issueSchema, request.body, 'credit grant');
    if (!options.signingKey) throw new ServerError('NOT_CONFIGURED', 'This server has no credits key: start it with --credits-key-file <credits.key.json>.');
    const bench = await options.benches.bench(input.benchId);
    if (!bench) throw new ServerError('NOT_FOUND', `No bench ${input.benchId} is enrolled with this server: grants go to enrolled benches.`);
    if (bench.status === 'revoked') throw new ServerError('BENCH_REVOKED', `Bench ${input.benchId} is revoked; it gets no grants.`);
    const issuedAt = context.now();
    const grantId = input.grantId ?? `grant-${isoSeconds(issuedAt).replace(/[-:TZ]/g, '')}-${randomBytes(4).toString('hex')}`;
    const issued = issueCreditGrant({ benchId: input.benchId, grantId, credits: input.credits, validDays: input.validDays, issuedAt }, options.signingKey);
    const grant = issued.grant;
    const bytes = Buffer.from(issued.bytes);
    const actor = input.actor ?? role;
    await options.store.addGrant(
      { ...grant, envelope_base64: bytes.toString('base64'), issued_by: actor, note: input.note ?? null, first_fetched_at: null },
      { at: issuedAt.toISOString(), role, actor, action: 'credits.grant_issued', detail: { grantId: grant.grant_id, benchId: grant.bench_id, credits: grant.credits, expires: grant.expires, note: input.note ?? null } },
    );
    context.logger.info({ grantId: grant.grant_id, benchId: grant.bench_id, credits: grant.credits }, 'credit grant issued');
    return reply.code(201).send({ grantId: grant.grant_id, benchId: grant.bench_id, credits: grant.credits, issuedAt: grant.issued_at, expires: grant.expires, grantBase64: bytes.toString('base64') });
  });

  app.get(ADMIN_GRANTS_PATH, tokenRoute('admin', 'support'), async (request) => {
    const { benchId } = context.parse(grantsQuerySchema, request.query, 'query');
    const grants = await options.store.grants(benchId);
    return grants.map((g) => ({ grantId: g.grant_id, benchId: g.bench_id, credits: g.credits, issuedAt: g.issued_at, expires: g.expires, issuedBy: g.issued_by, note: g.note, firstFetchedAt: g.first_fetched_at }));
  });

  app.get(CREDIT_GRANTS_PATH, async (request): Promise<CreditGrantsResponse> => {
    const { bench } = await context.authenticateBench(request);
    const grants = await options.store.grants(bench.bench_id);
    if (grants.length > 0) await options.store.markGrantsFetched(bench.bench_id, context.now().toISOString());
    return { benchId: bench.bench_id, grants: grants.map((g) => ({ grantId: g.grant_id, grantBase64: g.envelope_base64 })) };
  });

  app.post(ADMIN_RECONCILE_PATH, tokenRoute('admin'), async (request) => {
    const { benchId } = context.parse(reconcileSchema, request.body ?? {}, 'reconciliation');
    const benches = benchId ? [await options.benches.bench(benchId)] : await options.benches.benches();
    if (benchId && !benches[0]) throw new ServerError('NOT_FOUND', `No bench ${benchId} is enrolled with this server.`);
    const reports = [];
    for (const bench of benches) if (bench) reports.push(await reconcileBench(options.store, bench, context.now()));
    return { reconciledAt: context.now().toISOString(), benches: reports };
  });
}
