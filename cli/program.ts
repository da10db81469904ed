/**
 * The `injbench` program before its commands: name, version and the error handling every command inherits.
 * cli/main.ts registers the group a command line asks for on it; test/unit/cli/json-option.test.ts registers
 * every group on it to walk the whole tree.
 */
import { Command } from 'commander';
import { appVersion } from './paths';

export interface InjbenchProgram {
  program: Command;
  /** Whether commander printed a usage error itself (on stderr), or an action threw one it never printed. */
  readonly commanderPrintedError: () => boolean;
}

export function createProgram(): InjbenchProgram {
  let printed = false;
  const program = new Command()
    .name('injbench')
    .description('Injector Bench: bench app services, virtual bench, central server and release tools.')
    .version(appVersion())
    // Every command added later inherits this: commander's errors come back to the caller instead of exiting with 1.
    .exitOverride()
    .configureOutput({
      writeErr: (text) => {
        printed = true;
        process.stderr.write(text);
      },
    });
  return { program, commanderPrintedError: () => printed };
}
