import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { ServerError } from '../../server/server-error';
import { openServerDatabase } from '../../server/store/database';
import { BYTE_ORDERED_KEYS, serverMigrations } from '../../server/store/migrations';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';

describeEachDialect('server database migrations', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase | null = null;

  afterEach(async () => {
    await database?.drop();
    database = null;
  });

  it('build the schema from empty, do nothing the second time, and refuse a database from a newer server', async () => {
    database = await createTestDatabase(dialect, tempDir());
    const first = await openServerDatabase(database.url);
    expect(Object.keys(serverMigrations).sort()).toEqual([
      '0001_enrolment_and_log_sync', '0002_distribution_and_credits', '0003_session_index_and_release_health', '0004_log_tables_without_bench_foreign_keys', '0005_keys_compared_as_bytes',
      '0006_log_checks', '0007_bench_last_seen', '0008_shared_state_across_instances', '0009_app_update_releases',
    ]);
    expect(first.migrations.map((m) => [m.migrationName, m.status])).toEqual(Object.keys(serverMigrations).sort().map((name) => [name, 'Success']));
    const tables = (await first.db.introspection.getTables()).map((t) => t.name).filter((name) => !name.startsWith('kysely_'));
    expect(tables.sort()).toEqual(
      [
        'alarms', 'app_releases', 'app_update_files', 'benches', 'credit_findings', 'credit_grants', 'enrolment_codes', 'log_checkpoints', 'log_checks', 'log_entries', 'pack_blobs', 'release_activations',
        'release_decisions', 'release_notices', 'repository_files', 'repository_packs', 'request_nonces', 'server_evidence', 'session_index',
        'support_users', 'support_web_sessions', 'sign_in_counters', 'periodic_task_runs',
      ].sort(),
    );
    if (dialect === 'postgres') {
      // 0004: the tables every log batch writes carry no per-row foreign key check.
      const keys = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.table_constraints WHERE constraint_type = 'FOREIGN KEY' ORDER BY table_name`.execute(first.db);
      expect(keys.rows.map((r) => r.table_name)).toEqual(['app_update_files', 'credit_grants', 'log_checks', 'repository_packs']);
      // 0005: their indexed text compares as bytes.
      const collated = await sql<{ table_name: string; column_name: string }>`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND collation_name = 'C'`.execute(first.db);
      const expected = Object.entries(BYTE_ORDERED_KEYS).flatMap(([table, columns]) => columns.map((column) => `${table}.${column}`));
      expect(collated.rows.map((r) => `${r.table_name}.${r.column_name}`).sort()).toEqual(expected.sort());
    }
    await first.close();

    const again = await openServerDatabase(database.url);
    expect(again.migrations).toEqual([]);
    // A later server version ran a migration this one does not know.
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', '2030-01-01T00:00:00.000Z')`.execute(again.db);
    await again.close();

    const refused = await openServerDatabase(database.url).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ServerError);
    expect((refused as ServerError).message).toMatch(/upgraded by a newer server \(migration 9999_from_the_future\).*left untouched/);
  });

  it('indexes the sessions of logs stored before the session index existed (0003 backfills)', async () => {
    database = await createTestDatabase(dialect, tempDir());
    const opened = await openServerDatabase(database.url);
    await opened.close();
    // Back to the database as a server from before the index left it: 0003 not applied, logs stored.
    const older = await openServerDatabase(database.url);
    await sql`DELETE FROM kysely_migration WHERE name > '0002_distribution_and_credits'`.execute(older.db);
    await older.db.schema.alterTable('benches').dropColumn('last_seen_at').execute();
    for (const table of ['session_index', 'release_activations', 'release_notices', 'release_decisions', 'support_web_sessions', 'support_users', 'log_checks', 'sign_in_counters', 'periodic_task_runs', 'app_update_files', 'app_releases']) await older.db.schema.dropTable(table).execute();
    const now = '2026-11-22T08:00:00.000Z';
    await older.db.insertInto('benches').values({ bench_id: 'bench-0123456789abcdef', public_key: 'k', status: 'active', enrolled_at: now, revoked_at: null, revoke_reason: null, head_seq: 4, head_hash: 'h', sealed_through: 0 }).execute();
    const payloads: [string, Record<string, unknown>][] = [
      ['packs.activate', { family: 'bosch-like-cri', version: '1.1.0', sha256: 'a'.repeat(64), changed: true }],
      ['session.started', { sessionId: 'ses-1', partNumber: 'SYN-0445110-001', serial: 'INJ-1' }],
      ['session.step', { sessionId: 'ses-1', id: 'VL' }],
      ['session.aborted', { sessionId: 'ses-1', reason: 'DISCONNECTED', pack: { family: 'bosch-like-cri', version: '1.1.0', sha256: 'a'.repeat(64) } }],
    ];
    await older.db
      .insertInto('log_entries')
      .values(payloads.map(([type, payload], i) => ({ bench_id: 'bench-0123456789abcdef', seq: i + 1, prev_hash: 'p', entry_hash: `e${i}`, recorded_at: now, type, payload_json: JSON.stringify(payload), received_at: now })))
      .execute();
    await older.close();

    const upgraded = await openServerDatabase(database.url);
    // Everything after 0002 runs again, in order.
    expect(upgraded.migrations.map((m) => m.migrationName)).toEqual(Object.keys(serverMigrations).sort().slice(2));
    const rows = await sql<{ session_id: string; outcome: string; error_class: string; first_seq: number; last_seq: number; injector_serial: string }>`SELECT * FROM session_index`.execute(upgraded.db);
    expect(rows.rows.map((r) => [r.session_id, r.injector_serial, r.outcome, r.error_class, Number(r.first_seq), Number(r.last_seq)])).toEqual([['ses-1', 'INJ-1', 'aborted', 'DISCONNECTED', 2, 4]]);
    const activations = await sql<{ version: string }>`SELECT version FROM release_activations`.execute(upgraded.db);
    expect(activations.rows.map((r) => r.version)).toEqual(['1.1.0']);
    await upgraded.close();
  });
});
