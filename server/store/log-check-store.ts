/**
 * The whole-log re-checks an admin asked for (server/support/log-recheck.ts): one row per check, with its
 * progress while it runs and its verdict once done, so any instance of the server can report on a check and
 * a support read can mark entries from a fault the last check found as broken.
 *
 * A running check is held by the instance running it as a lease: that instance touches `updated_at` at
 * least every heartbeat, and a running row left untouched past the lease belongs to an instance that died
 * (killed, cut off from the database). Such a row is settled as failed ('interrupted') by whichever instance
 * looks at the bench's checks next, and a new check may start. Every later write of the dead instance is
 * conditional on the row still running, so a late one cannot revive it.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { LogVerdict } from '../../common/integrity-log/verify-log';
import type { DialectName } from './database';
import type { LogCheckTable, ServerDatabase } from './schema';

export type LogCheckState = LogCheckTable['state'];

export interface LogCheckRecord {
  checkId: string;
  benchId: string;
  requestedAt: string;
  state: LogCheckState;
  /** The bench's head when the check started: the check covers entries 1..headSeq. */
  headSeq: number;
  checkedThrough: number;
  updatedAt: string;
  finishedAt: string | null;
  /** The verdict once the check is done; null while it runs or when it could not finish (state 'failed'). */
  verdict: LogVerdict | null;
  /** Why a check could not finish (the database went away, the server stopped). */
  failure: string | null;
}

// Migrations run before the typed schema exists, so they take an untyped handle.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const logCheckMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('log_checks')
      .addColumn('check_id', 'text', (c) => c.primaryKey())
      .addColumn('bench_id', 'text', (c) => c.notNull().references('benches.bench_id'))
      .addColumn('requested_at', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull().check(sql`state IN ('running', 'done', 'failed')`))
      .addColumn('head_seq', 'integer', (c) => c.notNull())
      .addColumn('checked_through', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .addColumn('verdict_json', 'text')
      .addColumn('failure', 'text')
      .execute();
    await db.schema.createIndex('log_checks_bench_requested').on('log_checks').columns(['bench_id', 'requested_at']).execute();
  },
};

function toRecord(row: LogCheckTable): LogCheckRecord {
  return {
    checkId: row.check_id,
    benchId: row.bench_id,
    requestedAt: row.requested_at,
    state: row.state,
    headSeq: Number(row.head_seq),
    checkedThrough: Number(row.checked_through),
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    verdict: row.verdict_json === null ? null : (JSON.parse(row.verdict_json) as LogVerdict),
    failure: row.failure,
  };
}

export class LogCheckStore {
  constructor(
    private readonly db: Kysely<ServerDatabase>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Starts a check of the bench unless one is running: settles the bench's checks whose lease ran out
   * (`staleBefore`) as interrupted, then answers the running one if any is left, else records `check` as
   * running. One transaction, holding the bench's row on PostgreSQL, so two instances asked at once start
   * one check between them.
   */
  async begin(check: { checkId: string; benchId: string; requestedAt: string; headSeq: number }, staleBefore: string, interruption: string): Promise<{ record: LogCheckRecord; started: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      if (this.dialect === 'postgres') await trx.selectFrom('benches').select('bench_id').where('bench_id', '=', check.benchId).forUpdate().execute();
      const store = new LogCheckStore(trx, this.dialect);
      await store.settleInterrupted(check.benchId, staleBefore, check.requestedAt, interruption);
      const running = await trx.selectFrom('log_checks').selectAll().where('bench_id', '=', check.benchId).where('state', '=', 'running').orderBy('requested_at', 'desc').limit(1).executeTakeFirst();
      if (running) return { record: toRecord(running), started: false };
      return { record: await store.create(check), started: true };
    });
  }

  /** Settles the bench's running checks whose lease ran out (not touched since `staleBefore`) as failed; their last progress stays. */
  async settleInterrupted(benchId: string, staleBefore: string, at: string, interruption: string): Promise<number> {
    const result = await this.db
      .updateTable('log_checks')
      .set({ state: 'failed', failure: interruption, finished_at: at })
      .where('bench_id', '=', benchId)
      .where('state', '=', 'running')
      .where('updated_at', '<', staleBefore)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  private async create(check: { checkId: string; benchId: string; requestedAt: string; headSeq: number }): Promise<LogCheckRecord> {
    const row: LogCheckTable = {
      check_id: check.checkId,
      bench_id: check.benchId,
      requested_at: check.requestedAt,
      state: 'running',
      head_seq: check.headSeq,
      checked_through: 0,
      updated_at: check.requestedAt,
      finished_at: null,
      verdict_json: null,
      failure: null,
    };
    await this.db.insertInto('log_checks').values(row).execute();
    return toRecord(row);
  }

  /** Records progress and renews the lease; false when the check is no longer running (settled as interrupted). */
  async progress(checkId: string, checkedThrough: number, at: string): Promise<boolean> {
    const result = await this.db.updateTable('log_checks').set({ checked_through: checkedThrough, updated_at: at }).where('check_id', '=', checkId).where('state', '=', 'running').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Renews the lease; false when the check is no longer running (settled as interrupted). */
  async heartbeat(checkId: string, at: string): Promise<boolean> {
    const result = await this.db.updateTable('log_checks').set({ updated_at: at }).where('check_id', '=', checkId).where('state', '=', 'running').executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Records the outcome of a running check; a check already settled as interrupted keeps that outcome. */
  async finish(checkId: string, outcome: { verdict: LogVerdict; checkedThrough: number } | { failure: string }, at: string): Promise<void> {
    const values =
      'verdict' in outcome
        ? { state: 'done' as const, verdict_json: JSON.stringify(outcome.verdict), checked_through: outcome.checkedThrough }
        : { state: 'failed' as const, failure: outcome.failure };
    await this.db
      .updateTable('log_checks')
      .set({ ...values, updated_at: at, finished_at: at })
      .where('check_id', '=', checkId)
      .where('state', '=', 'running')
      .execute();
  }

  async check(benchId: string, checkId: string): Promise<LogCheckRecord | null> {
    const row = await this.db.selectFrom('log_checks').selectAll().where('check_id', '=', checkId).where('bench_id', '=', benchId).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** The bench's most recent checks, newest first. */
  async checks(benchId: string, limit: number): Promise<LogCheckRecord[]> {
    const rows = await this.db.selectFrom('log_checks').selectAll().where('bench_id', '=', benchId).orderBy('requested_at', 'desc').orderBy('check_id', 'desc').limit(limit).execute();
    return rows.map(toRecord);
  }

  /** The bench's most recent check that reached a verdict: what a support read reports beside the ingest verdict. */
  async lastVerdict(benchId: string): Promise<LogCheckRecord | null> {
    const row = await this.db
      .selectFrom('log_checks')
      .selectAll()
      .where('bench_id', '=', benchId)
      .where('state', '=', 'done')
      .orderBy('requested_at', 'desc')
      .orderBy('check_id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }
}
