import type { Command } from 'commander';
import type { BenchCore } from '../../electron/services/bench-core';
import { listFamilies } from '../../trust/repository';
import { directorySource } from '../../trust/source';
import { openBenchForCli } from '../bench-context';
import { defaultDataDir } from '../paths';

/** Verifies and activates the packs a repository offers this bench; each family is its own decision. */
export async function refreshPacks(bench: BenchCore, repo: string, families: readonly string[]): Promise<Array<{ family: string; ok: boolean; line: string }>> {
  const source = directorySource(repo);
  const outcomes: Array<{ family: string; ok: boolean; line: string }> = [];
  for (const family of families.length > 0 ? families : listFamilies(repo)) {
    try {
      const result = await bench.packs.update(source, family);
      outcomes.push({ family, ok: true, line: `${result.changed ? 'ACTIVATED' : 'UNCHANGED'} ${family} ${result.version} ${result.sha256}` });
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'INTERNAL';
      outcomes.push({ family, ok: false, line: `REFUSED ${family} ${code}: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return outcomes;
}

export function registerPacksCommand(program: Command): void {
  const packs = program.command('packs').description("the bench's calibration packs");
  packs
    .command('refresh')
    .description('verify, stage and activate the packs a release repository offers this bench')
    .requiredOption('--repo <dir>', 'release repository (directory)')
    .option('--family <family...>', 'only these families')
    .option('--data-dir <dir>', 'bench data directory')
    .action(async (options: { repo: string; family?: string[]; dataDir?: string }) => {
      const bench = openBenchForCli(options.dataDir ?? defaultDataDir());
      try {
        const outcomes = await refreshPacks(bench, options.repo, options.family ?? []);
        for (const outcome of outcomes) process.stdout.write(`${outcome.line}\n`);
        if (outcomes.some((outcome) => !outcome.ok)) process.exitCode = 1;
      } finally {
        bench.close();
      }
    });
}
