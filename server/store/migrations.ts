/**
 * The server's schema migrations: one list for SQLite and PostgreSQL alike, written with Kysely's schema
 * builder in the types both dialects share (text, integer). Append only: never edit one that has shipped.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { dialectOf } from './bulk-insert';
import { sessionIndexMigration } from './fleet-schema';
import { logCheckMigration } from './log-check-store';
import { sharedStateMigration } from './shared-state-repository';

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
  '0002_distribution_and_credits': {
    async up(db: AnyDb) {
      // Signed metadata as the exact bytes received (base64), one row per repository path.
      await db.schema
        .createTable('repository_files')
        .addColumn('path', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind IN ('root', 'timestamp', 'snapshot', 'index', 'directive')`))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('length', 'integer', (c) => c.notNull())
        .addColumn('content_base64', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text', (c) => c.notNull())
        .addColumn('publish_id', 'text', (c) => c.notNull())
        .execute();
      // Pack bytes live in the blob directory, named by their SHA-256; a row exists only once the file is whole.
      await db.schema
        .createTable('pack_blobs')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('length', 'integer', (c) => c.notNull())
        .addColumn('stored_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('repository_packs')
        .addColumn('path', 'text', (c) => c.primaryKey())
        .addColumn('family', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull().references('pack_blobs.sha256'))
        .addColumn('length', 'integer', (c) => c.notNull())
        .addColumn('manifest_sha256', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text', (c) => c.notNull())
        .addColumn('publish_id', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('server_evidence')
        .addColumn('evidence_id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('detail_json', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('server_evidence_at').on('server_evidence').columns(['at', 'evidence_id']).execute();
      await db.schema
        .createTable('credit_grants')
        .addColumn('grant_id', 'text', (c) => c.primaryKey())
        .addColumn('bench_id', 'text', (c) => c.notNull().references('benches.bench_id'))
        .addColumn('credits', 'integer', (c) => c.notNull())
        .addColumn('issued_at', 'text', (c) => c.notNull())
        .addColumn('expires', 'text', (c) => c.notNull())
        .addColumn('envelope_base64', 'text', (c) => c.notNull())
        .addColumn('issued_by', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('first_fetched_at', 'text')
        .execute();
      await db.schema.createIndex('credit_grants_bench').on('credit_grants').columns(['bench_id', 'issued_at']).execute();
      // One row per reconciliation finding, so a finding raises its alarm once however often reconciliation runs.
      await db.schema
        .createTable('credit_findings')
        .addColumn('finding_key', 'text', (c) => c.primaryKey())
        .addColumn('bench_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('alarm_id', 'text', (c) => c.notNull())
        .addColumn('found_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0003_session_index_and_release_health': sessionIndexMigration,
  '0004_log_tables_without_bench_foreign_keys': {
    /**
     * PostgreSQL checks a foreign key with a trigger and a locking query per inserted row: for the tables
     * every log batch writes, that was ~30 % of the database's CPU per batch. The key it guarded holds by
     * construction: a batch writes these rows only while holding its bench's row (FOR UPDATE, or the update
     * of the head that the same statement's inserts read), and benches are never deleted. SQLite's check is
     * one probe of the benches' primary key, not measurable, and SQLite cannot drop a constraint without
     * rebuilding the table: it keeps them.
     */
    async up(db: AnyDb) {
      if (dialectOf(db) !== 'postgres') return;
      for (const table of ['log_entries', 'log_checkpoints', 'session_index', 'release_activations']) {
        await sql.raw(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_bench_id_fkey`).execute(db);
      }
    },
  },
  '0005_keys_compared_as_bytes': {
    /**
     * PostgreSQL compares text by the database's collation: libc's strcoll for C.UTF-8 or en_US.UTF-8, many
     * times a byte comparison, and a log batch inserts some 800 index keys. The indexed text of the tables
     * every batch writes is ids, hashes, ISO times and codes, whose order is their bytes' order: they compare
     * as "C". SQLite compares text as bytes already.
     */
    async up(db: AnyDb) {
      if (dialectOf(db) !== 'postgres') return;
      for (const [table, columns] of Object.entries(BYTE_ORDERED_KEYS)) {
        await sql.raw(`ALTER TABLE ${table} ${columns.map((column) => `ALTER COLUMN ${column} TYPE text COLLATE "C"`).join(', ')}`).execute(db);
      }
    },
  },
  '0006_log_checks': logCheckMigration,
  '0007_bench_last_seen': {
    // When each bench last reached the server: the admin API and /metrics show benches that went quiet.
    async up(db: AnyDb) {
      await db.schema.alterTable('benches').addColumn('last_seen_at', 'text').execute();
    },
  },
  '0008_shared_state_across_instances': sharedStateMigration,
  '0009_app_update_releases': {
    /** App installers (blobs named by the signed app release) and the signed app release of each channel. */
    async up(db: AnyDb) {
      await db.schema
        .createTable('app_update_files')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('sha256', 'text', (c) => c.notNull().references('pack_blobs.sha256'))
        .addColumn('sha512', 'text', (c) => c.notNull())
        .addColumn('length', 'integer', (c) => c.notNull())
        .addColumn('uploaded_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('app_releases')
        .addColumn('channel', 'text', (c) => c.primaryKey().check(sql`channel IN ('canary', 'staged', 'stable', 'lts')`))
        .addColumn('sequence', 'integer', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('content_base64', 'text', (c) => c.notNull())
        .addColumn('published_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

/** The indexed text columns of the tables a log batch writes (0005). */
export const BYTE_ORDERED_KEYS: Record<string, readonly string[]> = {
  log_entries: ['bench_id'],
  log_checkpoints: ['bench_id'],
  request_nonces: ['bench_id', 'nonce', 'seen_at'],
  session_index: ['bench_id', 'session_id', 'injector_serial', 'started_at', 'family', 'pack_version', 'outcome'],
  release_activations: ['bench_id', 'family', 'version', 'recorded_at'],
};
