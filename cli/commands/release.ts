/**
 * `injbench release …`: keys, repository, packs, channels, directives and the bench's own verifier.
 * Every mutating command takes --actor --reason --ticket and leaves a line in <repo>/evidence.jsonl.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPair, type KeyPair } from '../../trust/crypto';
import { LOG_LEVEL_ENV } from '../../common/logger';
import { jsonOption, printResult, progressLines, type JsonFlag } from '../../common/command-output';
import { ADMIN_TOKEN_ENV, METRICS_TOKEN_ENV, MIN_SERVER_TOKEN_LENGTH, RELEASE_TOKEN_SERVER_ENV, SUPPORT_TOKEN_ENV } from '../../common/server-settings';
import { benchTrustProfile } from '../../trust/bench-trust';
import { buildDemoRepository, developmentKeys } from '../../trust/demo-repository';
import { developmentKeysIn } from '../../trust/dev-keys';
import { TrustError } from '../../trust/errors';
import { readAllKeys, readKeyFile, writeKeyFile } from '../../trust/keys';
import { buildPackFromSource } from '../../trust/pack-source';
import {
  appendEvidence,
  initRepository,
  latestRoot,
  listFamilies,
  pinBench,
  promote,
  publishPack,
  readIndex,
  readSnapshot,
  repositoryStatus,
  revoke,
  rollback,
  rotateRoot,
  setFloor,
  type RepositoryContext,
} from '../../trust/repository';
import { channelNames, keyRoles, type ChannelName, type KeyRole } from '../../trust/schemas';
import { snapshotFamilies, verifyRepository } from '../../trust/verify-repository';
import { directorySource, type MetadataSource } from '../../trust/source';
import { httpSource } from '../../trust/http-source';
import { writeFileAtomic } from '../../trust/atomic-file';
import { verifyRelease } from '../../trust/verify-release';
import { appVersion, projectRoot } from '../paths';
import { writeBundle, isBundleEntry } from '../../electron/services/releases/release-source';
import { sha256Hex } from '../../trust/crypto';
import { SyncError } from '../../common/central-api/client';
import type { ReleaseHealth } from '../../server/store/release-health-repository';
import { callServer } from '../../common/central-api/token-client';
import { RELEASE_TOKEN_ENV, publishRepositoryToServer, releaseTokenFromEnv } from '../../common/central-api/release-publish';
import { PROMOTIONS_PATH, PROMOTION_CHECK_PATH, RELEASE_NOTICES_PATH, releaseHealthPath } from '../../common/central-api/paths';
import { initialTrustedMetadata } from '../../trust/trust-client';
import { registerReleaseAppCommands } from './release-app';

/** Release governance calls go with the release-manager token when one is set, else the admin token. */
const asReleaseManager = (): { token?: string } => ({ token: process.env[RELEASE_TOKEN_ENV] || undefined });

