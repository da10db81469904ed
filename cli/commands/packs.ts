/**
 * `injbench packs …`: the bench side of a release on a bench data directory: update (verify, stage,
 * activate) and preflight (re-verify from disk, as before every coding session). The bench's own
 * identity and root of trust come from the data directory, as in the app.
 */
import { Option, type Command } from 'commander';
import type { BenchCore } from '../../electron/services/bench-core';
import { httpSource } from '../../trust/http-source';
import { listFamilies } from '../../trust/repository';
import { channelNames, type ChannelName } from '../../trust/schemas';
import { directorySource } from '../../trust/source';
import { openBenchForCli } from '../bench-context';
import { defaultDataDir } from '../paths';

export interface RefreshOutcome {
  family: string;
  ok: boolean;
  line: string;
}

/** Verifies and activates what a repository offers this bench; each family is its own decision. */
export async function refreshPacks(bench: BenchCore, repo: string, families: readonly string[]): Promise<RefreshOutcome[]> {
  const remote = /^https?:\/\//.test(repo);
  const source = remote ? httpSource(repo) : directorySource(repo);
  const wanted = families.length > 0 ? families : remote ? [] : listFamilies(repo);
  const outcomes: RefreshOutcome[] = [];
  for (const family of wanted) {
    try {
      const result = await bench.packs.update(source, family);
      outcomes.push({ family, ok: true, line: `ACTIVE ${result.family} ${result.version} ${result.sha256}${result.changed ? '' : ' (unchanged)'} via ${result.resolvedBy}` });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'INTERNAL';
      // The typed-error form every command uses, so scripts read refusals the same way.
      outcomes.push({ family, ok: false, line: `injbench: ${code}: ${family}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return outcomes;
}

export function registerPacksCommand(program: Command): void {
  const packs = program.command('packs').description('Calibration packs on this bench: update and preflight.');
  packs
    .command('update')
    .description('Verify the repository, stage and verify each pack, activate it atomically.')
    .requiredOption('--repo <dir|url>', 'release repository directory or http(s) URL')
    .option('--family <family...>', 'only these families (required for a URL)')
    .addOption(new Option('--channel <channel>', "set the bench's release channel first").choices(channelNames))
    .option('--data-dir <dir>', 'bench data directory (default: $INJBENCH_DATA_DIR or the XDG data directory)')
    .action(async (options: { repo: string; family?: string[]; channel?: ChannelName; dataDir?: string }) => {
      const bench = openBenchForCli(options.dataDir ?? defaultDataDir());
      try {
        if (options.channel) {
          bench.store.settings.update({ releaseChannel: options.channel });
          bench.log.append('admin.channel_set', { channel: options.channel, via: 'command line' });
        }
        const outcomes = await refreshPacks(bench, options.repo, options.family ?? []);
        if (outcomes.length === 0) process.stdout.write('nothing to update: name the families with --family\n');
        for (const outcome of outcomes) (outcome.ok ? process.stdout : process.stderr).write(`${outcome.line}\n`);
        if (outcomes.some((outcome) => !outcome.ok)) process.exitCode = 1;
      } finally {
        bench.close();
      }
    });
  packs
    .command('preflight')
    .description('Re-verify the stored metadata and re-hash the active pack (as before every coding session).')
    .requiredOption('--family <family>', 'injector family')
    .option('--fallback-to-lkg', 'when the active pack is damaged, use the last-known-good one if it re-verifies', false)
    .option('--data-dir <dir>', 'bench data directory')
    .action(async (options: { family: string; fallbackToLkg: boolean; dataDir?: string }) => {
      const bench = openBenchForCli(options.dataDir ?? defaultDataDir());
      try {
        const result = await bench.packs.preflight(options.family, { fallbackToLkg: options.fallbackToLkg });
        process.stdout.write(`READY ${result.family} ${result.version} ${result.sha256}${result.fellBackToLkg ? ' (last-known-good)' : ''}\n`);
      } finally {
        bench.close();
      }
    });
}
