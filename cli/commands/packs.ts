/**
 * `injbench packs …`: the bench side of a release on a bench data directory: update (verify, stage,
 * activate) and preflight (re-verify from disk, as before every coding session). The bench's own
 * identity and root of trust come from the data directory, as in the app.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { BenchCore } from '../../electron/services/bench-core';
import { describeHardwareCheck } from '../../electron/services/packs/pack-manager';
import { httpSource } from '../../trust/http-source';
import { TrustError } from '../../trust/errors';
import { channelNames, limits, type ChannelName } from '../../trust/schemas';
import { directorySource } from '../../trust/source';
import { releaseServiceOn, type ReleaseService } from '../../electron/services/releases/release-service';
import { createLogger } from '../../common/logger';
import type { FamilyRelease, ReleaseSourceInput } from '../../electron/contract/bench-api';
import { openBenchForCli } from '../bench-context';
import { jsonOption, printResult } from '../../common/command-output';
import { defaultDataDir } from '../paths';

/** One family's outcome of an update: activated (or unchanged), or refused with its typed code. */
export type RefreshOutcome = { family: string; line: string } & (
  | {
      ok: true;
      version: string;
      sha256: string;
      changed: boolean;
      resolvedBy: string;
      /** For stderr: the hardware check waits for the session gate (no bench has reported its model yet). */
      note: string | null;
    }
  | { ok: false; code: string; message: string }
);

/**
 * Verifies and activates what a repository offers this bench, each family its own decision, through the
 * release service: the bench's local pins apply exactly as in the app and in `packs refresh`.
 */
export async function refreshPacks(bench: BenchCore, repo: string, families: readonly string[]): Promise<RefreshOutcome[]> {
  const source = /^https?:\/\//.test(repo) ? httpSource(repo) : directorySource(repo);
  const service = releaseServiceOn(bench);
  try {
    return (await service.update(source, families)).map((outcome) => {
      if ('result' in outcome) {
        const { result } = outcome;
        const deferred = result.hardware.outcome === 'deferred-to-session-gate' ? `injbench: note: ${result.family}: hardware ${describeHardwareCheck(result.hardware)}` : null;
        return {
          family: result.family,
          ok: true,
          version: result.version,
          sha256: result.sha256,
          changed: result.changed,
          resolvedBy: result.resolvedBy,
          line: `ACTIVE ${result.family} ${result.version} ${result.sha256}${result.changed ? '' : ' (unchanged)'} via ${result.resolvedBy}`,
          note: deferred,
        };
      }
      const { error, family } = outcome;
      const code = (error as { code?: string }).code ?? 'INTERNAL';
      const message = error instanceof Error ? error.message : String(error);
      // The typed-error form every command uses, so scripts read refusals the same way.
      return { family, ok: false, code, message, line: `injbench: ${code}: ${family}: ${message}` };
    });
  } finally {
    await service.stop();
  }
}

export function registerPacksCommand(program: Command): void {
  const packs = program.command('packs').description('Calibration packs on this bench: update, preflight, pins, rollback and refresh.');
  registerReleaseCommands(packs);
  jsonOption(packs.command('update'))
    .description('Verify the repository, stage and verify each pack, activate it atomically.')
    .requiredOption('--repo <dir|url>', 'release repository directory or http(s) URL')
    .option('--family <family...>', 'only these families (default: every family the repository lists)')
    .addOption(new Option('--channel <channel>', "set the bench's release channel first").choices(channelNames))
    .option('--data-dir <dir>', 'bench data directory (default: $INJBENCH_DATA_DIR or the XDG data directory)')
    .action(async (options: { repo: string; family?: string[]; channel?: ChannelName; dataDir?: string; json?: boolean }) => {
      // Installing packs is how a bench is set up: the one packs command that may start a new bench.
      const bench = openBenchForCli(options.dataDir ?? defaultDataDir(), { create: true });
      try {
        if (options.channel) {
          bench.store.settings.update({ releaseChannel: options.channel });
          bench.log.append('admin.channel_set', { channel: options.channel, via: 'command line' });
        }
        const outcomes = await refreshPacks(bench, options.repo, options.family ?? []);
        for (const outcome of outcomes) {
          if (!outcome.ok && !options.json) process.stderr.write(`${outcome.line}\n`);
          if (outcome.ok && outcome.note) process.stderr.write(`${outcome.note}\n`);
        }
        printResult(options, { families: outcomes.map(({ line: _line, ...outcome }) => outcome) }, () =>
          outcomes.length === 0 ? ['nothing to update: the repository lists no family'] : outcomes.flatMap((outcome) => (outcome.ok ? [outcome.line] : [])),
        );
        if (outcomes.some((outcome) => !outcome.ok)) process.exitCode = 1;
      } finally {
        bench.close();
      }
    });
  jsonOption(packs.command('preflight'))
    .description('Re-verify the stored metadata and re-hash the active pack (as before every coding session).')
    .requiredOption('--family <family>', 'injector family')
    .option('--fallback-to-lkg', 'when the active pack is damaged, use the last-known-good one if it re-verifies', false)
    .option('--data-dir <dir>', 'bench data directory')
    .action(async (options: { family: string; fallbackToLkg: boolean; dataDir?: string; json?: boolean }) => {
      const bench = openBenchForCli(options.dataDir ?? defaultDataDir());
      try {
        const result = await bench.packs.preflight(options.family, { fallbackToLkg: options.fallbackToLkg });
        printResult(options, { family: result.family, version: result.version, sha256: result.sha256, fellBackToLkg: result.fellBackToLkg, hardware: result.hardware }, () => [
          `READY ${result.family} ${result.version} ${result.sha256}${result.fellBackToLkg ? ' (last-known-good)' : ''}`,
        ]);
        if (result.hardware.outcome === 'deferred-to-session-gate') process.stderr.write(`injbench: note: ${result.family}: hardware ${describeHardwareCheck(result.hardware)}\n`);
      } finally {
        bench.close();
      }
    });
}

