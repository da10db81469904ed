/**
 * `injbench`: the command line of Injector Bench. Each command group lives in cli/commands/ and
 * registers itself here.
 */
import { Command } from 'commander';
import { ServiceError } from '../electron/services/service-error';
import { BenchLinkError } from '../native-bridge/driver';
import { PlanError } from '../native-bridge/test-plan';
import { registerBenchCommand } from './commands/bench';
import { registerSimCommand } from './commands/sim';
import { registerWorkspaceCommand } from './commands/workspace';
import { appVersion } from './paths';

const program = new Command()
  .name('injbench')
  .description('Injector Bench: bench app services, virtual bench, central server and release tools.')
  .version(appVersion());

registerWorkspaceCommand(program);
registerSimCommand(program);
registerBenchCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const typed = error instanceof ServiceError || error instanceof BenchLinkError || error instanceof PlanError;
  const code = typed ? `${error.code}: ` : '';
  process.stderr.write(`injbench: ${code}${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
