/**
 * `injbench`: the command line of Injector Bench. The command groups live in cli/commands/ and are listed
 * in cli/command-groups.ts; only the group a command line asks for is loaded.
 *
 * Exit codes: 0 success, 1 failure (the command ran and failed, or found what it checks broken),
 * 2 usage error (unknown command or option, missing or invalid argument: commander's errors).
 * With --json, stdout holds one JSON document either way: the result, or {"error":{"code","message"}}.
 */
import { CommanderError } from 'commander';
import { USAGE_ERROR_CODE, jsonRequested, reportFailure } from '../common/command-output';
import { describeGroups, requestedGroup } from './command-groups';
import { createProgram } from './program';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const { program, commanderPrintedError } = createProgram();
const json = jsonRequested(program, process.argv.slice(2));

const group = requestedGroup(process.argv.slice(2));
if (group) await group.register(program);
else describeGroups(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version end with 0; commander already printed any usage error, `error()` calls keep their code.
    process.exitCode = error.exitCode === 0 ? 0 : error.code === 'commander.error' ? error.exitCode : EXIT_USAGE;
    if (error.exitCode !== 0) {
      // A usage error an action threw (InvalidArgumentError after the options were read) still says what was wrong.
      reportFailure('injbench', new Error(error.message), { json: json(), code: USAGE_ERROR_CODE, stderrPrinted: commanderPrintedError() });
    }
  } else {
    reportFailure('injbench', error, { json: json() });
    process.exitCode = EXIT_FAILURE;
  }
}
