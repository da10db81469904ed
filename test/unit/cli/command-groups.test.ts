import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandGroups, describeGroups, requestedGroup } from '../../../cli/command-groups';

describe('the command table of injbench', () => {
  it.each(commandGroups.map((group) => [group.names.join(', '), group] as const))('%s: its module registers exactly these commands, described as the table says', async (_names, group) => {
    const program = new Command();
    await group.register(program);
    const registered = Object.fromEntries(program.commands.map((command) => [command.name(), command.description()]));
    expect(registered).toEqual(group.summaries);
    expect(Object.keys(group.summaries)).toEqual(group.names);
  });

  it('names every top-level command once', () => {
    const names = commandGroups.flatMap((group) => group.names);
    expect(new Set(names).size).toBe(names.length);
    const program = new Command();
    describeGroups(program);
    expect(program.commands.map((command) => command.name())).toEqual(names);
  });

  it('loads the group a command line asks for, and none for the program itself', () => {
    expect(requestedGroup(['packs', 'update', '--repo', 'x'])?.names).toEqual(['packs']);
    expect(requestedGroup(['admin', 'revoke'])?.names).toEqual(['server', 'admin']);
    expect(requestedGroup(['help', 'release'])?.names).toEqual(['release']);
    expect(requestedGroup(['--help'])).toBeNull();
    expect(requestedGroup(['--version'])).toBeNull();
    expect(requestedGroup([])).toBeNull();
    expect(requestedGroup(['bogus'])).toBeNull();
  });
});
