import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { ServerError } from '../../server/server-error';
import { openServerDatabase } from '../../server/store/database';
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
    expect(first.migrations.map((m) => [m.migrationName, m.status])).toEqual([
      ['0001_enrolment_and_log_sync', 'Success'],
      ['0002_distribution_and_credits', 'Success'],
    ]);
    const tables = await first.db.introspection.getTables();
    expect(tables.map((t) => t.name).filter((name) => !name.startsWith('kysely_')).sort()).toEqual(
      ['alarms', 'benches', 'credit_findings', 'credit_grants', 'enrolment_codes', 'log_checkpoints', 'log_entries', 'pack_blobs', 'repository_files', 'repository_packs', 'request_nonces', 'server_evidence'],
    );
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
});
