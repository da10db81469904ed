/**
 * `injbench`: the command line of Injector Bench. Each subcommand lives in its own module.
 */
import { Command, InvalidArgumentError } from 'commander';
import { ServiceError } from '../electron/services/service-error';
import { appVersion } from './paths';
import { runWorkspace } from './workspace-command';

function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return port;
}

const program = new Command()
  .name('injbench')
  .description('Injector Bench: bench app services, virtual bench, central server and release tools.')
  .version(appVersion());

program
  .command('workspace')
  .description('serve the bench app to a browser on 127.0.0.1 (token-protected)')
  .option('--data-dir <dir>', 'bench data directory (default: $INJBENCH_DATA_DIR or the XDG data directory)')
  .option('--port <port>', 'TCP port on 127.0.0.1; 0 picks a free one', portNumber, 0)
  .option('--dist-dir <dir>', 'built app directory (default: ./dist)')
  .action(runWorkspace);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ServiceError) {
    process.stderr.write(`injbench: ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(`injbench: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exitCode = 1;
}
