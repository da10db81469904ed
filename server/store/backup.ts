/**
 * Backup and restore of a central server's data: its database and its pack blob folder, into one folder
 * (`injbench server backup --out DIR`, `injbench server restore --from DIR`), taken while the server runs.
 *
 * - SQLite: SQLite's online backup API (better-sqlite3's `backup()`): a consistent copy of the database,
 *   WAL included, while the server goes on writing.
 * - PostgreSQL: `pg_dump --format=custom`, one consistent snapshot (a repeatable-read transaction), restored
 *   with `pg_restore` into an empty database. pg_dump comes from Debian's postgresql(-client) package and
 *   should be the server's major version or newer.
 * - Blobs are content-addressed and never deleted or changed once named, so copying them after the database
 *   snapshot gives every blob the snapshot refers to (and perhaps a few newer ones, harmless). Restore checks
 *   each blob's SHA-256 against its name.
 *
 * The folder's backup.json names the dialect, the time, the server version and the database file's SHA-256;
 * restore refuses a folder whose files do not match it, a dialect other than the target's, and a target
 * that already holds data (nothing is overwritten). After a restore the migrations run: an older backup is
 * brought up to this server's schema.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { packageVersion } from '../../common/package-version';
import { fsyncDirectory } from '../../trust/atomic-file';
import { openServerDatabase, parseDatabaseUrl, redactUrl, type DialectName } from './database';

const run = promisify(execFile);

export const BACKUP_MANIFEST = 'backup.json';
const BACKUP_FORMAT = 'injbench-server-backup/1';
const SQLITE_FILE = 'server.sqlite';
const PG_DUMP_FILE = 'server.pgdump';
const BLOBS_DIR = 'blobs';

export type BackupErrorCode = 'BACKUP_TARGET_EXISTS' | 'BACKUP_INVALID' | 'RESTORE_TARGET_NOT_EMPTY' | 'PG_TOOL_FAILED';

/** A backup or restore that cannot be done as asked; nothing was overwritten when it is thrown. */
export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BackupError';
  }
}

const manifestSchema = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  dialect: z.enum(['sqlite', 'postgres']),
  createdAt: z.iso.datetime(),
  serverVersion: z.string(),
  database: z.strictObject({ file: z.enum([SQLITE_FILE, PG_DUMP_FILE]), bytes: z.int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  blobs: z.strictObject({ count: z.int().min(0), bytes: z.int().min(0) }),
});
export type BackupManifest = z.infer<typeof manifestSchema>;

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The blob files under <dir>/sha256/<aa>/<sha256>, as paths relative to <dir>. */
function blobFiles(dir: string): string[] {
  const root = path.join(dir, 'sha256');
  if (!existsSync(root)) return [];
  const files: string[] = [];
  for (const prefix of readdirSync(root).sort()) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    for (const name of readdirSync(path.join(root, prefix)).sort()) {
      if (/^[0-9a-f]{64}$/.test(name)) files.push(path.join('sha256', prefix, name));
    }
  }
  return files;
}

/** Copies the blobs `from` lacks in `to`; with `verify`, each one's SHA-256 must match its name. */
async function copyBlobs(from: string, to: string, verify: boolean): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for (const relative of blobFiles(from)) {
    const source = path.join(from, relative);
    if (verify && (await sha256OfFile(source)) !== path.basename(relative)) {
      throw new BackupError('BACKUP_INVALID', `Blob ${relative} in the backup does not match its SHA-256: the backup is damaged; nothing more was restored.`);
    }
    const target = path.join(to, relative);
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o750 });
    if (!existsSync(target)) copyFileSync(source, target);
    count += 1;
    bytes += statSync(source).size;
  }
  return { count, bytes };
}

