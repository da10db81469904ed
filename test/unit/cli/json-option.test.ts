/**
 * `--json` on every command of `injbench` that prints data (issue 19): the whole command tree, built as the CLI
 * builds it (cli/program.ts's program with every group of cli/command-groups.ts registered), is walked, and
 * every command that runs an action must take a plain `--json` flag unless this file says why not.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandGroups } from '../../../cli/command-groups';
import { createProgram } from '../../../cli/program';

/** Commands without --json, each with its reason. Adding one here is a decision the reason must carry. */
const exempt: Readonly<Record<string, string>> = {
  'injbench sim': 'a service: it runs the virtual bench until stopped and prints only the address it listens on, for the caller to connect',
  'injbench workspace': 'a service: it serves the bench app until stopped and prints only the URL (with its token) to open in a browser',
  'injbench server': "a service: the central server's run loop, which serves until stopped and prints its settings when it starts",
};

async function wholeProgram(): Promise<Command> {
  const { program } = createProgram();
  for (const group of commandGroups) await group.register(program);
  return program;
}

/** A command runs an action when it has one of its own (commander keeps it in a private field), or when it is a leaf. */
function runsAnAction(command: Command): boolean {
  return command.commands.length === 0 || Boolean((command as unknown as { _actionHandler: unknown })._actionHandler);
}

function walk(command: Command, prefix: string): { path: string; command: Command }[] {
  return command.commands.flatMap((sub) => {
    const path = `${prefix} ${sub.name()}`;
    return [...(runsAnAction(sub) ? [{ path, command: sub }] : []), ...walk(sub, path)];
  });
}

describe('--json on every injbench command that prints data', () => {
  it('every command that runs an action takes a --json flag, or is exempt with a reason', async () => {
    const commands = walk(await wholeProgram(), 'injbench');
    // The walk reaches the whole tree: leaves several levels down and a command with both an action and subcommands.
    expect(commands.map((entry) => entry.path)).toEqual(expect.arrayContaining(['injbench release pack build', 'injbench server', 'injbench server migrate', 'injbench admin check-log']));
    const missing = commands
      .filter(({ path, command }) => !(path in exempt) && !command.options.some((option) => option.long === '--json' && !option.required && !option.optional))
      .map((entry) => entry.path);
    expect(missing).toEqual([]);
  });

  it('names in its exemptions only commands that exist and do not take --json', async () => {
    const commands = new Map(walk(await wholeProgram(), 'injbench').map((entry) => [entry.path, entry.command]));
    for (const [path, reason] of Object.entries(exempt)) {
      expect(commands.has(path), path).toBe(true);
      expect(commands.get(path)?.options.some((option) => option.long === '--json'), path).toBe(false);
      expect(reason.length).toBeGreaterThan(20);
    }
  });
});
