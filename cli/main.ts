/**
 * `injbench`: the command line of Injector Bench. Each command group lives in cli/commands/ and
 * registers itself here.
 */
import { Command } from 'commander';
import { failureLine } from '../common/command-line-options';
import { registerBenchCommand } from './commands/bench';
import { registerCreditsCommand } from './commands/credits';
import { registerPacksCommand } from './commands/packs';
import { registerReleaseCommand } from './commands/release';
import { registerServerCommand } from './commands/server';
import { registerSessionCommand } from './commands/session';
import { registerSimCommand } from './commands/sim';
import { registerSupportCommand } from './commands/support';
import { registerSyncCommand } from './commands/sync';
import { registerWorkspaceCommand } from './commands/workspace';
import { appVersion } from './paths';

const program = new Command()
  .name('injbench')
  .description('Injector Bench: bench app services, virtual bench, central server and release tools.')
  .version(appVersion());

registerWorkspaceCommand(program);
registerSimCommand(program);
registerBenchCommand(program);
registerSessionCommand(program);
registerPacksCommand(program);
registerCreditsCommand(program);
registerSyncCommand(program);
registerSupportCommand(program);
registerReleaseCommand(program);
registerServerCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${failureLine('injbench', error)}\n`);
  process.exitCode = 1;
}
