import { describe, it } from 'vitest';
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
