/**
 * The central server's own entry point, bundled to dist/server/main.js: `node dist/server/main.js --help`.
 * It needs only the server, common/ and trust/ (a test runs the bundle from a folder without the bench app).
 */
import { Command } from 'commander';
import { failureLine } from '../common/command-line-options';
import { configureServerCommand } from './server-command';

const program = configureServerCommand(new Command('injbench-server'));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`${failureLine('injbench-server', error)}\n`);
  process.exitCode = 1;
}