function channel(value: string): ChannelName {
  if (!(channelNames as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${channelNames.join(', ')}`);
  return value as ChannelName;
}

function nonNegativeInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return number;
}

function percent(value: string): number {
  const number = nonNegativeInteger(value);
  if (number > 100) throw new InvalidArgumentError('expected 0-100');
  return number;
}

function roleList(value: string): KeyRole[] {
  const roles = value.split(',').map((role) => role.trim());
  for (const role of roles) if (!(keyRoles as readonly string[]).includes(role)) throw new InvalidArgumentError(`unknown role ${role}; roles are ${keyRoles.join(', ')}`);
  return roles as KeyRole[];
}

interface AuditOptions extends JsonFlag {
  repo: string;
  keys: string;
  actor: string;
  reason: string;
  ticket: string;
}

/** Adds --repo --keys --actor --reason --ticket, all required. */
function mutating(command: Command): Command {
  return jsonOption(command)
    .requiredOption('--repo <dir>', 'release repository directory')
    .requiredOption('--keys <dir>', 'directory holding the private key files')
    .requiredOption('--actor <name>', 'who does this (evidence)')
    .requiredOption('--reason <text>', 'why (evidence)')
    .requiredOption('--ticket <id>', 'change ticket (evidence)');
}

function contextOf(options: AuditOptions): RepositoryContext {
  return { repoDir: path.resolve(options.repo), now: new Date(), audit: { actor: options.actor, reason: options.reason, ticket: options.ticket } };
}

function gitProvenance(sourceDir: string): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['-C', sourceDir, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['-C', sourceDir, 'status', '--porcelain', '--', '.'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    throw new TrustError('RELEASE_REFUSED', `${sourceDir} is not inside a git work tree; a pack records its source commit.`);
  }
}

function sourceFor(repo: string): MetadataSource {
  return /^https?:\/\//.test(repo) ? httpSource(repo) : directorySource(repo);
}

export function registerReleaseCommand(program: Command): void {
  const release = program.command('release').description('Signed calibration packs, release indexes and directives.');
  registerReleaseAppCommands(release);

  jsonOption(release.command('keygen'))
    .description('Generate Ed25519 key files (mode 0600), one per role.')
    .requiredOption('--out <dir>', 'directory for the key files')
    .option('--roles <list>', `comma-separated roles (${keyRoles.join(',')})`, roleList, [...keyRoles])
    .option('--development', 'mark the keys as development keys (refused by production builds)', false)
    .action((options: { out: string; roles: KeyRole[]; development: boolean } & JsonFlag) => {
      const keys = options.roles.map((role) => {
        const key = generateKeyPair();
        return { role, keyid: key.keyid, file: writeKeyFile(path.resolve(options.out), role, key, options.development), development: options.development };
      });
      printResult(options, { keys }, () => keys.map((key) => `${key.role} ${key.keyid} ${key.file}`));
    });

  mutating(release.command('init'))
    .description('Create root v1 and an empty repository.')
    .addOption(new Option('--environment <env>', 'root environment').choices(['production', 'development']).default('production'))
    .action((options: AuditOptions & { environment: 'production' | 'development' }) => {
      const context = contextOf(options);
      const { rootBytes } = initRepository(context, readAllKeys(path.resolve(options.keys)), { environment: options.environment });
      printResult(options, { repo: context.repoDir, rootVersion: 1, environment: options.environment, rootBytes: rootBytes.length }, () => [
        `initialised ${context.repoDir}: root v1 (${options.environment}), ${rootBytes.length} bytes`,
      ]);
    });

  const pack = release.command('pack').description('Build packs.');
  jsonOption(pack.command('build'))
    .description('Validate a pack source directory and build one pack file.')
    .argument('<source-dir>')
    .requiredOption('--out <file>', 'pack file to write')
    .option('--allow-dirty', 'build from uncommitted sources (recorded; blocks promotion past canary)', false)
    .action((sourceDir: string, options: { out: string; allowDirty: boolean } & JsonFlag) => {
      const resolved = path.resolve(sourceDir);
      const { commit, dirty } = gitProvenance(resolved);
      if (dirty && !options.allowDirty) throw new TrustError('RELEASE_REFUSED', `${resolved} has uncommitted changes; commit them or pass --allow-dirty (canary only).`);
      const built = buildPackFromSource(resolved, {
        source_commit: commit,
        dirty,
        build_id: `${os.hostname()}-${randomBytes(4).toString('hex')}`,
        build_time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
      writeFileSync(path.resolve(options.out), built.bytes);
      const result = { family: built.manifest.feature_id, version: built.manifest.version, sha256: built.manifestSha256, sourceCommit: commit, dirty, out: path.resolve(options.out) };
      printResult(options, result, () => [`built ${result.family} ${result.version} ${result.sha256}${dirty ? ' (dirty)' : ''} -> ${result.out}`]);
    });

  jsonOption(release.command('publish'))
    .description(
      'Publish a pack to the canary channel of --repo (promotion moves it further); or, with --server, upload the ' +
        `repository to the central server: packs first, then metadata, timestamp last (token from $${RELEASE_TOKEN_ENV}).`,
    )
    .argument('[pack]', 'pack file (local publish)')
    .requiredOption('--repo <dir>', 'release repository directory')
    .option('--server <url>', 'upload --repo to this central server instead of publishing a pack into it')
    .option('--keys <dir>', 'directory holding the private key files (local publish)')
    .option('--actor <name>', 'who does this (evidence)')
    .option('--reason <text>', 'why (evidence)')
    .option('--ticket <id>', 'change ticket (evidence)')
    .option('--channel <channel>', 'must be canary: every release starts there', channel)
    .option('--notes <file>', 'release notes file, recorded in the evidence')
    .action(async (packFile: string | undefined, options: Partial<AuditOptions> & { repo: string; server?: string; channel?: ChannelName; notes?: string }) => {
      const progress = progressLines(options);
      if (options.server) {
        if (packFile) throw new InvalidArgumentError('with --server, publish uploads the whole repository: publish the pack into --repo first, without --server');
        const uploaded = await publishRepositoryToServer({
          repoDir: path.resolve(options.repo),
          serverUrl: options.server,
          token: releaseTokenFromEnv(),
          actor: options.actor ?? os.userInfo().username,
          reason: options.reason,
          ticket: options.ticket,
          print: progress,
        });
        printResult(options, { server: options.server, repo: path.resolve(options.repo), ...uploaded }, () => []);
        return;
      }
      if (!packFile) throw new InvalidArgumentError('give the pack file to publish into --repo, or --server URL to upload the repository');
      const missing = (['keys', 'actor', 'reason', 'ticket', 'channel'] as const).filter((name) => !options[name]);
      if (missing.length > 0) throw new InvalidArgumentError(`publishing a pack needs ${missing.map((name) => `--${name}`).join(', ')}`);
      if (options.channel !== 'canary') throw new TrustError('RELEASE_REFUSED', 'publish goes to canary only; use promote for staged, stable or lts.');
      const notes = options.notes ? readFileSync(path.resolve(options.notes), 'utf8').slice(0, 10_000) : undefined;
      const audit = options as AuditOptions;
      const result = publishPack(contextOf(audit), readAllKeys(path.resolve(audit.keys)), { packFile: path.resolve(packFile), channel: 'canary', notes });
      printResult(options, { ...result, channel: 'canary' }, () => [`published ${result.family} ${result.version} ${result.sha256} to canary (index sequence ${result.sequence})`]);
    });

  mutating(release.command('promote'))
    .description('Point a channel at an already published version (same manifest hash; nothing is rebuilt).')
    .argument('<family>')
    .argument('<version>')
    .requiredOption('--to <channel>', 'staged, stable or lts', channel)
    .option('--rollout <percent>', 'share of benches (cohort by bench id)', percent)
    .option('--server <url>', "central server whose canary health, soak and notice gates must be met (token from $INJBENCH_SERVER_TOKEN)")
    .option('--override', 'promote despite unmet gates (needs --server; recorded there with --reason and --ticket)', false)
    .action(async (family: string, version: string, options: AuditOptions & { to: ChannelName; rollout?: number; server?: string; override: boolean }) => {
      const context = contextOf(options);
      if (!options.server && options.override) throw new InvalidArgumentError('--override needs --server: an override is recorded on the central server.');
      const keys = readAllKeys(path.resolve(options.keys));
      const target = { family, version, to: options.to, rolloutPercent: options.rollout };
      if (!options.server) {
        const result = promote(context, keys, target);
        printResult(options, { family, version, to: options.to, rolloutPercent: options.rollout ?? null, sha256: result.sha256, sequence: result.sequence }, () => [
          `promoted ${family} ${version} ${result.sha256} to ${options.to} (index sequence ${result.sequence})`,
        ]);
        return;
      }
      const { gates, unmet } = await checkPromotionGates(context, options.server, { ...target, override: options.override }, progressLines(options));
      // Sign locally first, then record: a signing that fails leaves no promotion recorded on the server, and
      // a record the server refuses (or never answers) puts the signed metadata back as it was.
      const server = options.server;
      const decision = await promoteThenRecord(context, keys, target, () => recordPromotion(context, server, { ...target, override: options.override }));
      printResult(options, { family, version, to: options.to, rolloutPercent: options.rollout ?? null, ...decision, gates, server: options.server }, () => [
        `promoted ${family} ${version} ${decision.sha256} to ${options.to} (index sequence ${decision.sequence}); ` +
          `${decision.outcome === 'overridden' ? `OVERRIDDEN (${unmet.join(', ')})` : 'gates met'}, decision ${decision.decisionId} recorded on ${options.server}`,
      ]);
    });

  jsonOption(release.command('notice'))
    .description('Publish a release notice on the central server (staged and stable need one ahead of promotion).')
    .argument('<family>')
    .argument('<version>')
    .requiredOption('--server <url>', 'the central server (admin token from $INJBENCH_SERVER_TOKEN)')
    .requiredOption('--channel <channel>', 'the channel the version will be promoted to', channel)
    .requiredOption('--message <text>', 'what changes for the workshops, the window and support coverage')
    .requiredOption('--actor <name>', 'who publishes the notice')
    .requiredOption('--ticket <id>', 'change ticket')
    .option('--window-start <time>', 'planned start of the change window (ISO time)')
    .action(async (family: string, version: string, options: { server: string; channel: ChannelName; message: string; actor: string; ticket: string; windowStart?: string } & JsonFlag) => {
      const notice = (await callServer(options.server, 'POST', RELEASE_NOTICES_PATH, {
        family,
        version,
        channel: options.channel,
        message: options.message,
        actor: options.actor,
        ticket: options.ticket,
        ...(options.windowStart ? { windowStart: options.windowStart } : {}),
      }, asReleaseManager())) as { noticeId: string; publishedAt: string };
      printResult(options, { ...notice, family, version, channel: options.channel }, () => [`notice ${notice.noticeId} for ${family} ${version} -> ${options.channel} published at ${notice.publishedAt}`]);
    });

  mutating(release.command('rollback'))
    .description('Point a channel back at an older version (a new sequence; never below the floor).')
    .argument('<family>')
    .requiredOption('--channel <channel>', 'channel to roll back', channel)
    .requiredOption('--to <version>', 'older version')
    .requiredOption('--impact <text>', 'customer-impact summary (evidence)')
    .action((family: string, options: AuditOptions & { channel: ChannelName; to: string; impact: string }) => {
      const result = rollback(contextOf(options), readAllKeys(path.resolve(options.keys)), { family, channel: options.channel, to: options.to, impact: options.impact });
      printResult(options, { family, channel: options.channel, from: result.from ?? null, to: options.to, sequence: result.sequence }, () => [
        `rolled back ${family} ${options.channel} from ${result.from ?? '(none)'} to ${options.to} (index sequence ${result.sequence})`,
      ]);
    });

  mutating(release.command('floor'))
    .description('Raise the security floor: releases with a lower release counter are refused.')
    .argument('<family>')
    .argument('<release-counter>', 'lowest acceptable release counter', nonNegativeInteger)
    .action((family: string, counter: number, options: AuditOptions) => {
      const result = setFloor(contextOf(options), readAllKeys(path.resolve(options.keys)), { family, releaseCounter: counter });
      printResult(options, { family, securityFloor: counter, sequence: result.sequence }, () => [`security floor of ${family} is ${counter} (index sequence ${result.sequence})`]);
    });

  mutating(release.command('revoke'))
    .description('Revoke a version: benches refuse to activate or keep using it.')
    .argument('<family>')
    .argument('<version>')
    .action((family: string, version: string, options: AuditOptions) => {
      const result = revoke(contextOf(options), readAllKeys(path.resolve(options.keys)), { family, version });
      printResult(options, { family, version, revoked: true, sequence: result.sequence }, () => [`revoked ${family} ${version} (index sequence ${result.sequence})`]);
    });

  mutating(release.command('pin'))
    .description('Sign a directive for one bench: a channel or an exact version for a family.')
    .argument('<bench-id>')
    .requiredOption('--family <family>', 'injector family')
    .option('--channel <channel>', 'follow this channel', channel)
    // Not --version: the root program owns that flag and would print the app version instead.
    .option('--pin-version <version>', 'exact version (the directive carries its manifest hash)')
    .option('--offline-grace-hours <hours>', 'hours the bench may code on expired metadata while offline', nonNegativeInteger)
    .action((benchId: string, options: AuditOptions & { family: string; channel?: ChannelName; pinVersion?: string; offlineGraceHours?: number }) => {
      if (Boolean(options.channel) === Boolean(options.pinVersion)) throw new InvalidArgumentError('give exactly one of --channel or --pin-version');
      const assignment = options.pinVersion ? { version: options.pinVersion } : { channel: options.channel as ChannelName };
      const directive = pinBench(contextOf(options), { director: readKeyFile(path.resolve(options.keys), 'director') }, {
        benchId,
        family: options.family,
        assignment,
        offlineGraceHours: options.offlineGraceHours,
      });
      printResult(options, { benchId, family: options.family, assignment, seq: directive.seq, expires: directive.expires }, () => [
        `directive seq ${directive.seq} for ${benchId}: ${options.family} -> ${options.pinVersion ?? options.channel}`,
      ]);
    });

  mutating(release.command('rotate-root'))
    .description('Sign root N+1 with new keys for the given roles (signed by the old and the new root key).')
    .requiredOption('--new-keys <dir>', 'directory holding the new key files')
    .option('--roles <list>', 'roles whose keys change', roleList, ['root'])
    .addOption(new Option('--environment <env>', 'environment of the new root').choices(['production', 'development']))
    .action((options: AuditOptions & { newKeys: string; roles: KeyRole[]; environment?: 'production' | 'development' }) => {
      const oldRoot = readKeyFile(path.resolve(options.keys), 'root');
      const newKeys: Partial<Record<KeyRole, KeyPair>> = {};
      for (const role of options.roles) newKeys[role] = readKeyFile(path.resolve(options.newKeys), role);
      const current = readAllKeys(path.resolve(options.keys));
      const resignWith = { index: newKeys.index ?? current.index, timestamp: newKeys.timestamp ?? current.timestamp };
      const result = rotateRoot(contextOf(options), oldRoot, newKeys, { environment: options.environment, resignWith });
      printResult(options, { rootVersion: result.version, sha256: result.sha256, rotated: options.roles }, () => [`root v${result.version} ${result.sha256} (rotated: ${options.roles.join(', ')})`]);
    });

  jsonOption(release.command('status'))
    .description('What each channel points to, sequences and expiries.')
    .option('--repo <dir>', 'release repository directory')
    .option('--remote <url>', 'a repository served over HTTP (verified against --trusted-root)')
    .option('--trusted-root <file>', 'root of trust for --remote', path.join(projectRoot, 'resources', 'trust', 'root.json'))
    .action(async (options: { repo?: string; remote?: string; trustedRoot: string; json?: boolean }) => {
      if (options.remote) {
        const families = await remoteStatus(options.remote, options.trustedRoot);
        printResult(options, { remote: options.remote, families }, () => families.flatMap(remoteStatusLines));
        return;
      }
      if (!options.repo) throw new InvalidArgumentError('give --repo or --remote');
      const status = repositoryStatus(path.resolve(options.repo));
      printResult(options, status, () => [
        `root v${status.rootVersion} (${status.environment}) expires ${status.rootExpires}`,
        `snapshot ${status.snapshot ? `v${status.snapshot.version} expires ${status.snapshot.expires}` : '(none)'}`,
        ...status.families.flatMap((family) => [
          `${family.family} sequence ${family.sequence} expires ${family.expires} floor ${family.securityFloor}${family.revoked.length ? ` revoked ${family.revoked.join(',')}` : ''}`,
          ...Object.entries(family.channels).map(([name, pointer]) => `  ${name.padEnd(7)} ${pointer.version} ${pointer.rolloutPercent}% ${pointer.sha256}`),
        ]),
      ]);
    });

  jsonOption(release.command('verify'))
    .description("The bench's own verifier: prints OK <family> <version> <sha256> or the typed error.")
    .requiredOption('--repo <dir|url>', 'repository directory or http(s) URL')
    .option('--family <family>', 'injector family (default: every family in the snapshot)')
    .option('--bench-id <id>', 'bench id (applies its directive and rollout cohort)')
    .option('--channel <channel>', 'the bench default channel', channel, 'stable')
    .option('--hardware <model>', 'bench hardware model', 'virtual-bench')
    .option('--trusted-root <file>', 'bundled root of trust', path.join(projectRoot, 'resources', 'trust', 'root.json'))
    .option('--production', 'verify as a packaged production build (refuses development roots)', process.env.INJBENCH_PRODUCTION === '1')
    .action(async (options: { repo: string; family?: string; benchId?: string; channel: ChannelName; hardware: string; trustedRoot: string; production: boolean } & JsonFlag) => {
      const bench = benchTrustProfile({ benchId: options.benchId ?? null, hardware: options.hardware, appVersion: appVersion(), defaultChannel: options.channel, production: options.production });
      // Print each verdict as it comes (on stderr with --json): a later family's failure must not hide an earlier OK.
      const progress = progressLines(options);
      const source = sourceFor(options.repo);
      const trustedRoot = readFileSync(path.resolve(options.trustedRoot));
      const families = options.family ? [options.family] : await snapshotFamilies(source);
      const verified: { family: string; version: string; sha256: string }[] = [];
      for (const family of families) {
        const [verdict] = await verifyRepository({ source, trustedRoot, bench, family });
        if (!verdict) continue;
        verified.push({ family: verdict.family, version: verdict.version, sha256: verdict.sha256 });
        progress(`OK ${verdict.family} ${verdict.version} ${verdict.sha256}`);
      }
      printResult(options, { repo: options.repo, verified }, () => []);
    });

  jsonOption(release.command('doctor'))
    .description("Production checklist: production root, no development keys, expiries ahead, and the central server's settings in this environment.")
    .requiredOption('--repo <dir>', 'release repository directory')
    .option('--keys <dir>', 'key directory to check for development keys')
    .option('--min-days <days>', 'expiries must be at least this far ahead', nonNegativeInteger, 7)
    .option('--admin-token-file <file>', "the file the server reads its admin token from (as the server's --admin-token-file)")
    .action((options: { repo: string; keys?: string; minDays: number; adminTokenFile?: string; json?: boolean }) => {
      const checks = doctorChecks(path.resolve(options.repo), options.keys ? path.resolve(options.keys) : undefined, options.minDays, process.env, new Date(), options.adminTokenFile);
      printResult(options, { ok: checks.every((check) => check.ok), checks }, () => checks.map((check) => `${check.ok ? 'PASS' : 'FAIL'} ${check.name}: ${check.detail}`));
      const failed = checks.filter((check) => !check.ok).length;
      if (failed > 0) throw new TrustError('RELEASE_REFUSED', `${failed} production check(s) failed.`);
    });

  jsonOption(release.command('bundle'))
    .description('One file holding the repository layout (tar.gz), for benches with no network: injbench packs refresh --bundle FILE.')
    .requiredOption('--repo <dir>', 'release repository directory')
    .requiredOption('--out <file>', 'bundle file to write (must not exist)')
    .action(async (options: { repo: string; out: string } & JsonFlag) => {
      const repoDir = path.resolve(options.repo);
      const outFile = path.resolve(options.out);
      if (existsSync(outFile)) throw new TrustError('RELEASE_REFUSED', `${outFile} exists; choose a new file.`);
      if (!readSnapshot(repoDir, latestRoot(repoDir).root)) throw new TrustError('NOT_FOUND', `${repoDir} has no snapshot; it is not a release repository.`);
      // Only the signed layout goes in: never keys, evidence or build leftovers.
      const files = readdirSync(repoDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(repoDir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
        .filter(isBundleEntry)
        .sort();
      const temporary = `${outFile}.${randomBytes(4).toString('hex')}.tmp`;
      await writeBundle(repoDir, temporary, files);
      renameSync(temporary, outFile);
      const bytes = readFileSync(outFile);
      const bundle = { bundle: outFile, files: files.length, bytes: bytes.length, sha256: sha256Hex(bytes) };
      printResult(options, bundle, () => [`bundle ${outFile}: ${bundle.files} files, ${bundle.bytes} bytes, sha256 ${bundle.sha256}`]);
    });

  jsonOption(release.command('demo'))
    .description('Build the synthetic demo repository (development root, three families, stable 1.0.0, canary 1.1.0).')
    .requiredOption('--out <dir>', 'directory for the repository (must not exist)')
    .option('--source <dir>', 'demo pack sources', path.join(projectRoot, 'resources', 'demo-source'))
    .option('--keys-out <dir>', 'also write its development key files here, to promote, pin or roll back in it')
    .action((options: { out: string; source: string; keysOut?: string } & JsonFlag) => {
      const outDir = path.resolve(options.out);
      if (existsSync(outDir)) throw new TrustError('RELEASE_REFUSED', `${outDir} exists; choose a new directory.`);
      const { packs } = buildDemoRepository({ sourceDir: path.resolve(options.source), outDir });
      const keysDir = options.keysOut ? path.resolve(options.keysOut) : null;
      if (keysDir) {
        const keys = developmentKeys();
        for (const role of keyRoles) writeKeyFile(keysDir, role, keys[role], true);
      }
      printResult(options, { repo: outDir, packs, developmentKeys: keysDir }, () => [
        ...packs.map((item) => `${item.family} ${item.version} ${item.sha256}`),
        `demo repository: ${outDir}`,
        ...(keysDir ? [`development keys: ${keysDir}`] : []),
      ]);
    });

  jsonOption(release.command('health'))
    .description("Canary health of a pack version from the central server: sessions, pass and abort rates, error classes, activations.")
    .argument('<family>')
    .argument('<version>')
    .requiredOption('--server <url>', 'the central server (token from $INJBENCH_SERVER_TOKEN)')
    .option('--repo <dir>', 'release repository: its signed index gives the publish time')
    .action(async (family: string, version: string, options: { server: string; repo?: string } & JsonFlag) => {
      let publishedAt: string | undefined;
      if (options.repo) publishedAt = readIndex(path.resolve(options.repo), family, latestRoot(path.resolve(options.repo)).root)?.versions[version]?.published_at;
      const query = publishedAt ? `?publishedAt=${encodeURIComponent(publishedAt)}` : '';
      const health = (await callServer(options.server, 'GET', `${releaseHealthPath(family, version)}${query}`, undefined, asReleaseManager())) as ReleaseHealth;
      const pct = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`);
      const hours = (seconds: number | null) => (seconds === null ? 'unknown' : `${(seconds / 3600).toFixed(1)} h`);
      const a = health.activation;
      printResult(options, health, () => [
        `${family} ${version}: ${health.sessions} finished sessions on ${health.benches} bench(es) (${health.passed} passed, ${health.failed} failed, ${health.aborted} aborted; ${health.refused} refused, ${health.running} running)`,
        `pass rate ${pct(health.passRate)}, abort rate ${pct(health.abortRate)}`,
        `error classes: ${health.errorClasses.map((e) => `${e.errorClass} ${e.sessions}`).join(', ') || 'none'}`,
        `activations: ${a.benches} bench(es), ${a.refusals} refusal(s) since publish, success ${pct(a.successRate)}, time to activate median ${hours(a.medianSecondsToActivate)}, max ${hours(a.maxSecondsToActivate)}`,
        `published ${health.publishedAt ?? 'at an unknown time'}, ${hours(health.secondsSincePublish)} ago`,
      ]);
    });
}

