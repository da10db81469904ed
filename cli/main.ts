/**
 * `injbench`: the command line of Injector Bench. Each command group lives in cli/commands/ and
 * registers itself here.
 */
import { Command } from 'commander';
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

/** Every typed error of the project carries an upper-case code; anything else is a plain failure. */
function typedCode(error: unknown): string | null {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? code : null;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code = typedCode(error);
  process.stderr.write(`injbench: ${code ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
