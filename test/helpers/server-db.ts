import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { openServerDatabase, type OpenedDatabase } from '../../server/store/database';
import { ServerRepository, type BenchRecord } from '../../server/store/server-repository';
import { createTemporaryDatabase, type TestDatabase } from './temporary-database';

export type { TestDatabase };

export type ServerDialect = 'sqlite' | 'postgres';
export const serverDialects: readonly ServerDialect[] = ['sqlite', 'postgres'];

export const TEST_PG_URL = process.env.INJBENCH_TEST_PG_URL;
const START_HINT = 'export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)"';

/**
 * Runs `body` once per database. PostgreSQL comes from INJBENCH_TEST_PG_URL: in CI its absence is a
 * failing test; elsewhere the PostgreSQL half is skipped and the reason printed.
 */
export function describeEachDialect(name: string, body: (dialect: ServerDialect) => void): void {
  for (const dialect of serverDialects) {
    const missing = dialect === 'postgres' && !TEST_PG_URL;
    if (missing && !process.env.CI) {
      console.warn(`[skip] ${name} [postgres]: INJBENCH_TEST_PG_URL is not set. To run it: ${START_HINT}`);
      describe.skip(`${name} [postgres]`, () => body(dialect));
      continue;
    }
    describe(`${name} [${dialect}]`, () => {
      if (missing) {
        it('has PostgreSQL, which CI requires', () => {
          throw new Error(`INJBENCH_TEST_PG_URL is not set in CI: .ci/run must start PostgreSQL (${START_HINT}).`);
        });
        return;
      }
      body(dialect);
    });
  }
}

/** A database of its own for one test: a SQLite file in `dir`, or a fresh PostgreSQL database. */
export function createTestDatabase(dialect: ServerDialect, dir: string): Promise<TestDatabase> {
  if (dialect === 'postgres' && !TEST_PG_URL) throw new Error('INJBENCH_TEST_PG_URL is not set');
  return createTemporaryDatabase(dialect, dir, TEST_PG_URL);
}

/**
 * A server repository on a database of its own for each test, built as the server builds it (on SQLite the
 * log is flushed off the event loop), and benches enrolled straight through it.
 */
export function useTestRepository(dialect: ServerDialect, dir: () => string) {
  let database: TestDatabase | undefined;
  let opened: OpenedDatabase | undefined;
  let repository: ServerRepository | undefined;
  beforeEach(async () => {
    database = await createTestDatabase(dialect, dir());
    opened = await openServerDatabase(database.url);
    repository = new ServerRepository(opened.db, opened.dialect, { walFile: opened.walFile });
  });
  afterEach(async () => {
    await repository?.close();
    await opened?.close();
    await database?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestRepository: only inside a test');
    return value;
  };
  return {
    get opened(): OpenedDatabase {
      return ready(opened);
    },
    get repository(): ServerRepository {
      return ready(repository);
    },
    async enrol(benchId: string): Promise<BenchRecord> {
      const codeHash = randomBytes(32).toString('hex');
      const now = new Date().toISOString();
      await ready(repository).addEnrolmentCode({ codeHash, createdAt: now, expiresAt: new Date(Date.now() + 60_000).toISOString(), note: null });
      return ready(repository).enrol({ codeHash, benchId, publicKey: randomBytes(32).toString('base64'), now });
    },
  };
}
