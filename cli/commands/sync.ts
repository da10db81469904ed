import type { Command } from 'commander';
import { loadOrCreateBenchIdentity, type BenchIdentity } from '../../electron/services/identity/bench-identity';
import { IntegrityLog } from '../../electron/services/integrity-log/integrity-log';
import { createLogger } from '../../common/logger';
import { SyncOutbox } from '../../electron/services/sync/sync-outbox';
import { sha256Hex } from '../../trust/crypto';
import { openBenchStore } from '../../electron/services/store/bench-store';
import { benchDataDir } from '../bench-context';
import { removeStartLeftovers } from '../../electron/services/bench-core';
import { jsonOption, printResult } from '../../common/command-output';
import { defaultDataDir } from '../paths';

interface DataDirOption {
  dataDir?: string;
}

function withOutbox<T>(options: DataDirOption, work: (outbox: SyncOutbox, identity: BenchIdentity) => Promise<T>, { create = false } = {}): Promise<T> {
  const dataDir = benchDataDir(options.dataDir ?? defaultDataDir(), { create });
  const store = openBenchStore(dataDir);
  const identity = loadOrCreateBenchIdentity(dataDir, store);
  const integrityLog = new IntegrityLog(store.integrityLog, identity);
  // A command that opens a bench without openBenchCore still clears what killed processes left behind.
  removeStartLeftovers(dataDir, integrityLog);
  const outbox = new SyncOutbox({ store, identity, integrityLog, logger: createLogger('injbench-sync') });
  return work(outbox, identity).finally(() => store.close());
}

function backlogLines(backlog: ReturnType<SyncOutbox['backlog']>): string[] {
  const error = backlog.lastError ? `, last error ${backlog.lastError.code}: ${backlog.lastError.message}` : '';
  return [
    `Server: ${backlog.serverUrl ?? 'not enrolled'}`,
    `Backlog: ${backlog.unsentEntries} entries and ${backlog.unsentCheckpoints} checkpoints unsent (acknowledged through ${backlog.ackedEntrySeq} of ${backlog.headSeq})${error}`,
  ];
}

/** The bench side of the central server, for admins and scripts: enrol, push the outbox, show the backlog. */
export function registerSyncCommand(program: Command): void {
  const sync = program.command('sync').description("a bench's link to the central server: enrolment and the integrity-log outbox");
  jsonOption(sync.command('identity'))
    .description("print the bench's id and public key, which the server admin needs for directives and grants before enrolment")
    .option('--data-dir <dir>', 'the bench data directory')
    .option('--create', 'set up a new bench (identity and database) when the folder holds none')
    .action((options: DataDirOption & { create?: boolean; json?: boolean }) =>
      withOutbox(options, async (_outbox, identity) => {
        const { benchId, publicKey, fingerprint } = identity;
        printResult(options, { benchId, publicKey, fingerprint }, () => [`Bench: ${benchId}`, `Public key: ${publicKey} (fingerprint ${fingerprint})`]);
      }, { create: options.create === true }),
    );
  jsonOption(sync.command('enrol'))
    .description('enrol this bench with a one-time code from the server admin')
    .option('--data-dir <dir>', 'the bench data directory')
    .requiredOption('--server <url>', 'the central server, e.g. http://127.0.0.1:8780')
    .requiredOption('--code <code>', 'the one-time enrolment code')
    .action((options: DataDirOption & { server: string; code: string; json?: boolean }) =>
      withOutbox(options, async (outbox) => {
        const enrolled = await outbox.enrol(options.server, options.code);
        const directive = enrolled.directive ? Buffer.from(enrolled.directive, 'base64') : null;
        const firstDirective = directive ? { bytes: directive.length, sha256: sha256Hex(directive) } : null;
        printResult(options, { benchId: enrolled.benchId, server: options.server, enrolledAt: enrolled.enrolledAt, firstDirective }, () => [
          `Enrolled ${enrolled.benchId} with ${options.server} at ${enrolled.enrolledAt}`,
          ...(firstDirective ? [`First directive: ${firstDirective.bytes} bytes, SHA-256 ${firstDirective.sha256} (verified and applied at the next pack update)`] : []),
        ]);
      }, { create: true }),
    );
  jsonOption(sync.command('push'))
    .description('send every unsent integrity-log entry now (bounded batches, retries with backoff)')
    .option('--data-dir <dir>', 'the bench data directory')
    .action((options: DataDirOption & { json?: boolean }) =>
      withOutbox(options, async (outbox) => {
        const outcome = await outbox.drain({ maxDurationMs: 120_000 });
        const backlog = outbox.backlog();
        const { lastError, ...sent } = outcome;
        printResult(options, { ...sent, lastError: lastError ? { code: lastError.code, message: lastError.message } : null, backlog }, () => [
          `Sent ${outcome.batches} batches (${outcome.entriesAcked} entries acknowledged); stopped: ${outcome.stopped}`,
          ...backlogLines(backlog),
        ]);
        if (lastError && outcome.stopped !== 'idle') throw lastError;
      }),
    );
  jsonOption(sync.command('status'))
    .description("show the outbox's backlog")
    .option('--data-dir <dir>', 'the bench data directory')
    .action((options: DataDirOption & { json?: boolean }) =>
      withOutbox(options, async (outbox) => {
        const backlog = outbox.backlog();
        printResult(options, backlog, () => backlogLines(backlog));
      }),
    );
}