function describeFamily(family: FamilyRelease): string[] {
  const lines = [
    `${family.family}: active ${family.active ? `${family.active.version} (counter ${family.active.releaseCounter})` : 'none'}, last-known-good ${family.lastKnownGood?.version ?? 'none'}, ${family.decidedBy}`,
    `  index expires ${family.indexExpires ?? '?'} (${family.freshness}), security floor ${family.securityFloor ?? '?'}`,
  ];
  if (family.pin) lines.push(`  pin ${family.pin.kind} ${family.pin.channel ?? family.pin.version} until ${family.pin.endsAt}${family.pin.expired ? ' (expired)' : ''} by ${family.pin.actor}, ${family.pin.ticket}: ${family.pin.reason}`);
  for (const version of family.available) {
    const flags = [...version.channels, ...(version.revoked ? ['REVOKED'] : []), ...(version.belowFloor ? ['below floor'] : [])];
    lines.push(`  ${version.version} counter ${version.releaseCounter}${flags.length ? ` [${flags.join(', ')}]` : ''}${version.notes ? ` ${version.notes}` : ''}`);
  }
  return lines;
}

/** What pin, unpin and rollback print for people: the change, then the family without its version list. */
function familyChange(change: string, family: FamilyRelease): string[] {
  const [first = '', ...rest] = describeFamily({ ...family, available: [] });
  return [`${change} ${first}`, ...rest];
}

interface AuditOptions {
  json?: boolean;
  actor: string;
  reason: string;
  ticket: string;
  dataDir?: string;
}

function audited(command: Command): Command {
  return jsonOption(command)
    .requiredOption('--actor <name>', 'who makes the change (recorded)')
    .requiredOption('--reason <text>', 'why (recorded)')
    .requiredOption('--ticket <id>', 'the ticket that tracks it (recorded)')
    .option('--data-dir <dir>', 'bench data directory (default: $INJBENCH_DATA_DIR or the XDG data directory)');
}

async function withReleases<T>(dataDir: string | undefined, work: (service: ReleaseService) => Promise<T>, { create = false } = {}): Promise<T> {
  const bench = openBenchForCli(dataDir ?? defaultDataDir(), { create });
  const service = releaseServiceOn(bench, createLogger('injbench-packs', 'warn'));
  try {
    return await work(service);
  } finally {
    await service.stop();
    bench.close();
  }
}

function endTime(hours: string): string {
  const value = Number(hours);
  if (!Number.isFinite(value) || value <= 0) throw new Error('--hours must be a positive number');
  return new Date(Date.now() + value * 3_600_000).toISOString();
}

/** What `injbench packs releases` prints: the source and last refresh, then each family. */
export function releasesReport(service: ReleaseService): string {
  const view = service.view(true);
  const header = `source ${view.source ? `${view.source.kind} ${view.source.location}` : 'not configured'}; last refresh ${view.lastRefreshAt ?? 'never'}${view.refreshPendingSince ? `; refresh pending since ${view.refreshPendingSince}` : ''}`;
  return [header, ...view.families.flatMap(describeFamily)].map((line) => `${line}\n`).join('');
}

