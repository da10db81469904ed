/**
 * Tables of the session index, release health and the support web view, with their migration
 * ('0003_session_index_and_release_health', listed in server/store/migrations.ts). Kept beside the code
 * that uses them; queries see them through `withFleetTables`, so the shared schema stays untouched.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from './bulk-insert';
import type { ServerDatabase } from './schema';
import { indexLogEntries } from './session-indexer';

export const sessionOutcomes = ['running', 'passed', 'failed', 'aborted', 'refused'] as const;
export type SessionOutcome = (typeof sessionOutcomes)[number];

export interface SessionIndexTable {
  bench_id: string;
  session_id: string;
  injector_serial: string | null;
  part_number: string | null;
  family: string | null;
  pack_version: string | null;
  pack_sha256: string | null;
  /** The bench's clock, ISO 8601 (as its log recorded it). */
  started_at: string | null;
  ended_at: string | null;
  outcome: SessionOutcome;
  /** The reason code of a failed, aborted or refused session (ELECTRICAL_FAIL, DISCONNECTED, …). */
  error_class: string | null;
  first_seq: number;
  last_seq: number;
}

/** A bench's pack activation report (`packs.activate` / `packs.activate_refused` in its log). */
export interface ReleaseActivationTable {
  bench_id: string;
  seq: number;
  family: string;
  /** Null for a refusal: the bench refused before it knew which version it would get. */
  version: string | null;
  sha256: string | null;
  outcome: 'activated' | 'refused';
  code: string | null;
  recorded_at: string;
}

export interface ReleaseNoticeTable {
  notice_id: string;
  family: string;
  version: string;
  channel: string;
  /** When the server recorded it: the notice period counts from here. */
  published_at: string;
  window_start: string | null;
  message: string;
  actor: string;
  ticket: string;
}

export interface ReleaseDecisionTable {
  decision_id: string;
  family: string;
  version: string;
  channel: string;
  decided_at: string;
  actor: string;
  reason: string;
  ticket: string;
  /** allowed: every gate met; overridden: promoted with --override despite unmet gates. */
  outcome: 'allowed' | 'overridden';
  gates_json: string;
}

export interface SupportWebSessionTable {
  /** SHA-256 of the cookie value: a database leak does not leak sessions. */
  session_hash: string;
  csrf_token: string;
  role: string;
  /** The named support user, or null when signed in with a server token. */
  user_name: string | null;
  created_at: string;
  expires_at: string;
}

/** Named, read-only support users of the web view; the admin creates them and can disable them. */
export interface SupportUserTable {
  name: string;
  /** scrypt$N$r$p$salt$hash (common/pin-hash.ts). */
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
}

export interface FleetTables {
  session_index: SessionIndexTable;
  release_activations: ReleaseActivationTable;
  release_notices: ReleaseNoticeTable;
  release_decisions: ReleaseDecisionTable;
  support_web_sessions: SupportWebSessionTable;
  support_users: SupportUserTable;
}

export type FleetDatabase = ServerDatabase & FleetTables;

/**
 * The same connection (or transaction) seen with the fleet tables typed. Only the static type changes
 * (what Kysely's withTables does), so a transaction stays that transaction.
 */
export function withFleetTables(db: Kysely<ServerDatabase>): Kysely<FleetDatabase> {
  return db as unknown as Kysely<FleetDatabase>;
}

// Migrations run before the typed schema exists, so they take an untyped handle.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

const BACKFILL_PAGE = 5000;

/**
 * A server upgraded to this migration already holds logs: their sessions and activation reports are indexed
 * here, a page of entries at a time, by the same code ingest uses (upserts, so a session across pages merges).
 */
async function backfillSessionIndex(db: AnyDb): Promise<void> {
  const typed = db as Kysely<ServerDatabase>;
  const dialect = dialectOf(db);
  const benches = await typed.selectFrom('benches').select(['bench_id', 'head_seq']).execute();
  for (const bench of benches) {
    const pages = Math.ceil(Number(bench.head_seq) / BACKFILL_PAGE) + 1;
    let after = 0;
    for (let page = 0; page < pages; page += 1) {
      const rows = await typed.selectFrom('log_entries').selectAll().where('bench_id', '=', bench.bench_id).where('seq', '>', after).orderBy('seq').limit(BACKFILL_PAGE).execute();
      if (rows.length === 0) break;
      await indexLogEntries(
        typed,
        dialect,
        bench.bench_id,
        rows.map((row) => ({ seq: Number(row.seq), prevHash: row.prev_hash, entryHash: row.entry_hash, recordedAt: row.recorded_at, type: row.type, payloadJson: row.payload_json })),
      );
      after = Number(rows.at(-1)?.seq ?? after);
    }
  }
}

export const sessionIndexMigration: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('session_index')
      .addColumn('bench_id', 'text', (c) => c.notNull().references('benches.bench_id'))
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('injector_serial', 'text')
      .addColumn('part_number', 'text')
      .addColumn('family', 'text')
      .addColumn('pack_version', 'text')
      .addColumn('pack_sha256', 'text')
      .addColumn('started_at', 'text')
      .addColumn('ended_at', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome IN ('running', 'passed', 'failed', 'aborted', 'refused')`))
      .addColumn('error_class', 'text')
      .addColumn('first_seq', 'integer', (c) => c.notNull())
      .addColumn('last_seq', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('session_index_pk', ['bench_id', 'session_id'])
      .execute();
    // One index per support lookup: by session id, by serial, by bench and time, by time; health by version.
    await db.schema.createIndex('session_index_session').on('session_index').column('session_id').execute();
    await db.schema.createIndex('session_index_serial').on('session_index').columns(['injector_serial', 'started_at']).execute();
    await db.schema.createIndex('session_index_bench_started').on('session_index').columns(['bench_id', 'started_at']).execute();
    await db.schema.createIndex('session_index_started').on('session_index').column('started_at').execute();
    await db.schema.createIndex('session_index_version').on('session_index').columns(['family', 'pack_version', 'outcome']).execute();

    await db.schema
      .createTable('release_activations')
      .addColumn('bench_id', 'text', (c) => c.notNull().references('benches.bench_id'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('family', 'text', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('sha256', 'text')
      .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome IN ('activated', 'refused')`))
      .addColumn('code', 'text')
      .addColumn('recorded_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('release_activations_pk', ['bench_id', 'seq'])
      .execute();
    await db.schema.createIndex('release_activations_version').on('release_activations').columns(['family', 'version', 'recorded_at']).execute();

    await db.schema
      .createTable('release_notices')
      .addColumn('notice_id', 'text', (c) => c.primaryKey())
      .addColumn('family', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('published_at', 'text', (c) => c.notNull())
      .addColumn('window_start', 'text')
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('ticket', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('release_notices_target').on('release_notices').columns(['family', 'version', 'channel']).execute();

    await db.schema
      .createTable('release_decisions')
      .addColumn('decision_id', 'text', (c) => c.primaryKey())
      .addColumn('family', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('decided_at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('ticket', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome IN ('allowed', 'overridden')`))
      .addColumn('gates_json', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('release_decisions_target').on('release_decisions').columns(['family', 'version', 'channel']).execute();

    await backfillSessionIndex(db);

    await db.schema
      .createTable('support_web_sessions')
      .addColumn('session_hash', 'text', (c) => c.primaryKey())
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('user_name', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('support_web_sessions_expires').on('support_web_sessions').column('expires_at').execute();
    await db.schema
      .createTable('support_users')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('disabled_at', 'text')
      .execute();
  },
};