interface GateAnswer {
  allowed: boolean;
  gates: { id: string; met: boolean; required: string; actual: string; detail: string }[];
  decision?: { decisionId: string; outcome: string };
}

type PromotionTarget = { family: string; version: string; to: ChannelName; override: boolean };

function promotionRequest(context: RepositoryContext, target: PromotionTarget) {
  const { root } = latestRoot(context.repoDir);
  const publishedAt = readIndex(context.repoDir, target.family, root)?.versions[target.version]?.published_at;
  return { family: target.family, version: target.version, to: target.to, ...(publishedAt ? { publishedAt } : {}) };
}

/**
 * Asks the central server whether the channel's gates are met (nothing is recorded yet), prints each gate,
 * and refuses with PROMOTION_GATED (naming every unmet gate and its numbers) unless they are or --override
 * is given. Returns the gates and the ids of the unmet ones.
 */
async function checkPromotionGates(context: RepositoryContext, server: string, target: PromotionTarget, progress: (line: string) => void): Promise<{ gates: GateAnswer['gates']; unmet: string[] }> {
  const check = (await callServer(server, 'POST', PROMOTION_CHECK_PATH, promotionRequest(context, target), asReleaseManager())) as GateAnswer;
  for (const gate of check.gates) progress(`gate ${gate.id.padEnd(10)} ${gate.met ? 'met    ' : 'NOT MET'} required ${gate.required}; actual ${gate.actual}`);
  const unmet = check.gates.filter((gate) => !gate.met);
  if (unmet.length > 0 && !target.override) {
    throw new SyncError(
      'PROMOTION_GATED',
      `promotion of ${target.family} ${target.version} to ${target.to} refused; unmet gate(s):\n${unmet.map((gate) => `  ${gate.id}: required ${gate.required}, actual ${gate.actual}. ${gate.detail}`).join('\n')}\n(--override with --reason and --ticket promotes anyway and is recorded)`,
      false,
    );
  }
  return { gates: check.gates, unmet: unmet.map((gate) => gate.id) };
}