export function registerReleaseCommands(packs: Command): void {
  jsonOption(packs.command('releases'))
    .description('Per family: active pack, last-known-good, pin, freshness and the versions the trusted index lists.')
    .option('--data-dir <dir>', 'bench data directory')
    .action(async (options: { dataDir?: string; json?: boolean }) =>
      withReleases(options.dataDir, async (service) => printResult(options, service.view(true), () => [releasesReport(service).trimEnd()])),
    );
  audited(packs.command('refresh'))
    .description('Fetch, verify and activate per family from the configured source, or from --server, --dir or --bundle (remembered).')
    .option('--dir <dir>', 'a release repository directory')
    .option('--bundle <file>', 'an offline bundle file (injbench release bundle)')
    .option('--server', 'the central server set in the bench settings')
    .action(async (options: AuditOptions & { dir?: string; bundle?: string; server?: boolean }) =>
      withReleases(options.dataDir, async (service) => {
        const source: ReleaseSourceInput | undefined = options.dir ? { kind: 'directory', path: options.dir } : options.bundle ? { kind: 'bundle', path: options.bundle } : options.server ? { kind: 'server' } : undefined;
        const result = await service.refresh({ actor: options.actor, reason: options.reason, ticket: options.ticket, trigger: 'admin', source });
        printResult(options, result, () => [
          `refreshed from ${result.source ?? '?'}`,
          ...result.families.map((family) => `${family.outcome.toUpperCase()} ${family.family} ${family.version ?? '-'}${family.code ? ` ${family.code}: ${family.message}` : ''}`),
        ]);
        if (result.families.some((family) => family.outcome === 'refused')) process.exitCode = 1;
      }, { create: true }),
    );
  audited(packs.command('pin'))
    .description('Pin a family to a channel or to a version the trusted index lists, until an end time (at most 90 days).')
    .requiredOption('--family <family>', 'injector family')
    .addOption(new Option('--channel <channel>', 'pin to this channel').choices(channelNames).conflicts('pinVersion'))
    .option('--pin-version <version>', 'pin to this exact version')
    .requiredOption('--hours <hours>', 'the pin ends this many hours from now')
    .action(async (options: AuditOptions & { family: string; channel?: ChannelName; pinVersion?: string; hours: string }) =>
      withReleases(options.dataDir, async (service) => {
        if (!options.channel && !options.pinVersion) throw new Error('give --channel or --pin-version');
        const target = options.channel ? { channel: options.channel } : { version: options.pinVersion as string };
        const family = await service.pin({ family: options.family, target, endsAt: endTime(options.hours), actor: options.actor, reason: options.reason, ticket: options.ticket });
        printResult(options, family, () => familyChange('PINNED', family));
      }),
    );
  audited(packs.command('unpin'))
    .description('Remove the pin; the family returns to its channel now.')
    .requiredOption('--family <family>', 'injector family')
    .action(async (options: AuditOptions & { family: string }) =>
      withReleases(options.dataDir, async (service) => {
        const family = await service.unpin({ family: options.family, actor: options.actor, reason: options.reason, ticket: options.ticket });
        printResult(options, family, () => familyChange('UNPINNED', family));
      }),
    );
  audited(packs.command('trust-root'))
    .description(
      "Replace this bench's root of trust out of band (recovery from a stolen root key, docs/trust-packs.md): the root file the release manager hands over, confirmed by its SHA-256 read out through another channel. Forgets every trusted document and active pack; the next update installs afresh.",
    )
    .requiredOption('--from <file>', 'the root file (root/<N>.root.json of the recovered repository)')
    .requiredOption('--confirm-sha256 <hex>', "the root file's SHA-256 as the release manager read it out to you (type it; do not copy it from the file)")
    .action(async (options: AuditOptions & { from: string; confirmSha256: string }) => {
      const file = path.resolve(options.from);
      // Capped like every root the bench reads: a root file is at most limits.rootBytes.
      const rootBytes = await directorySource(path.dirname(file)).read(path.basename(file), limits.rootBytes);
      if (!rootBytes) throw new TrustError('NOT_FOUND', `no root file at ${file}.`);
      const bench = openBenchForCli(options.dataDir ?? defaultDataDir());
      try {
        const result = bench.packs.replaceTrustAnchor(rootBytes, options.confirmSha256, { actor: options.actor, reason: options.reason, ticket: options.ticket });
        printResult(options, result, () => [
          `TRUSTED root v${result.rootVersion} ${result.sha256}`,
          `forgotten: ${result.forgotten.length > 0 ? `active ${result.forgotten.join(', ')}` : 'no active pack'}; every trusted document; run "injbench packs update" to install afresh`,
        ]);
      } finally {
        bench.close();
      }
    });
  audited(packs.command('rollback'))
    .description('Back to the last-known-good pack, held there by a pin until the end time.')
    .requiredOption('--family <family>', 'injector family')
    .requiredOption('--hours <hours>', 'the rollback pin ends this many hours from now')
    .action(async (options: AuditOptions & { family: string; hours: string }) =>
      withReleases(options.dataDir, async (service) => {
        const family = await service.rollback({ family: options.family, endsAt: endTime(options.hours), actor: options.actor, reason: options.reason, ticket: options.ticket });
        printResult(options, family, () => familyChange('ROLLED BACK', family));
      }),
    );
}
