/**
 * `injbench packs …`: the bench side of a release, on a bench data directory: update (verify, stage,
 * activate), preflight (re-verify from disk before a session) and marking the last-known-good pack.
 */
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PackManager } from '../../electron/services/packs/pack-manager';
import { httpSource } from '../../trust/http-source';
import { channelNames, type ChannelName } from '../../trust/schemas';
import { directorySource } from '../../trust/source';
import { appVersion, defaultDataDir, projectRoot } from '../paths';

interface BenchOptions {
  dataDir?: string;
  benchId: string;
  channel: ChannelName;
  hardware: string;
  trustedRoot: string;
  production: boolean;
}

function withBenchOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'bench data directory (default: $INJBENCH_DATA_DIR or the XDG data directory)')
    .option('--bench-id <id>', 'this bench', 'bench-local')
    .addOption(new Option('--channel <channel>', 'default channel').choices(channelNames).default('stable'))
    .option('--hardware <model>', 'bench hardware model', 'virtual-bench')
    .option('--trusted-root <file>', 'bundled root of trust', path.join(projectRoot, 'resources', 'trust', 'root.json'))
    .option('--production', 'behave as a packaged production build', process.env.INJBENCH_PRODUCTION === '1');
}

function managerFor(options: BenchOptions): PackManager {
  return new PackManager({
    dataDir: path.resolve(options.dataDir ?? defaultDataDir()),
    bundledRoot: readFileSync(path.resolve(options.trustedRoot)),
    bench: {
      benchId: options.benchId,
      hardware: options.hardware,
      appVersion: appVersion(),
      defaultChannel: options.channel,
      production: options.production,
      requireTimestamp: true,
    },
  });
}

export function registerPacksCommand(program: Command): void {
  const packs = program.command('packs').description('Calibration packs on this bench: update, preflight, last-known-good.');

  withBenchOptions(packs.command('update'))
    .description('Verify the repository, stage and verify the pack, activate it atomically.')
    .requiredOption('--repo <dir|url>', 'release repository directory or http(s) URL')
    .requiredOption('--family <family>', 'injector family')
    .action(async (options: BenchOptions & { repo: string; family: string }) => {
      const source = /^https?:\/\//.test(options.repo) ? httpSource(options.repo) : directorySource(options.repo);
      const result = await managerFor(options).update(source, options.family);
      process.stdout.write(`ACTIVE ${result.family} ${result.version} ${result.sha256}${result.changed ? '' : ' (unchanged)'} via ${result.resolvedBy}\n`);
    });

  withBenchOptions(packs.command('preflight'))
    .description('Re-verify the stored metadata and re-hash the active pack (run before every coding session).')
    .requiredOption('--family <family>', 'injector family')
    .option('--fallback-to-lkg', 'when the active pack is damaged, use the last-known-good one if it re-verifies', false)
    .action(async (options: BenchOptions & { family: string; fallbackToLkg: boolean }) => {
      const result = await managerFor(options).preflight(options.family, { fallbackToLkg: options.fallbackToLkg });
      process.stdout.write(`READY ${result.family} ${result.version} ${result.sha256}${result.fellBackToLkg ? ' (last-known-good)' : ''}\n`);
    });

  withBenchOptions(packs.command('session-completed'))
    .description('Record that a coding session completed cleanly: the active pack becomes last-known-good.')
    .requiredOption('--family <family>', 'injector family')
    .action((options: BenchOptions & { family: string }) => {
      managerFor(options).markSessionCompleted(options.family);
      process.stdout.write(`LKG ${options.family}\n`);
    });
}
