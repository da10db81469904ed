/**
 * The bench app's own releases on the central server (docs/release-app.md):
 *   injbench release app-publish   upload installers, sign the app release for a channel (release key)
 *   injbench release app-promote   re-sign what one channel serves for the next one (same bytes)
 *   injbench release app-status    what each channel serves
 *   injbench admin app-directive   a director-signed directive: another app channel for a bench, or a hold
 * The release token comes from $INJBENCH_RELEASE_TOKEN, the admin token from $INJBENCH_SERVER_TOKEN.
 */
import { InvalidArgumentError, type Command } from 'commander';
import path from 'node:path';
import { appReleaseStatus, appReleaseStatusLine, promoteAppRelease, publishAppRelease, type AppReleaseAudit, type AppReleaseSigning } from '../../common/central-api/app-release-publish';
import { jsonOption, printResult, progressLines, type JsonFlag } from '../../common/command-output';
import { releaseTokenFromEnv } from '../../common/central-api/release-publish';
import { callServer } from '../../common/central-api/token-client';
import { adminDirectivePath } from '../../common/central-api/paths';
import type { AppPlatform } from '../../trust/app-release';
import { benchIdSchema } from '../../trust/bench-id';
import { developmentKeys } from '../../trust/demo-repository';
import { signDocument } from '../../trust/envelope';
import { readKeyFile } from '../../trust/keys';
import { nextDirective } from '../../trust/repository';
import { channelNames, limits, type AppUpdateDirective, type ChannelName } from '../../trust/schemas';
import { fetchRepositoryFile, serverRoot } from './admin-distribution';

