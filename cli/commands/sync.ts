import type { Command } from 'commander';
import path from 'node:path';
import { loadOrCreateBenchIdentity } from '../../electron/services/identity/bench-identity';
import { IntegrityLog } from '../../electron/services/integrity-log/integrity-log';
import { createLogger } from '../../common/logger';
import { SyncOutbox } from '../../electron/services/sync/sync-outbox';
import { sha256Hex } from '../../trust/crypto';
import { openBenchStore } from '../../electron/services/store/bench-store';
import { defaultDataDir } from '../paths';

interface DataDirOption {
  dataDir?: string;
}

function withOutbox<T>(options: DataDirOption, work: (outbox: SyncOutbox) => Promise<T>): Promise<T> {
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  const store = openBenchStore(dataDir);
  const identity = loadOrCreateBenchIdentity(dataDir, store);
  const integrityLog = new IntegrityLog(store.integrityLog, identity);
  const outbox = new SyncOutbox({ store, identity, integrityLog, logger: createLogger('injbench-sync') });
  return work(outbox).finally(() => store.close());
}

function printBacklog(outbox: SyncOutbox): void {
  const backlog = outbox.backlog();
  const error = backlog.lastError ? `, last error ${backlog.lastError.code}: ${backlog.lastError.message}` : '';
  process.stdout.write(
    `Server: ${backlog.serverUrl ?? 'not enrolled'}\n` +
      `Backlog: ${backlog.unsentEntries} entries and ${backlog.unsentCheckpoints} checkpoints unsent (acknowledged through ${backlog.ackedEntrySeq} of ${backlog.headSeq})${error}\n`,
  );
}

/** The bench side of the central server, for admins and scripts: enrol, push the outbox, show the backlog. */
export function registerSyncCommand(program: Command): void {
  const sync = program.command('sync').description("a bench's link to the central server: enrolment and the integrity-log outbox");
  sync
    .command('enrol')
    .description('enrol this bench with a one-time code from the server admin')
    .option('--data-dir <dir>', 'the bench data directory')
    .requiredOption('--server <url>', 'the central server, e.g. http://127.0.0.1:8780')
    .requiredOption('--code <code>', 'the one-time enrolment code')
    .action((options: DataDirOption & { server: string; code: string }) =>
      withOutbox(options, async (outbox) => {
        const enrolled = await outbox.enrol(options.server, options.code);
        process.stdout.write(`Enrolled ${enrolled.benchId} with ${options.server} at ${enrolled.enrolledAt}\n`);
        if (enrolled.directive) {
          const bytes = Buffer.from(enrolled.directive, 'base64');
          process.stdout.write(`First directive: ${bytes.length} bytes, SHA-256 ${sha256Hex(bytes)} (verified and applied at the next pack update)\n`);
        }
      }),
    );
  sync
    .command('push')
    .description('send every unsent integrity-log entry now (bounded batches, retries with backoff)')
    .option('--data-dir <dir>', 'the bench data directory')
    .action((options: DataDirOption) =>
      withOutbox(options, async (outbox) => {
        const outcome = await outbox.drain({ maxDurationMs: 120_000 });
        process.stdout.write(`Sent ${outcome.batches} batches (${outcome.entriesAcked} entries acknowledged); stopped: ${outcome.stopped}\n`);
        printBacklog(outbox);
        if (outcome.lastError && outcome.stopped !== 'idle') throw outcome.lastError;
      }),
    );
  sync
    .command('status')
    .description("show the outbox's backlog")
    .option('--data-dir <dir>', 'the bench data directory')
    .action((options: DataDirOption) => withOutbox(options, async (outbox) => printBacklog(outbox)));
}
