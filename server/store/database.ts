/**
 * Opens the server database named by a URL: `sqlite:FILE` (embedded default) or `postgres://…` (fleet
 * scale), and brings its schema up to date. Everything above this module is dialect-neutral Kysely.
 */
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationResult, type SqliteDatabase } from 'kysely';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../../common/logger';
import { ServerConfigurationError, ServerError } from '../server-error';
import { serverMigrations } from './migrations';
import type { ServerDatabase } from './schema';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseLocation {
  dialect: DialectName;
  /** The file for SQLite, the connection string for PostgreSQL. */
  target: string;
}

/** `sqlite:FILE`, `sqlite://FILE` or `postgres(ql)://…`; anything else is refused by name. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', target: url };
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(url);
  if (sqlite?.[1]) return { dialect: 'sqlite', target: path.resolve(sqlite[1]) };
  throw new ServerError('INVALID_REQUEST', `Unsupported database URL ${JSON.stringify(redactUrl(url))}: use sqlite:FILE or postgres://user@host:port/db.`);
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

export interface OpenedDatabase {
  db: Kysely<ServerDatabase>;
  dialect: DialectName;
  /** SQLite's database file and its write-ahead log; null for PostgreSQL. */
  sqliteFile: string | null;
  walFile: string | null;
  migrations: MigrationResult[];
  close(): Promise<void>;
}

function openSqlite(file: string): Database.Database {
  mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // WAL defaults to NORMAL, which can lose the last commits on power loss; an acknowledged batch must not.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

/**
 * One server process per SQLite file: two would each checkpoint the log, run the reconciliation timer and
 * keep their own caches of the benches' heads. The lock is a small SQLite file beside the database, held in
 * SQLite's exclusive locking mode: the operating system releases it when the process ends, however it ends
 * (a kill -9 leaves no stale lock behind), and the database itself stays open to readers and backups.
 */
function holdInstanceLock(file: string): Database.Database {
  const lockFile = `${file}.instance-lock`;
  mkdirSync(path.dirname(lockFile), { recursive: true });
  const lock = new Database(lockFile, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT');
    return lock;
  } catch (error) {
    lock.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
      throw new ServerConfigurationError('DATABASE_IN_USE', `Another server process is running on ${file} (it holds ${lockFile}): one server per SQLite file. Stop it first, or run several instances on PostgreSQL.`);
    }
    throw error;
  }
}

const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely prepares every query anew; a batch insert of hundreds of rows costs as much to prepare as to run.
 * Statements are kept by their SQL text (least recently used dropped first); a statement still being
 * iterated is busy, so that call gets a fresh one.
 */
function withStatementCache(sqlite: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text) {
      const cached = cache.get(text);
      if (cached && !cached.busy) {
        cache.delete(text);
        cache.set(text, cached);
        return cached;
      }
      const statement = sqlite.prepare(text);
      cache.set(text, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}

function openPostgresPool(connectionString: string, poolSize: number, logger?: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // An idle connection dropped by PostgreSQL (restart, failover, admin) is an 'error' event on the pool;
  // unhandled it would end the process. The pool discards that client and the next query reconnects.
  pool.on('error', (error) => logger?.warn({ err: error }, 'an idle PostgreSQL connection was closed'));
  return pool;
}

export async function openServerDatabase(url: string, options: { poolSize?: number; logger?: Logger; /** A server's own open: one process per SQLite file. */ singleInstance?: boolean } = {}): Promise<OpenedDatabase> {
  const location = parseDatabaseUrl(url);
  let db: Kysely<ServerDatabase>;
  const instanceLock = location.dialect === 'sqlite' && options.singleInstance ? holdInstanceLock(location.target) : null;
  const releaseLock = (): void => void instanceLock?.close();
  try {
    db =
      location.dialect === 'sqlite'
        ? new Kysely<ServerDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(openSqlite(location.target)) }) })
        : new Kysely<ServerDatabase>({ dialect: new PostgresDialect({ pool: openPostgresPool(location.target, options.poolSize ?? 10, options.logger) }) });
  } catch (error) {
    releaseLock();
    throw new ServerError('INTERNAL', `Cannot open the server database ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const migrator = new Migrator({ db, provider: { getMigrations: async () => serverMigrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    releaseLock();
    const reason = error instanceof Error ? error.message : String(error);
    const unknown = /previously executed migration (\S+) is missing/.exec(reason)?.[1];
    if (unknown) {
      throw new ServerError('INTERNAL', `The server database ${redactUrl(url)} was upgraded by a newer server (migration ${unknown}); run that version. The database was left untouched.`, { cause: error });
    }
    throw new ServerError('INTERNAL', `Cannot bring the server database ${redactUrl(url)} up to date: ${reason}`, { cause: error });
  }
  return {
    db,
    dialect: location.dialect,
    sqliteFile: location.dialect === 'sqlite' ? location.target : null,
    walFile: location.dialect === 'sqlite' ? `${location.target}-wal` : null,
    migrations: results ?? [],
    close: async () => {
      await db.destroy();
      releaseLock();
    },
  };
}
