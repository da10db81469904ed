/**
 * `injbench server migrate|backup|restore` (and the same under `node dist/server/main.js`): the operator's
 * commands beside the server's run loop. They take the server's --db and --blob-dir, given before or after
 * the subcommand's name, and open the database only as long as they need it (a running server may stay up
 * for migrate and backup; restore writes only into an empty target). docs/operations.md has examples.
 */
import type { Command } from 'commander';
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
  server
    .command('migrate')
    .description("bring the server database's schema up to this version (the server also does it when it starts); prints what ran")
    .action(async (_options: unknown, command: Command) => {
      const { db } = storeOptionsOf(command);
      const opened = await openServerDatabase(db);
      try {
        const ran = opened.migrations.filter((result) => result.status === 'Success').map((result) => result.migrationName);
        const total = Object.keys(serverMigrations).length;
        process.stdout.write(
          `Database: ${opened.dialect} ${redactUrl(db)}\n` +
            (ran.length > 0 ? ran.map((name) => `Applied: ${name}\n`).join('') : '') +
            `Schema: ${total} migrations, ${ran.length === 0 ? 'already up to date' : `${ran.length} applied now`}\n`,
        );
      } finally {
        await opened.close();
      }
    });

  server
    .command('backup')
    .description('copy the database (online: SQLite backup API, or pg_dump) and the pack blobs into a new folder')
    .requiredOption('--out <dir>', 'the backup folder (new or empty)')
    .action(async (options: { out: string }, command: Command) => {
      const store = storeOptionsOf(command);
      const manifest = await backupServer({ databaseUrl: store.db, blobDir: blobDirOf(store), outDir: options.out });
      process.stdout.write(
        `Backup: ${options.out}\nDatabase: ${manifest.dialect} ${redactUrl(store.db)} -> ${manifest.database.file} (${manifest.database.bytes} bytes, SHA-256 ${manifest.database.sha256})\n` +
          `Pack blobs: ${manifest.blobs.count} (${manifest.blobs.bytes} bytes)\nTaken at: ${manifest.createdAt} by server ${manifest.serverVersion}\n`,
      );
    });

  server
    .command('restore')
    .description('restore a backup folder into an empty database (a new SQLite file, or an empty PostgreSQL database) and a blob folder')
    .requiredOption('--from <dir>', 'the backup folder (from "injbench server backup")')
    .action(async (options: { from: string }, command: Command) => {
      const store = storeOptionsOf(command);
      const outcome = await restoreServer({ fromDir: options.from, databaseUrl: store.db, blobDir: blobDirOf(store) });
      process.stdout.write(
        `Restored: ${options.from} (taken ${outcome.manifest.createdAt} by server ${outcome.manifest.serverVersion})\nDatabase: ${outcome.dialect} ${redactUrl(store.db)}\n` +
          `Pack blobs: ${outcome.blobs.count} (${outcome.blobs.bytes} bytes) in ${blobDirOf(store)}\n` +
          `Migrations run after the restore: ${outcome.migrated.length > 0 ? outcome.migrated.join(', ') : 'none (same schema)'}\n`,
      );
    });
}
