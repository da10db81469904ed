/**
 * State that several server instances on one database must share, kept in the database (SQLite and
 * PostgreSQL alike) instead of in a process:
 * - failed sign-in counters of the support web view (server/support/web/sign-in-limiter.ts), updated by one
 *   atomic upsert each, so two instances counting the same name at once lose no failure;
 * - claims of periodic tasks: each period of a timer is claimed by exactly one instance (a primary key), so
 *   the credit reconciliation runs once per period across the fleet's servers, not once per instance.
 * Its tables are its own (migration 0006), seen through `withSharedStateTables` like the fleet tables.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { ServerDatabase } from './schema';

interface SignInCounterTable {
  /** "name\0<address>\0<name>" or "address\0<address>" (sign-in-limiter.ts). */
  counter_key: string;
  /** ISO time the current counting window started. */
  window_started_at: string;
  failures: number;
  /** ISO time the lockout ends; null while not locked. */
  locked_until: string | null;
}

interface PeriodicTaskRunTable {
  task: string;
  /** ISO start of the period claimed. */
  period_start: string;
  instance_id: string;
  claimed_at: string;
}

type SharedStateDatabase = ServerDatabase & { sign_in_counters: SignInCounterTable; periodic_task_runs: PeriodicTaskRunTable };

// Migrations run before the typed schema exists, so they take an untyped handle.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const sharedStateMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('sign_in_counters')
      .addColumn('counter_key', 'text', (c) => c.primaryKey())
      .addColumn('window_started_at', 'text', (c) => c.notNull())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('locked_until', 'text')
      .execute();
    await db.schema
      .createTable('periodic_task_runs')
      .addColumn('task', 'text', (c) => c.notNull())
      .addColumn('period_start', 'text', (c) => c.notNull())
      .addColumn('instance_id', 'text', (c) => c.notNull())
      .addColumn('claimed_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('periodic_task_runs_pk', ['task', 'period_start'])
      .execute();
  },
};

export interface CounterState {
  failures: number;
  lockedUntil: string | null;
}

export interface FailureCount {
  key: string;
  limit: number;
}

/** How long a claim row is kept (they are one per period; older ones only show who ran what). */
const CLAIM_HISTORY_MS = 24 * 3_600_000;

export class SharedStateRepository {
  private readonly db: Kysely<SharedStateDatabase>;

  constructor(db: Kysely<ServerDatabase>) {
    this.db = db as unknown as Kysely<SharedStateDatabase>;
  }

  /** The counters under these keys that exist. */
  async counters(keys: readonly string[]): Promise<Map<string, CounterState>> {
    const rows = await this.db.selectFrom('sign_in_counters').selectAll().where('counter_key', 'in', [...keys]).execute();
    return new Map(rows.map((row) => [row.counter_key, { failures: Number(row.failures), lockedUntil: row.locked_until }]));
  }

  /**
   * Counts one failure under `key` in one statement: a window that has passed (or a lockout that ended)
   * starts over at 1; reaching `limit` locks until `lockUntil`. Returns the counter after the update.
   */
  async countFailure(count: FailureCount, at: { now: string; windowStartedBefore: string; lockUntil: string }): Promise<CounterState> {
    const { key, limit } = count;
    const startsOver = sql<boolean>`(sign_in_counters.window_started_at <= ${at.windowStartedBefore} OR (sign_in_counters.locked_until IS NOT NULL AND sign_in_counters.locked_until <= ${at.now}))`;
    const row = await this.db
      .insertInto('sign_in_counters')
      .values({ counter_key: key, window_started_at: at.now, failures: 1, locked_until: limit <= 1 ? at.lockUntil : null })
      .onConflict((conflict) =>
        conflict.column('counter_key').doUpdateSet({
          window_started_at: sql<string>`CASE WHEN ${startsOver} THEN ${at.now} ELSE sign_in_counters.window_started_at END`,
          failures: sql<number>`CASE WHEN ${startsOver} THEN 1 ELSE sign_in_counters.failures + 1 END`,
          locked_until: sql<string | null>`CASE
            WHEN ${startsOver} THEN ${limit <= 1 ? at.lockUntil : null}
            WHEN sign_in_counters.locked_until IS NULL AND sign_in_counters.failures + 1 >= ${limit} THEN ${at.lockUntil}
            ELSE sign_in_counters.locked_until END`,
        }),
      )
      .returning(['failures', 'locked_until'])
      .executeTakeFirstOrThrow();
    return { failures: Number(row.failures), lockedUntil: row.locked_until };
  }

  async clearCounter(key: string): Promise<void> {
    await this.db.deleteFrom('sign_in_counters').where('counter_key', '=', key).execute();
  }

  /** Forgets counters whose window passed and that lock nothing (the table stays as small as the attack). */
  async forgetIdleCounters(windowStartedBefore: string, now: string): Promise<void> {
    await this.db
      .deleteFrom('sign_in_counters')
      .where('window_started_at', '<=', windowStartedBefore)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .execute();
  }

  /** True when this instance claimed the period (exactly one instance does); false when another had. */
  async claimPeriod(task: string, periodStart: string, instanceId: string, now: Date): Promise<boolean> {
    const claimed = await this.db
      .insertInto('periodic_task_runs')
      .values({ task, period_start: periodStart, instance_id: instanceId, claimed_at: now.toISOString() })
      .onConflict((conflict) => conflict.columns(['task', 'period_start']).doNothing())
      .executeTakeFirst();
    await this.db
      .deleteFrom('periodic_task_runs')
      .where('task', '=', task)
      .where('period_start', '<', new Date(now.getTime() - CLAIM_HISTORY_MS).toISOString())
      .execute();
    return Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** The periods of a task and the instance that claimed each, oldest first. */
  async periodClaims(task: string): Promise<{ periodStart: string; instanceId: string }[]> {
    const rows = await this.db.selectFrom('periodic_task_runs').select(['period_start', 'instance_id']).where('task', '=', task).orderBy('period_start').execute();
    return rows.map((row) => ({ periodStart: row.period_start, instanceId: row.instance_id }));
  }
}
