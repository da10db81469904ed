/**
 * Canary health and promotion gating:
 *   GET  /api/v1/releases/health/:family/:version[?publishedAt=]      support or admin
 *   POST /api/v1/releases/notices                                      admin: record a release notice
 *   GET  /api/v1/releases/notices/:family/:version                     support or admin
 *   POST /api/v1/releases/promotions/check                             admin: the gates, nothing recorded
 *   POST /api/v1/releases/promotions                                   admin: gates met (or --override) → recorded
 *   GET  /api/v1/releases/promotions/:family/:version                  support or admin: the decisions
 *
 * The publish time comes from the server's own distribution record when one is wired in (`publishedAtOf`),
 * else from the caller (the release manager's signed index: versions[v].published_at).
 */
import { z } from 'zod';
import { storedText } from '../stored-text';
import { channelNames, featureId, semver, type ChannelName } from '../../trust/schemas';
import { ServerError } from '../server-error';
import { parseInput, timeBound, tokenRoute, type FleetRouteContext, type ServerInstance } from '../sessions/route-context';
import { describeUnmet, evaluateGates, type PromotionGate } from './promotion-gates';
import { ReleaseHealthRepository, type ReleaseHealth } from '../store/release-health-repository';
import { resolveReleasePolicy, type ChannelPolicy, type ReleasePolicyInput } from './release-policy';
import { PROMOTIONS_PATH, PROMOTION_CHECK_PATH, RELEASES_PREFIX, RELEASE_NOTICES_PATH } from '../../common/central-api/paths';


export interface ReleaseRouteOptions {
  policy?: ReleasePolicyInput;
  /** The server's distribution record of a version's publish time, when it keeps one. */
  publishedAtOf?: (family: string, version: string) => Promise<string | null>;
}

const auditText = storedText().trim().min(1).max(2000);
const targetParams = z.strictObject({ family: featureId, version: semver });
const healthQuery = z.strictObject({ publishedAt: timeBound('from').optional() });
const noticeBody = z.strictObject({
  family: featureId,
  version: semver,
  channel: z.enum(channelNames),
  message: auditText,
  windowStart: timeBound('from').optional(),
  actor: auditText,
  ticket: auditText,
});
const checkBody = z.strictObject({ family: featureId, version: semver, to: z.enum(channelNames), publishedAt: timeBound('from').optional() });
const promotionBody = checkBody.extend({ actor: auditText, reason: auditText, ticket: auditText, override: z.boolean().default(false) });

export interface PromotionCheck {
  family: string;
  version: string;
  to: ChannelName;
  allowed: boolean;
  gates: PromotionGate[];
  policy: ChannelPolicy;
  health: ReleaseHealth;
}

export function registerReleaseRoutes(app: ServerInstance, context: FleetRouteContext, options: ReleaseRouteOptions = {}): void {
  const store = new ReleaseHealthRepository(context.repository.db);
  const policy = resolveReleasePolicy(options.policy);

  async function publishedAt(family: string, version: string, fromCaller: string | undefined): Promise<string | null> {
    return (await options.publishedAtOf?.(family, version)) ?? fromCaller ?? null;
  }

  async function check(input: z.infer<typeof checkBody>): Promise<PromotionCheck> {
    const now = context.now();
    const health = await store.health(input.family, input.version, await publishedAt(input.family, input.version, input.publishedAt), now);
    const channelPolicy = policy[input.to];
    const gates = evaluateGates({
      channel: input.to,
      policy: channelPolicy,
      health,
      notices: await store.notices(input.family, input.version, input.to),
      decisions: await store.decisions(input.family, input.version),
      now,
    });
    return { family: input.family, version: input.version, to: input.to, allowed: gates.every((gate) => gate.met), gates, policy: channelPolicy, health };
  }

  app.get(`${RELEASES_PREFIX}/health/:family/:version`, tokenRoute('admin', 'support', 'release'), async (request) => {
    const { family, version } = parseInput(targetParams, request.params, 'release');
    const query = parseInput(healthQuery, request.query, 'health query');
    return store.health(family, version, await publishedAt(family, version, query.publishedAt), context.now());
  });

  app.post(RELEASE_NOTICES_PATH, tokenRoute('admin', 'release'), async (request, reply) => {
    const input = parseInput(noticeBody, request.body, 'release notice');
    const notice = await store.addNotice({ ...input, windowStart: input.windowStart ?? null, publishedAt: context.now().toISOString() });
    context.logger.info({ family: notice.family, version: notice.version, channel: notice.channel }, 'release notice recorded');
    return reply.code(201).send(notice);
  });

  app.get(`${RELEASE_NOTICES_PATH}/:family/:version`, tokenRoute('admin', 'support'), async (request) => {
    const { family, version } = parseInput(targetParams, request.params, 'release');
    return store.notices(family, version);
  });

  app.post(PROMOTION_CHECK_PATH, tokenRoute('admin', 'release'), async (request) => {
    return check(parseInput(checkBody, request.body, 'promotion check'));
  });

  app.post(PROMOTIONS_PATH, tokenRoute('admin', 'release'), async (request, reply) => {
    const input = parseInput(promotionBody, request.body, 'promotion');
    const result = await check(input);
    if (!result.allowed && !input.override) {
      throw new ServerError('PROMOTION_GATED', `Promotion of ${input.family} ${input.version} to ${input.to} is refused; unmet gate(s):\n${describeUnmet(result.gates)}`);
    }
    // The CLI signs the new index locally first and records here second; when this record is refused or lost,
    // it puts its signed metadata back (cli/commands/release.ts promoteThenRecord), so a decision exists only
    // for a promotion that was signed.
    const decision = await store.addDecision({
      family: input.family,
      version: input.version,
      channel: input.to,
      decidedAt: context.now().toISOString(),
      actor: input.actor,
      reason: input.reason,
      ticket: input.ticket,
      outcome: result.allowed ? 'allowed' : 'overridden',
      gates: result.gates,
    });
    context.logger.warn({ family: input.family, version: input.version, to: input.to, outcome: decision.outcome }, 'promotion recorded');
    return reply.code(201).send({ ...result, decision });
  });

  app.get(`${PROMOTIONS_PATH}/:family/:version`, tokenRoute('admin', 'support'), async (request) => {
    const { family, version } = parseInput(targetParams, request.params, 'release');
    return store.decisions(family, version);
  });
}