/** Records the decision (allowed or overridden, with the gates the server evaluates again) on the server. */
async function recordPromotion(context: RepositoryContext, server: string, target: PromotionTarget): Promise<{ decisionId: string; outcome: string }> {
  const recorded = (await callServer(server, 'POST', PROMOTIONS_PATH, { ...promotionRequest(context, target), ...context.audit, override: target.override }, asReleaseManager())) as GateAnswer;
  return { decisionId: recorded.decision?.decisionId ?? '?', outcome: recorded.decision?.outcome ?? '?' };
}

/**
 * Signs the promotion into the local repository, then records it. The metadata files a promotion rewrites
 * (the family's index, snapshot, timestamp) are kept first; when signing fails part-way or the server refuses
 * the record, they are put back byte for byte, so a failed signing never leaves a recorded promotion and a
 * refused record never leaves a signed one. A reverted promotion leaves an evidence line saying so. One case
 * stays open: the server records and its answer is lost (network error); the message then says to look at
 * the server's decisions before promoting again.
 */
async function promoteThenRecord(
  context: RepositoryContext,
  keys: Parameters<typeof promote>[1],
  target: Parameters<typeof promote>[2],
  record: () => Promise<{ decisionId: string; outcome: string }>,
): Promise<{ sequence: number; sha256: string; decisionId: string; outcome: string }> {
  const files = [path.join('index', `${target.family}.json`), 'snapshot.json', 'timestamp.json'];
  // A file that did not exist (an unknown family) is removed again, so promote's own typed error is what shows.
  const before = new Map(files.map((name) => [name, existsSync(path.join(context.repoDir, name)) ? readFileSync(path.join(context.repoDir, name)) : null]));
  const restore = (): void => {
    for (const [name, bytes] of before) {
      if (bytes) writeFileAtomic(path.join(context.repoDir, name), bytes);
      else rmSync(path.join(context.repoDir, name), { force: true });
    }
  };
  let result: { sequence: number; sha256: string };
  try {
    result = promote(context, keys, target);
  } catch (error) {
    restore();
    throw error;
  }
  try {
    return { ...result, ...(await record()) };
  } catch (error) {
    restore();
    const cause = error instanceof Error ? error.message : String(error);
    appendEvidence(context, 'promote_reverted', { family: target.family, version: target.version, to: target.to, sequence: result.sequence, cause });
    const lost = error instanceof SyncError && error.code === 'NETWORK_ERROR';
    throw new SyncError(
      error instanceof SyncError ? error.code : 'BAD_RESPONSE',
      `promotion of ${target.family} ${target.version} to ${target.to} was not recorded on the server (${cause}); the signed index sequence ${result.sequence} was discarded and the repository is as it was. ` +
        (lost ? 'The answer was lost, so the server may hold the decision: check "GET /api/v1/releases/promotions/<family>/<version>" before promoting again.' : 'Nothing changed: run the promote again once the cause is fixed.'),
      false,
    );
  }
}

