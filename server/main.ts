/**
 * The central server's own entry point, bundled to dist/server/main.js: `node dist/server/main.js --help`.
 * It needs only the server, common/ and trust/ (a test runs the bundle from a folder without the bench app).
 */
import { Command } from 'commander';
import { jsonRequested, reportFailure } from '../common/command-output';
import { configureServerCommand } from './server-command';

const program = configureServerCommand(new Command('injbench-server'));
const json = jsonRequested(program, process.argv.slice(2));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  reportFailure('injbench-server', error, { json: json() });
  process.exitCode = 1;
}
