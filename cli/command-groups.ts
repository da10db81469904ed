/**
 * The top-level commands of `injbench` and where each is defined. A command group's module (and everything
 * it imports: the server, the trust code, SQLite) loads only when that command runs, so `injbench --help`
 * and `--version` start in a few tens of milliseconds from the bundle, where each group is a chunk of its own.
 *
 * A new top-level command is one entry here; a new subcommand goes into its group's module as before.
 * test/unit/cli/command-groups.test.ts checks that each summary is the description its module registers.
 */
import type { Command } from 'commander';

export interface CommandGroup {
  /** The top-level commands the module registers (one module may register more than one). */
  readonly names: readonly string[];
  /** Per name, the description its module gives it: `injbench --help` lists these without loading anything. */
  readonly summaries: Readonly<Record<string, string>>;
  readonly register: (program: Command) => Promise<void>;
}

export const commandGroups: readonly CommandGroup[] = [
  {
    names: ['workspace'],
    summaries: { workspace: 'serve the bench app to a browser on 127.0.0.1 (token-protected)' },
    register: async (program) => (await import('./commands/workspace')).registerWorkspaceCommand(program),
  },
  {
    names: ['sim'],
    summaries: { sim: 'run the virtual bench: a bench controller and a synthetic injector that speak the bench protocol' },
    register: async (program) => (await import('./commands/sim')).registerSimCommand(program),
  },
  {
    names: ['bench'],
    summaries: { bench: 'talk to a bench controller (or the virtual bench) over serial or TCP' },
    register: async (program) => (await import('./commands/bench')).registerBenchCommand(program),
  },
  {
    names: ['session'],
    summaries: { session: 'coding sessions without the UI' },
    register: async (program) => (await import('./commands/session')).registerSessionCommand(program),
  },
  {
    names: ['packs'],
    summaries: { packs: 'Calibration packs on this bench: update, preflight, pins, rollback and refresh.' },
    register: async (program) => (await import('./commands/packs')).registerPacksCommand(program),
  },
  {
    names: ['credits'],
    summaries: { credits: 'bench credits: sign grants, import them on a bench, show the balance' },
    register: async (program) => (await import('./commands/credits')).registerCreditsCommand(program),
  },
  {
    names: ['sync'],
    summaries: { sync: "a bench's link to the central server: enrolment and the integrity-log outbox" },
    register: async (program) => (await import('./commands/sync')).registerSyncCommand(program),
  },
  {
    names: ['support'],
    summaries: { support: 'support tools: verify and export what a bench recorded' },
    register: async (program) => (await import('./commands/support')).registerSupportCommand(program),
  },
  {
    names: ['release'],
    summaries: { release: 'Signed calibration packs, release indexes and directives.' },
    register: async (program) => (await import('./commands/release')).registerReleaseCommand(program),
  },
  {
    names: ['server', 'admin'],
    summaries: {
      server:
        'run the central server (admin token from $INJBENCH_SERVER_ADMIN_TOKEN, read-only support token from $INJBENCH_SERVER_SUPPORT_TOKEN, ' +
        'publish-only release token from $INJBENCH_SERVER_RELEASE_TOKEN, /metrics-only token from $INJBENCH_SERVER_METRICS_TOKEN; each also as $…_FILE). Every option is also ' +
        'INJBENCH_SERVER_<NAME> in the environment and <name> in camelCase in the --config file; flags win over the environment, the environment over the file',
      admin: 'central server administration (token from $INJBENCH_SERVER_TOKEN)',
    },
    register: async (program) => (await import('./commands/server')).registerServerCommand(program),
  },
];

/**
 * The group the command line asks for (`injbench packs …`, `injbench help packs`), or null for the program
 * itself (--help, --version, no command, an unknown command).
 */
export function requestedGroup(args: readonly string[]): CommandGroup | null {
  const [first, second] = args;
  const name = first === 'help' ? second : first;
  return commandGroups.find((group) => name !== undefined && group.names.includes(name)) ?? null;
}

/** Every top-level command, described but without its options and subcommands: what `--help` lists. */
export function describeGroups(program: Command): void {
  for (const group of commandGroups) {
    for (const name of group.names) program.command(name).description(group.summaries[name] ?? '');
  }
}