type RemoteFamilyStatus =
  | { family: string; ok: true; sequence: number; expires: string; securityFloor: number; channels: Record<string, { version: string; rolloutPercent: number; sha256: string | null }> }
  | { family: string; ok: false; code: string; message: string };

function remoteStatusLines(status: RemoteFamilyStatus): string[] {
  if (!status.ok) return [`${status.family} ${status.code}: ${status.message}`];
  return [
    `${status.family} sequence ${status.sequence} expires ${status.expires} floor ${status.securityFloor}`,
    ...Object.entries(status.channels).map(([name, pointer]) => `  ${name.padEnd(7)} ${pointer.version} ${pointer.rolloutPercent}% ${pointer.sha256 ?? '?'}`),
  ];
}

async function remoteStatus(url: string, trustedRootFile: string): Promise<RemoteFamilyStatus[]> {
  const source = httpSource(url);
  const trusted = initialTrustedMetadata(readFileSync(path.resolve(trustedRootFile)));
  const bench = benchTrustProfile({ benchId: null, hardware: 'any', appVersion: appVersion(), defaultChannel: 'stable', production: false });
  const statuses: RemoteFamilyStatus[] = [];
  for (const family of await snapshotFamilies(source)) {
    try {
      const { index } = await verifyRelease({ source, family, bench, trusted, now: new Date() });
      const channels = Object.fromEntries(
        Object.entries(index.channels).flatMap(([name, pointer]) => (pointer ? [[name, { version: pointer.version, rolloutPercent: pointer.rollout_percent, sha256: index.versions[pointer.version]?.manifest.sha256 ?? null }]] : [])),
      );
      statuses.push({ family, ok: true, sequence: index.sequence, expires: index.expires, securityFloor: index.security_floor, channels });
    } catch (error) {
      if (!(error instanceof TrustError)) throw error;
      statuses.push({ family, ok: false, code: error.code, message: error.message });
    }
  }
  return statuses;
}

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * The central server's settings as it reads them (server/server-command.ts): the admin token from
 * $INJBENCH_SERVER_ADMIN_TOKEN or --admin-token-file, the optional support, publish-only release and metrics tokens,
 * and the log level. Run on the server's host, with its environment.
 */
