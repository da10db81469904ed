/**
 * `injbench`: the command line of Injector Bench. Each command group lives in cli/commands/ and
 * registers itself here.
 */
import { Command } from 'commander';
import { ServiceError } from '../electron/services/service-error';
import { SyncError } from '../electron/services/sync/sync-client';
import { ServerError } from '../server/server-error';
import { registerServerCommand } from './commands/server';
import { registerSupportCommand } from './commands/support';
import { registerSyncCommand } from './commands/sync';
import { registerWorkspaceCommand } from './commands/workspace';
import { appVersion } from './paths';

const program = new Command()
  .name('injbench')
  .description('Injector Bench: bench app services, virtual bench, central server and release tools.')
  .version(appVersion());

registerWorkspaceCommand(program);
registerSupportCommand(program);
registerServerCommand(program);
registerSyncCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const typed = error instanceof ServiceError || error instanceof SyncError || error instanceof ServerError;
  const code = typed ? `${error.code}: ` : '';
  process.stderr.write(`injbench: ${code}${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
