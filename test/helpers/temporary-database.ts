import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A throwaway server database: a SQLite file in `dir`, or a fresh database on the PostgreSQL cluster at
 * `postgresUrl`, dropped again by `drop()`. Free of Vitest, so benchmarks use it too.
 */
export async function createTemporaryDatabase(dialect: 'sqlite' | 'postgres', dir: string, postgresUrl: string | undefined): Promise<TestDatabase> {
  if (dialect === 'sqlite') return { url: `sqlite:${path.join(dir, 'server.sqlite')}`, drop: async () => {} };
  if (!postgresUrl) throw new Error('no PostgreSQL URL: export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)"');
  const name = `injbench_test_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
