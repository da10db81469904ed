import type Database from 'better-sqlite3';
import { ServiceError } from '../service-error';
import { migrations as allMigrations, type Migration } from './migrations/index';

export interface MigrationOutcome {
  from: number;
  to: number;
  applied: number[];
}

export function schemaVersionOf(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Brings the database up to `target`, one migration per transaction, so a crash leaves it at the last
 * completed version. Running it again is a no-op; a database newer than this app is refused untouched.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = allMigrations,
  target: number = migrations.at(-1)?.version ?? 0,
): MigrationOutcome {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration list is not numbered 1..n: found ${migration.version} at position ${index + 1}.`);
    }
  });
  const latest = migrations.at(-1)?.version ?? 0;
  const from = schemaVersionOf(db);
  if (from > latest) {
    throw new ServiceError(
      'STORE_TOO_NEW',
      `The bench database is at schema version ${from}, newer than this app knows (${latest}). Update the app; the database was left untouched.`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= from || migration.version > target) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      // user_version cannot take a bound parameter; the value is an integer from our own list.
      db.pragma(`user_version = ${migration.version}`);
    })();
    applied.push(migration.version);
  }
  return { from, to: schemaVersionOf(db), applied };
}
