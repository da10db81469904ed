/**
 * Canary health of one pack version, from what the benches synced: their sessions on that version (session
 * index) and their activation reports (packs.activate / packs.activate_refused), measured against the
 * version's publish time. Promotion gates (promotion-gates.ts) read these numbers.
 */
import { sql, type Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { ChannelName } from '../../trust/schemas';
import type { ServerDatabase } from './schema';
import { withFleetTables, type FleetDatabase, type ReleaseDecisionTable, type ReleaseNoticeTable } from './fleet-schema';

export interface ReleaseHealth {
  family: string;
  version: string;
  /** Sessions on this version that finished (passed + failed + aborted); refused and running are apart. */
  sessions: number;
  passed: number;
  failed: number;
  aborted: number;
  refused: number;
  running: number;
  benches: number;
  /** Null while no session finished. */
  passRate: number | null;
  abortRate: number | null;
  /** Reason codes of failed, aborted and refused sessions, most frequent first. */
  errorClasses: { errorClass: string; sessions: number }[];
  activation: {
    /** Benches that activated this version. */
    benches: number;
    /** Activation refusals for the family since publish (a refusal cannot name the version it refused). */
    refusals: number;
    successRate: number | null;
    /** Seconds from publish to each bench's first activation. */
    medianSecondsToActivate: number | null;
    maxSecondsToActivate: number | null;
  };
  publishedAt: string | null;
  secondsSincePublish: number | null;
  measuredAt: string;
}

export interface ReleaseNotice {
  noticeId: string;
  family: string;
  version: string;
  channel: string;
  publishedAt: string;
  windowStart: string | null;
  message: string;
  actor: string;
  ticket: string;
}

export interface ReleaseDecision {
  decisionId: string;
  family: string;
  version: string;
  channel: string;
  decidedAt: string;
  actor: string;
  reason: string;
  ticket: string;
  outcome: 'allowed' | 'overridden';
  gates: unknown;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? null) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const noticeOf = (row: ReleaseNoticeTable): ReleaseNotice => ({
  noticeId: row.notice_id,
  family: row.family,
  version: row.version,
  channel: row.channel,
  publishedAt: row.published_at,
  windowStart: row.window_start,
  message: row.message,
  actor: row.actor,
  ticket: row.ticket,
});

const decisionOf = (row: ReleaseDecisionTable): ReleaseDecision => ({
  decisionId: row.decision_id,
  family: row.family,
  version: row.version,
  channel: row.channel,
  decidedAt: row.decided_at,
  actor: row.actor,
  reason: row.reason,
  ticket: row.ticket,
  outcome: row.outcome,
  gates: JSON.parse(row.gates_json) as unknown,
});

export class ReleaseHealthRepository {
  private readonly db: Kysely<FleetDatabase>;

  constructor(db: Kysely<ServerDatabase>) {
    this.db = withFleetTables(db);
  }

  async health(family: string, version: string, publishedAt: string | null, now: Date): Promise<ReleaseHealth> {
    const outcomes = await this.db
      .selectFrom('session_index')
      .select(['outcome', sql<number>`count(*)`.as('sessions')])
      .where('family', '=', family)
      .where('pack_version', '=', version)
      .groupBy('outcome')
      .execute();
    const count = (outcome: string): number => Number(outcomes.find((row) => row.outcome === outcome)?.sessions ?? 0);
    const benches = await this.db
      .selectFrom('session_index')
      .select(sql<number>`count(distinct bench_id)`.as('benches'))
      .where('family', '=', family)
      .where('pack_version', '=', version)
      .executeTakeFirst();
    const errorClasses = await this.db
      .selectFrom('session_index')
      .select(['error_class', sql<number>`count(*)`.as('sessions')])
      .where('family', '=', family)
      .where('pack_version', '=', version)
      .where('error_class', 'is not', null)
      .groupBy('error_class')
      .execute();
    const firstActivations = await this.db
      .selectFrom('release_activations')
      .select(['bench_id', sql<string>`min(recorded_at)`.as('first_at')])
      .where('family', '=', family)
      .where('version', '=', version)
      .where('outcome', '=', 'activated')
      .groupBy('bench_id')
      .execute();
    let refusalsQuery = this.db.selectFrom('release_activations').select(sql<number>`count(*)`.as('refusals')).where('family', '=', family).where('outcome', '=', 'refused');
    if (publishedAt) refusalsQuery = refusalsQuery.where('recorded_at', '>=', publishedAt);
    const refusals = Number((await refusalsQuery.executeTakeFirst())?.refusals ?? 0);

    const passed = count('passed');
    const failed = count('failed');
    const aborted = count('aborted');
    const finished = passed + failed + aborted;
    const publishTime = publishedAt ? Date.parse(publishedAt) : Number.NaN;
    const delays = Number.isFinite(publishTime) ? firstActivations.map((row) => Math.max(0, (Date.parse(row.first_at) - publishTime) / 1000)) : [];
    return {
      family,
      version,
      sessions: finished,
      passed,
      failed,
      aborted,
      refused: count('refused'),
      running: count('running'),
      benches: Number(benches?.benches ?? 0),
      passRate: ratio(passed, finished),
      abortRate: ratio(aborted, finished),
      errorClasses: errorClasses
        .map((row) => ({ errorClass: row.error_class ?? '', sessions: Number(row.sessions) }))
        .sort((a, b) => b.sessions - a.sessions || a.errorClass.localeCompare(b.errorClass)),
      activation: {
        benches: firstActivations.length,
        refusals,
        successRate: ratio(firstActivations.length, firstActivations.length + refusals),
        medianSecondsToActivate: median(delays),
        maxSecondsToActivate: delays.length ? Math.max(...delays) : null,
      },
      publishedAt,
      secondsSincePublish: Number.isFinite(publishTime) ? Math.max(0, Math.round((now.getTime() - publishTime) / 1000)) : null,
      measuredAt: now.toISOString(),
    };
  }

  async addNotice(notice: Omit<ReleaseNotice, 'noticeId'>): Promise<ReleaseNotice> {
    const row: ReleaseNoticeTable = {
      notice_id: randomUUID(),
      family: notice.family,
      version: notice.version,
      channel: notice.channel,
      published_at: notice.publishedAt,
      window_start: notice.windowStart,
      message: notice.message,
      actor: notice.actor,
      ticket: notice.ticket,
    };
    await this.db.insertInto('release_notices').values(row).execute();
    return noticeOf(row);
  }

  async notices(family: string, version: string, channel?: ChannelName): Promise<ReleaseNotice[]> {
    let query = this.db.selectFrom('release_notices').selectAll().where('family', '=', family).where('version', '=', version);
    if (channel) query = query.where('channel', '=', channel);
    return (await query.orderBy('published_at').orderBy('notice_id').execute()).map(noticeOf);
  }

  async addDecision(decision: Omit<ReleaseDecision, 'decisionId'>): Promise<ReleaseDecision> {
    const row: ReleaseDecisionTable = {
      decision_id: randomUUID(),
      family: decision.family,
      version: decision.version,
      channel: decision.channel,
      decided_at: decision.decidedAt,
      actor: decision.actor,
      reason: decision.reason,
      ticket: decision.ticket,
      outcome: decision.outcome,
      gates_json: JSON.stringify(decision.gates),
    };
    await this.db.insertInto('release_decisions').values(row).execute();
    return decisionOf(row);
  }

  async decisions(family: string, version: string, channel?: ChannelName): Promise<ReleaseDecision[]> {
    let query = this.db.selectFrom('release_decisions').selectAll().where('family', '=', family).where('version', '=', version);
    if (channel) query = query.where('channel', '=', channel);
    return (await query.orderBy('decided_at').orderBy('decision_id').execute()).map(decisionOf);
  }
}
