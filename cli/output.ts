import type { Command } from 'commander';

/**
 * `--json`, which every command that prints data carries: one JSON document on stdout instead of the lines
 * meant for people, for scripts. Errors stay on stderr as "injbench: CODE: message" with exit 1 either way.
 */
export function jsonOption(command: Command): Command {
  return command.option('--json', 'print the result as one JSON document');
}

/** Prints `data` as JSON with --json, else the human lines. */
export function printResult(options: { json?: boolean }, data: unknown, humanLines: () => string[]): void {
  const text = options.json ? JSON.stringify(data, null, 2) : humanLines().join('\n');
  if (text) process.stdout.write(`${text}\n`);
}

/** `--json` on a command whose only output is JSON already: accepted, so scripts can pass it to every command. */
export function jsonOnlyOption(command: Command): Command {
  return command.option('--json', 'print the result as one JSON document (this command prints nothing else)');
}
