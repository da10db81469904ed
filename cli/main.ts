/**
 * `injbench`: the command line of Injector Bench. Each command group lives in cli/commands/ and
 * registers itself here.
 */
import { Command } from 'commander';
import { ServiceError } from '../electron/services/service-error';
import { TrustError } from '../trust/errors';
import { registerPacksCommand } from './commands/packs';
import { registerReleaseCommand } from './commands/release';
import { registerWorkspaceCommand } from './commands/workspace';
import { appVersion } from './paths';

const program = new Command()
  .name('injbench')
  .description('Injector Bench: bench app services, virtual bench, central server and release tools.')
  .version(appVersion());

registerWorkspaceCommand(program);
registerReleaseCommand(program);
registerPacksCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = error instanceof ServiceError || error instanceof TrustError ? `${error.code}: ` : '';
  process.stderr.write(`injbench: ${code}${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