function channel(value: string): ChannelName {
  if (!(channelNames as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${channelNames.join(', ')}`);
  return value as ChannelName;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError('expected a number > 0');
  return number;
}

function plainVersion(value: string): string {
  if (!/^\d{1,6}\.\d{1,6}\.\d{1,6}$/.test(value)) throw new InvalidArgumentError('expected a plain version like 1.5.0 (promoted builds carry no pre-release tag)');
  return value;
}

interface AuditOptions extends AppReleaseAudit, JsonFlag {
  server: string;
  keys: string;
  validDays?: number;
}

function withAudit(command: Command): Command {
  return jsonOption(command)
    .requiredOption('--server <url>', 'the central server (release token from $INJBENCH_RELEASE_TOKEN)')
    .requiredOption('--keys <dir>', 'directory holding index.key.json, the release key')
    .option('--valid-days <days>', 'days until the signed release expires (benches refuse it after)', positiveNumber, 30)
    .requiredOption('--actor <name>', 'who does this (signed into the release, and server evidence)')
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--ticket <id>', 'change ticket');
}

const auditOf = (options: AuditOptions): AppReleaseAudit => ({ actor: options.actor, reason: options.reason, ticket: options.ticket });

const releaseAccess = (options: AuditOptions) => ({ serverUrl: options.server, token: releaseTokenFromEnv() });

/** The release key, the server's root, the audit and the validity that publishing and promoting both sign with. */
async function signingOf(options: AuditOptions): Promise<AppReleaseSigning> {
  return {
    releaseKey: readKeyFile(path.resolve(options.keys), 'index'),
    root: await serverRoot(options.server),
    audit: auditOf(options),
    now: new Date(),
    validDays: options.validDays,
    print: progressLines(options),
  };
}

export function registerReleaseAppCommands(release: Command): void {
  withAudit(release.command('app-publish'))
    .description('Upload app installers to the central server and publish them, signed, on a channel (usually canary).')
    .requiredOption('--channel <channel>', 'the channel to publish on', channel)
    .requiredOption('--app-version <version>', 'the version the installers carry (package.json of the build)', plainVersion)
    .option('--linux <file>', 'the linux-x64 AppImage')
    .option('--win <file>', 'the win-x64 NSIS installer (Authenticode-signed)')
    .action(async (options: AuditOptions & { channel: ChannelName; appVersion: string; linux?: string; win?: string }) => {
      const installers: { platform: AppPlatform; file: string }[] = [];
      if (options.linux) installers.push({ platform: 'linux-x64', file: path.resolve(options.linux) });
      if (options.win) installers.push({ platform: 'win-x64', file: path.resolve(options.win) });
      if (installers.length === 0) throw new InvalidArgumentError('give at least one installer: --linux FILE and/or --win FILE');
      const published = await publishAppRelease(releaseAccess(options), { channel: options.channel, version: options.appVersion, installers, ...(await signingOf(options)) });
      printResult(options, published, () => []);
    });

  withAudit(release.command('app-promote'))
    .description('Promote the app release one channel serves to the next (canary → staged → stable): the same installers, re-signed.')
    .requiredOption('--from <channel>', 'the channel whose release moves on', channel)
    .requiredOption('--to <channel>', 'the channel it moves to', channel)
    .action(async (options: AuditOptions & { from: ChannelName; to: ChannelName }) => {
      const promoted = await promoteAppRelease(releaseAccess(options), { from: options.from, to: options.to, ...(await signingOf(options)) });
      printResult(options, promoted, () => []);
    });

  jsonOption(release.command('app-status'))
    .description('What each channel of the central server offers the bench app (verified against the server root).')
    .requiredOption('--server <url>', 'the central server')
    .action(async (options: { server: string } & JsonFlag) => {
      const channels = await appReleaseStatus(options.server, await serverRoot(options.server));
      printResult(options, { server: options.server, channels }, () => channels.map(appReleaseStatusLine));
    });
}

interface AppDirectiveOptions extends JsonFlag {
  server: string;
  keys?: string;
  demoKey?: boolean;
  channel?: ChannelName;
  holdHours?: number;
  clear?: boolean;
  actor: string;
  reason: string;
  ticket: string;
}

export function registerAdminAppDirectiveCommand(admin: Command): void {
  jsonOption(admin.command('app-directive'))
    .description("sign a directive for one bench's app updates (another channel and/or a hold) and publish it on the server")
    .argument('<bench-id>')
    .requiredOption('--server <url>', 'the central server (admin token from $INJBENCH_SERVER_TOKEN)')
    .option('--keys <dir>', 'directory holding director.key.json')
    .option('--demo-key', "sign with the demo repository's development director key")
    .option('--channel <channel>', "follow this app channel instead of the bench's own", channel)
    .option('--hold-hours <hours>', 'hold the app at its installed version for this many hours', positiveNumber)
    .option('--clear', "remove the directive's app channel and hold", false)
    .requiredOption('--actor <name>', 'who does this (signed into the directive)')
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--ticket <id>', 'change ticket')
    .action(async (benchId: string, options: AppDirectiveOptions) => {
      if (!benchIdSchema.safeParse(benchId).success) throw new InvalidArgumentError(`${benchId} is not a bench id (bench-<16 hex digits>)`);
      if (Boolean(options.keys) === Boolean(options.demoKey)) throw new InvalidArgumentError('give exactly one of --keys <dir> or --demo-key');
      if (options.clear === Boolean(options.channel || options.holdHours)) throw new InvalidArgumentError('give --channel and/or --hold-hours, or --clear');
      const director = options.keys ? readKeyFile(path.resolve(options.keys), 'director') : developmentKeys().director;
      const now = new Date();
      const appUpdate: AppUpdateDirective | null = options.clear
        ? null
        : {
            ...(options.channel ? { channel: options.channel } : {}),
            ...(options.holdHours ? { hold_until: new Date(now.getTime() + options.holdHours * 3_600_000).toISOString() } : {}),
          };
      const directive = nextDirective({
        root: await serverRoot(options.server),
        previousBytes: await fetchRepositoryFile(options.server, `directives/${benchId}.json`, limits.directiveBytes),
        benchId,
        appUpdate,
        audit: { actor: options.actor, reason: options.reason, ticket: options.ticket },
        now,
      });
      const bytes = Buffer.from(signDocument('directive', directive, [director]));
      await callServer(options.server, 'PUT', adminDirectivePath(benchId), { directiveBase64: bytes.toString('base64') });
      const what = appUpdate ? [appUpdate.channel ? `channel ${appUpdate.channel}` : null, appUpdate.hold_until ? `hold until ${appUpdate.hold_until}` : null].filter(Boolean).join(', ') : 'bench channel, no hold';
      printResult(options, { benchId, appUpdate, seq: directive.seq, expires: directive.expires }, () => [`directive seq ${directive.seq} for ${benchId}: app updates -> ${what}, expires ${directive.expires}`]);
    });
}
