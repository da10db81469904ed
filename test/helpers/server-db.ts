import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';

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

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of its own for one test: a SQLite file in `dir`, or a fresh PostgreSQL database. */
export async function createTestDatabase(dialect: ServerDialect, dir: string): Promise<TestDatabase> {
  if (dialect === 'sqlite') return { url: `sqlite:${path.join(dir, 'server.sqlite')}`, drop: async () => {} };
  if (!TEST_PG_URL) throw new Error('INJBENCH_TEST_PG_URL is not set');
  const name = `injbench_test_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: TEST_PG_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
