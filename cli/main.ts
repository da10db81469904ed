/**
 * `injbench`: the command line of Injector Bench. The command groups live in cli/commands/ and are listed
 * in cli/command-groups.ts; only the group a command line asks for is loaded.
 *
 * Exit codes: 0 success, 1 failure (the command ran and failed, or found what it checks broken),
 * 2 usage error (unknown command or option, missing or invalid argument: commander's errors).
 */
import { Command, CommanderError } from 'commander';
import { failureLine } from '../common/command-line-options';
import { describeGroups, requestedGroup } from './command-groups';
import { appVersion } from './paths';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

let commanderPrintedError = false;
const program = new Command()
  .name('injbench')
  .description('Injector Bench: bench app services, virtual bench, central server and release tools.')
  .version(appVersion())
  // Every command added below inherits this: commander's errors come back here instead of exiting with 1.
  .exitOverride()
  // Inherited too: whether commander printed a usage error itself, or an action threw one it never printed.
  .configureOutput({
    writeErr: (text) => {
      commanderPrintedError = true;
      process.stderr.write(text);
    },
  });

const group = requestedGroup(process.argv.slice(2));
if (group) await group.register(program);
else describeGroups(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end with 0; commander already printed any usage error, `error()` calls keep their code.
    process.exitCode = error.exitCode === 0 ? 0 : error.code === 'commander.error' ? error.exitCode : EXIT_USAGE;
    // A usage error an action threw (InvalidArgumentError after the options were read) still says what was wrong.
    if (error.exitCode !== 0 && !commanderPrintedError) process.stderr.write(`injbench: ${error.message}\n`);
  } else {
    process.stderr.write(`${failureLine('injbench', error)}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
