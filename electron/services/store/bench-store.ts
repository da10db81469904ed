/**
 * The bench's SQLite store: the only module that opens the database. Services reach tables only
 * through the repositories below; nothing else writes SQL (lint keeps better-sqlite3 in this folder).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ServiceError } from '../service-error';
import { BenchHardwareRepository } from './bench-hardware-repository';
import { IdentityRepository } from './identity-repository';
import { IntegrityLogRepository } from './integrity-log-repository';
import { JobRepository } from './job-repository';
import { LaunchRepository } from './launch-repository';
import { OperatorRepository } from './operator-repository';
import { ReleaseRepository } from './release-repository';
import { migrate, schemaVersionOf, type MigrationOutcome } from './migrate';
import { latestSchemaVersion } from './migrations/index';
import { SessionRepository } from './session-repository';
import { SettingsRepository } from './settings-repository';
import { SyncStateRepository } from './sync-state-repository';

export const STORE_FILE_NAME = 'bench.sqlite';

export interface StoreInfo {
  file: string;
  schemaVersion: number;
  journalMode: string;
  synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
}

export interface BenchStore {
  readonly settings: SettingsRepository;
  readonly launches: LaunchRepository;
  readonly identity: IdentityRepository;
  readonly hardware: BenchHardwareRepository;
  readonly integrityLog: IntegrityLogRepository;
  readonly operators: OperatorRepository;
  readonly sessions: SessionRepository;
  readonly syncState: SyncStateRepository;
  readonly releases: ReleaseRepository;
  readonly jobs: JobRepository;
  readonly migration: MigrationOutcome;
  info(): StoreInfo;
  close(): void;
}

const synchronousNames = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;

export interface OpenStoreOptions {
  /** For inspection tools (support verify): no migration, no write, and the file must exist. */
  readonly?: boolean;
}

export function openBenchStore(dataDir: string, options: OpenStoreOptions = {}): BenchStore {
  const file = path.join(dataDir, STORE_FILE_NAME);
  let db: Database.Database;
  try {
    if (options.readonly) {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } else {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      // WAL defaults to NORMAL, which can lose the last commits on power loss; bench records must not.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    }
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServiceError('STORE_ERROR', `Cannot open the bench database at ${file} (${reason}). Check the file and free disk space.`, {
      cause: error,
    });
  }
  let migration: MigrationOutcome;
  try {
    if (options.readonly) {
      const version = schemaVersionOf(db);
      if (version !== latestSchemaVersion) {
        throw new ServiceError('STORE_ERROR', `The bench database at ${file} is at schema version ${version}, this tool reads ${latestSchemaVersion}: start the bench app once to upgrade it, or use the matching tool version.`);
      }
      migration = { from: version, to: version, applied: [] };
    } else {
      migration = migrate(db);
    }
  } catch (error) {
    db.close();
    if (error instanceof ServiceError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ServiceError('STORE_ERROR', `Cannot update the bench database at ${file} (${reason}).`, { cause: error });
  }
  const settings = new SettingsRepository(db);
  return {
    settings,
    launches: new LaunchRepository(db),
    identity: new IdentityRepository(db),
    hardware: new BenchHardwareRepository(db),
    integrityLog: new IntegrityLogRepository(db),
    operators: new OperatorRepository(db),
    sessions: new SessionRepository(db),
    syncState: new SyncStateRepository(db),
    releases: new ReleaseRepository(db),
    jobs: new JobRepository(db),
    migration,
    info: () => ({
      file,
      schemaVersion: schemaVersionOf(db),
      journalMode: String(db.pragma('journal_mode', { simple: true })),
      synchronous: synchronousNames[Number(db.pragma('synchronous', { simple: true }))] ?? 'OFF',
    }),
    close: () => db.close(),
  };
}
