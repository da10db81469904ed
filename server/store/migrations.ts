/**
 * The server's schema migrations: one list for SQLite and PostgreSQL alike, written with Kysely's schema
 * builder in the types both dialects share (text, integer). Append only: never edit one that has shipped.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { sessionIndexMigration } from './fleet-schema';

// Migrations run before the typed schema exists, so they take an untyped handle.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const serverMigrations: Record<string, Migration> = {
  '0001_enrolment_and_log_sync': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('benches')
        .addColumn('bench_id', 'text', (c) => c.primaryKey())
        .addColumn('public_key', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status IN ('active', 'revoked')`))
        .addColumn('enrolled_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoke_reason', 'text')
        .addColumn('head_seq', 'integer', (c) => c.notNull())
        .addColumn('head_hash', 'text', (c) => c.notNull())
        .addColumn('sealed_through', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('enrolment_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('used_at', 'text')
        .addColumn('used_by', 'text')
        .execute();
      await db.schema
        .createTable('log_entries')
        .addColumn('bench_id', 'text', (c) => c.notNull().references('benches.bench_id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('entry_hash', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload_json', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('log_entries_pk', ['bench_id', 'seq'])
        .execute();
      await db.schema
        .createTable('log_checkpoints')
        .addColumn('bench_id', 'text', (c) => c.notNull().references('benches.bench_id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('entry_hash', 'text', (c) => c.notNull())
        .addColumn('signed_at', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('log_checkpoints_pk', ['bench_id', 'seq'])
        .execute();
      await db.schema
        .createTable('request_nonces')
        .addColumn('bench_id', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('seen_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('request_nonces_pk', ['bench_id', 'nonce'])
        .execute();
      await db.schema.createIndex('request_nonces_seen_at').on('request_nonces').column('seen_at').execute();
      await db.schema
        .createTable('alarms')
        .addColumn('alarm_id', 'text', (c) => c.primaryKey())
        .addColumn('bench_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('detail_json', 'text', (c) => c.notNull())
        .addColumn('raised_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alarms_bench_raised').on('alarms').columns(['bench_id', 'raised_at']).execute();
    },
  },
  '0003_session_index_and_release_health': sessionIndexMigration,
};
