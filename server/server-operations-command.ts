/**
 * `injbench server migrate|backup|restore` (and the same under `node dist/server/main.js`): the operator's
 * commands beside the server's run loop. They take the server's --db and --blob-dir, given before or after
 * the subcommand's name, and open the database only as long as they need it (a running server may stay up
 * for migrate and backup; restore writes only into an empty target). docs/operations.md has examples.
 */
import type { Command } from 'commander';
import { jsonOption, printResult, type JsonFlag } from '../common/command-output';
import { defaultBlobDir } from './central-server';
import { backupServer, restoreServer } from './store/backup';
import { openServerDatabase, redactUrl } from './store/database';
import { serverMigrations } from './store/migrations';

interface StoreOptions {
  db: string;
  blobDir?: string;
}

const storeOptionsOf = (command: Command): StoreOptions => command.optsWithGlobals<StoreOptions>();
const blobDirOf = (options: StoreOptions): string => options.blobDir ?? defaultBlobDir(options.db);

export function registerServerOperations(server: Command): void {
  jsonOption(server.command('migrate'))
    .description("bring the server database's schema up to this version (the server also does it when it starts); prints what ran")
    .action(async (options: JsonFlag, command: Command) => {
      const { db } = storeOptionsOf(command);
      const opened = await openServerDatabase(db);
      try {
        const ran = opened.migrations.filter((result) => result.status === 'Success').map((result) => result.migrationName);
        const total = Object.keys(serverMigrations).length;
        printResult(options, { dialect: opened.dialect, database: redactUrl(db), applied: ran, migrations: total }, () => [
          `Database: ${opened.dialect} ${redactUrl(db)}`,
          ...ran.map((name) => `Applied: ${name}`),
          `Schema: ${total} migrations, ${ran.length === 0 ? 'already up to date' : `${ran.length} applied now`}`,
        ]);
      } finally {
        await opened.close();
      }
    });

  jsonOption(server.command('backup'))
    .description('copy the database (online: SQLite backup API, or pg_dump) and the pack blobs into a new folder')
    .requiredOption('--out <dir>', 'the backup folder (new or empty)')
    .action(async (options: { out: string } & JsonFlag, command: Command) => {
      const store = storeOptionsOf(command);
      const manifest = await backupServer({ databaseUrl: store.db, blobDir: blobDirOf(store), outDir: options.out });
      printResult(options, { backup: options.out, database: redactUrl(store.db), manifest }, () => [
        `Backup: ${options.out}`,
        `Database: ${manifest.dialect} ${redactUrl(store.db)} -> ${manifest.database.file} (${manifest.database.bytes} bytes, SHA-256 ${manifest.database.sha256})`,
        `Pack blobs: ${manifest.blobs.count} (${manifest.blobs.bytes} bytes)`,
        `Taken at: ${manifest.createdAt} by server ${manifest.serverVersion}`,
      ]);
    });

  jsonOption(server.command('restore'))
    .description('restore a backup folder into an empty database (a new SQLite file, or an empty PostgreSQL database) and a blob folder')
    .requiredOption('--from <dir>', 'the backup folder (from "injbench server backup")')
    .action(async (options: { from: string } & JsonFlag, command: Command) => {
      const store = storeOptionsOf(command);
      const outcome = await restoreServer({ fromDir: options.from, databaseUrl: store.db, blobDir: blobDirOf(store) });
      printResult(options, { from: options.from, database: redactUrl(store.db), blobDir: blobDirOf(store), ...outcome }, () => [
        `Restored: ${options.from} (taken ${outcome.manifest.createdAt} by server ${outcome.manifest.serverVersion})`,
        `Database: ${outcome.dialect} ${redactUrl(store.db)}`,
        `Pack blobs: ${outcome.blobs.count} (${outcome.blobs.bytes} bytes) in ${blobDirOf(store)}`,
        `Migrations run after the restore: ${outcome.migrated.length > 0 ? outcome.migrated.join(', ') : 'none (same schema)'}`,
      ]);
    });
}