export function serverSettingChecks(env: NodeJS.ProcessEnv, adminTokenFile?: string): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  let adminToken = env[ADMIN_TOKEN_ENV];
  let adminSource = `$${ADMIN_TOKEN_ENV}`;
  if (adminTokenFile) {
    adminSource = adminTokenFile;
    try {
      adminToken = readFileSync(adminTokenFile, 'utf8').trim();
    } catch (error) {
      adminToken = undefined;
      adminSource = `${adminTokenFile} (unreadable: ${error instanceof Error ? error.message : String(error)})`;
    }
  }
  const adminOk = typeof adminToken === 'string' && adminToken.length >= MIN_SERVER_TOKEN_LENGTH;
  checks.push({
    name: 'server admin token',
    ok: adminOk,
    detail: adminOk ? `${adminSource}: ${adminToken?.length} characters` : `${adminSource} missing or shorter than ${MIN_SERVER_TOKEN_LENGTH} characters (the server refuses to start)`,
  });
  // Least privilege: the read-only support, publish-only release and /metrics-only tokens must not be the admin token.
  for (const name of [SUPPORT_TOKEN_ENV, RELEASE_TOKEN_SERVER_ENV, METRICS_TOKEN_ENV]) {
    const token = env[name];
    if (!token) {
      checks.push({ name: `$${name}`, ok: true, detail: 'not set (that role is off)' });
      continue;
    }
    const reused = token === adminToken;
    const short = token.length < MIN_SERVER_TOKEN_LENGTH;
    checks.push({ name: `$${name}`, ok: !reused && !short, detail: reused ? 'the same as the admin token' : short ? `shorter than ${MIN_SERVER_TOKEN_LENGTH} characters` : `${token.length} characters, its own` });
  }
  const level = env[LOG_LEVEL_ENV];
  const levelOk = level === undefined || productionLogLevels.includes(level);
  checks.push({ name: `$${LOG_LEVEL_ENV}`, ok: levelOk, detail: level === undefined ? 'not set (info)' : levelOk ? level : `${level}: use one of ${productionLogLevels.join(', ')} in production` });
  return checks;
}