/** pg_dump/pg_restore get the password through the environment, never on their command line (ps shows it). */
function postgresTarget(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

async function postgresTool(tool: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<void> {
  const target = postgresTarget(url);
  try {
    await run(tool, [...args, `--dbname=${target.dbname}`], { env: target.env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const detail = (error as { stderr?: string; code?: string }).code === 'ENOENT' ? `${tool} is not installed (Debian: apt-get install postgresql-client)` : ((error as { stderr?: string }).stderr ?? String(error)).trim();
    throw new BackupError('PG_TOOL_FAILED', `${tool} failed for ${redactUrl(url)}: ${detail}`, { cause: error });
  }
}

function emptyFolder(dir: string, what: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new BackupError('BACKUP_TARGET_EXISTS', `${what} ${dir} is not empty: back up into a new folder.`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Backs up the server's database and blob folder into `outDir` (new or empty). */
export async function backupServer(options: { databaseUrl: string; blobDir: string; outDir: string; now?: () => Date }): Promise<BackupManifest> {
  const location = parseDatabaseUrl(options.databaseUrl);
  emptyFolder(options.outDir, 'The backup folder');
  const createdAt = (options.now ?? (() => new Date()))().toISOString();
  let file: BackupManifest['database']['file'];
  if (location.dialect === 'sqlite') {
    file = SQLITE_FILE;
    if (!existsSync(location.target)) throw new BackupError('BACKUP_INVALID', `There is no SQLite database at ${location.target}.`);
    const source = new Database(location.target, { readonly: true, fileMustExist: true });
    try {
      await source.backup(path.join(options.outDir, file));
    } finally {
      source.close();
    }
  } else {
    file = PG_DUMP_FILE;
    await postgresTool('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${path.join(options.outDir, file)}`], options.databaseUrl);
  }
  const databaseFile = path.join(options.outDir, file);
  // After the database snapshot: every blob it names is already in the folder (blobs are never removed).
  const blobs = await copyBlobs(options.blobDir, path.join(options.outDir, BLOBS_DIR), false);
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    dialect: location.dialect,
    createdAt,
    serverVersion: packageVersion(),
    database: { file, bytes: statSync(databaseFile).size, sha256: await sha256OfFile(databaseFile) },
    blobs,
  };
  // Written last: a folder without backup.json is an interrupted backup, and restore refuses it.
  writeFileSync(path.join(options.outDir, BACKUP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  fsyncDirectory(options.outDir);
  return manifest;
}

/** The backup folder's manifest, checked against the database file it names. */
export async function readBackup(dir: string): Promise<BackupManifest> {
  const manifestFile = path.join(dir, BACKUP_MANIFEST);
  if (!existsSync(manifestFile)) throw new BackupError('BACKUP_INVALID', `${dir} holds no ${BACKUP_MANIFEST}: it is not a finished server backup.`);
  let manifest: BackupManifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(readFileSync(manifestFile, 'utf8')));
  } catch (error) {
    throw new BackupError('BACKUP_INVALID', `${manifestFile} is not a server backup manifest (${BACKUP_FORMAT}).`, { cause: error });
  }
  const databaseFile = path.join(dir, manifest.database.file);
  if (!existsSync(databaseFile) || (await sha256OfFile(databaseFile)) !== manifest.database.sha256) {
    throw new BackupError('BACKUP_INVALID', `${databaseFile} is missing or does not match the SHA-256 in ${BACKUP_MANIFEST}: the backup is damaged.`);
  }
  return manifest;
}

async function postgresHasTables(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')");
    return Number(result.rows[0]?.n ?? 0) > 0;
  } finally {
    await client.end();
  }
}

export interface RestoreOutcome {
  manifest: BackupManifest;
  dialect: DialectName;
  blobs: { count: number; bytes: number };
  /** Migrations that ran after the restore (the backup came from an older server). */
  migrated: string[];
}

/** Restores a backup into a database that holds nothing yet and into the blob folder (blobs it has are kept). */
export async function restoreServer(options: { fromDir: string; databaseUrl: string; blobDir: string }): Promise<RestoreOutcome> {
  const manifest = await readBackup(options.fromDir);
  const location = parseDatabaseUrl(options.databaseUrl);
  if (manifest.dialect !== location.dialect) {
    throw new BackupError('BACKUP_INVALID', `This is a ${manifest.dialect} backup; it restores into a ${manifest.dialect} database, not ${redactUrl(options.databaseUrl)}.`);
  }
  const databaseFile = path.join(options.fromDir, manifest.database.file);
  if (location.dialect === 'sqlite') {
    for (const file of [location.target, `${location.target}-wal`]) {
      if (existsSync(file)) throw new BackupError('RESTORE_TARGET_NOT_EMPTY', `${file} exists: restore into a new file (move the old database away first); nothing was overwritten.`);
    }
  } else if (await postgresHasTables(options.databaseUrl)) {
    throw new BackupError('RESTORE_TARGET_NOT_EMPTY', `${redactUrl(options.databaseUrl)} already has tables: restore into an empty database (createdb); nothing was changed.`);
  }
  // Blobs first, each checked against its name: a damaged backup stops before the database is written. A blob
  // folder that has blobs already keeps them (content-addressed: same name, same bytes).
  const blobs = await copyBlobs(path.join(options.fromDir, BLOBS_DIR), options.blobDir, true);
  if (location.dialect === 'sqlite') {
    const target = location.target;
    mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.restoring`;
    copyFileSync(databaseFile, partial);
    const descriptor = openSync(partial, 'r+');
    try {
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(partial, target);
    fsyncDirectory(path.dirname(target));
  } else {
    await postgresTool('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', databaseFile], options.databaseUrl);
  }
  const opened = await openServerDatabase(options.databaseUrl);
  try {
    return { manifest, dialect: location.dialect, blobs, migrated: opened.migrations.filter((result) => result.status === 'Success').map((result) => result.migrationName) };
  } finally {
    await opened.close();
  }
}
