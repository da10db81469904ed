import type { Command } from 'commander';
import { failureLine, typedCode } from './command-line-options';

/**
 * What the command lines (`injbench`, the central server's own) print. Every command that prints data takes
 * `--json`: stdout then holds exactly one JSON document, the command's result or, when it fails,
 * `{"error":{"code","message"}}`; lines along the way go to stderr, and the exit codes stay 0 / 1 / 2.
 * test/unit/cli/json-option.test.ts walks the whole command tree for the option.
 */

export interface JsonFlag {
  json?: boolean;
}

/** Set once a document is on stdout: a failure after it (a check that printed its report, then failed) goes to stderr only. */
let documentPrinted = false;

function writeDocument(data: unknown): void {
  documentPrinted = true;
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

/** `--json` on a command that prints data. */
export function jsonOption(command: Command): Command {
  return command.option('--json', 'print the result as one JSON document on stdout (lines along the way go to stderr)');
}

/** `--json` on a command whose only output is JSON already: accepted, so scripts can pass it to every command. */
export function jsonOnlyOption(command: Command): Command {
  return command.option('--json', 'print the result as one JSON document (this command prints nothing else)');
}

/** Prints `data` as the JSON document with --json, else the human lines (none: nothing is printed). */
export function printResult(options: JsonFlag, data: unknown, humanLines: () => string[]): void {
  if (options.json) return writeDocument(data);
  const text = humanLines().join('\n');
  if (text) process.stdout.write(`${text}\n`);
}

/** The document of a command whose output is JSON with or without --json. */
export function printJson(data: unknown): void {
  writeDocument(data);
}

/** Where a command's lines along the way go (progress, each step of an upload): stdout for people, stderr with --json. */
export function progressLines(options: JsonFlag): (line: string) => void {
  const stream = options.json ? process.stderr : process.stdout;
  return (line) => void stream.write(`${line}\n`);
}

/**
 * Whether the command that runs asked for --json. A preAction hook on the program reaches every subcommand;
 * a usage error stops commander before any action, and then the command line is all there is to go by.
 */
export function jsonRequested(program: Command, argv: readonly string[]): () => boolean {
  let requested: boolean | null = null;
  program.hook('preAction', (_program, actionCommand) => {
    requested = actionCommand.opts<JsonFlag>().json === true;
  });
  return () => requested ?? argv.includes('--json');
}

/** The code of a usage error in the JSON error document (commander's own errors carry no project code). */
export const USAGE_ERROR_CODE = 'USAGE_ERROR';
/** The code of a failure that carries no typed code of its own. */
export const UNTYPED_FAILURE_CODE = 'FAILED';

/**
 * A failed command: the typed line on stderr (unless commander printed its usage error there already), and
 * with --json the error document on stdout, unless the command's own document is there already.
 */
export function reportFailure(program: string, error: unknown, { json, code, stderrPrinted = false }: { json: boolean; code?: string; stderrPrinted?: boolean }): void {
  if (!stderrPrinted) process.stderr.write(`${failureLine(program, error)}\n`);
  if (!json || documentPrinted) return;
  const message = (error instanceof Error ? error.message : String(error)).replace(/^error: /, '');
  writeDocument({ error: { code: code ?? typedCode(error) ?? UNTYPED_FAILURE_CODE, message } });
}