const productionLogLevels = ['fatal', 'error', 'warn', 'info'];

/** The seeds' production checklist, applied to a release repository and this environment. */
export function doctorChecks(repoDir: string, keysDir: string | undefined, minDays: number, env: NodeJS.ProcessEnv = process.env, now = new Date(), adminTokenFile?: string): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const horizon = now.getTime() + minDays * 86_400_000;
  const ahead = (expires: string) => Date.parse(expires) > horizon;
  const { root } = latestRoot(repoDir);
  checks.push({ name: 'production root', ok: root.environment === 'production', detail: `root v${root.version} is ${root.environment}` });
  const devKeys = developmentKeysIn(root);
  checks.push({ name: 'no development keys in root', ok: devKeys.length === 0, detail: devKeys.length ? `${devKeys.length} development key(s)` : 'none' });
  if (keysDir) {
    const devFiles = keyRoles.filter((role) => {
      try {
        return readKeyFile(keysDir, role).development;
      } catch {
        return false;
      }
    });
    checks.push({ name: 'no development signing keys', ok: devFiles.length === 0, detail: devFiles.length ? devFiles.join(', ') : 'none' });
  }
  checks.push({ name: 'root expiry ahead', ok: ahead(root.expires), detail: root.expires });
  const snapshot = readSnapshot(repoDir, root);
  checks.push({ name: 'snapshot expiry ahead', ok: snapshot !== null && ahead(snapshot.expires), detail: snapshot?.expires ?? 'no snapshot' });
  for (const family of listFamilies(repoDir)) {
    const index = readIndex(repoDir, family, root);
    checks.push({ name: `index ${family} expiry ahead`, ok: index !== null && ahead(index.expires), detail: index?.expires ?? 'missing' });
  }
  checks.push(...serverSettingChecks(env, adminTokenFile));
  return checks;
}
