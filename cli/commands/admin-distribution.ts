/**
 * `injbench admin directive|evidence`: per-bench directives signed locally with the director key and
 * published through the server's admin API, and the server's publish evidence.
 */
import { InvalidArgumentError, type Command } from 'commander';
import path from 'node:path';
import { z } from 'zod';
import { SyncError } from '../../common/central-api/client';
import { openEnvelope, parsePayload, signDocument } from '../../trust/envelope';
import { developmentKeys } from '../../trust/demo-repository';
import { readKeyFile } from '../../trust/keys';
import { nextDirective } from '../../trust/repository';
import { channelNames, indexSchema, limits, type Assignment, type ChannelName, type RootDocument } from '../../trust/schemas';
import { callServer, syncErrorOf } from '../../common/central-api/token-client';
import { fetchWithinBounds } from '../../trust/http-source';
import { jsonOption, printResult, type JsonFlag } from '../../common/command-output';
import { ADMIN_EVIDENCE_PATH, adminDirectivePath } from '../../common/central-api/paths';
import { REPOSITORY_PREFIX } from '../../common/central-api/paths';
import { benchIdSchema } from '../../trust/bench-id';
import { openTrustedRoot, verifyRootRotation } from '../../trust/trust-client';

/** A public repository file from the server, or null on 404. */
export async function fetchRepositoryFile(serverUrl: string, name: string, maxBytes: number): Promise<Buffer | null> {
  const url = new URL(`${REPOSITORY_PREFIX}/${name}`, serverUrl);
  let response: { status: number; ok: boolean; bytes: Buffer };
  try {
    // Capped while it streams, not after the whole body is in memory.
    response = await fetchWithinBounds(url, { redirect: 'error' }, { maxBytes, timeoutMs: 30_000 });
  } catch (error) {
    throw syncErrorOf(error, url);
  }
  if (response.status === 404) return null;
  if (!response.ok) throw new SyncError('BAD_RESPONSE', `The server answered ${response.status} for ${name}.`, response.status >= 500, response.status);
  const { bytes } = response;
  return bytes;
}

/** The server's newest root, reached from root 1 through verified rotations. */
export async function serverRoot(serverUrl: string): Promise<RootDocument> {
  const first = await fetchRepositoryFile(serverUrl, 'root/1.root.json', limits.rootBytes);
  if (!first) throw new SyncError('NOT_FOUND', 'The server serves no repository yet: publish one with "injbench release publish --server".', false);
  let root = openTrustedRoot(first);
  for (let version = 2; version <= limits.maxRootRotations + 1; version += 1) {
    const next = await fetchRepositoryFile(serverUrl, `root/${version}.root.json`, limits.rootBytes);
    if (!next) break;
    root = verifyRootRotation(root, next);
  }
  return root;
}

function channel(value: string): ChannelName {
  if (!(channelNames as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${channelNames.join(', ')}`);
  return value as ChannelName;
}

interface DirectiveOptions extends JsonFlag {
  server: string;
  keys?: string;
  demoKey?: boolean;
  family: string;
  channel?: ChannelName;
  pinVersion?: string;
  offlineGraceHours?: number;
  actor: string;
  reason: string;
  ticket: string;
}

export async function runAdminDirective(benchId: string, options: DirectiveOptions): Promise<void> {
  if (!benchIdSchema.safeParse(benchId).success) throw new InvalidArgumentError(`${benchId} is not a bench id (bench-<16 hex digits>)`);
  if (Boolean(options.channel) === Boolean(options.pinVersion)) throw new InvalidArgumentError('give exactly one of --channel or --pin-version');
  if (Boolean(options.keys) === Boolean(options.demoKey)) throw new InvalidArgumentError('give exactly one of --keys <dir> or --demo-key');
  // The demo key is derived from a public seed: only benches on the development root accept what it signs.
  const director = options.keys ? readKeyFile(path.resolve(options.keys), 'director') : developmentKeys().director;
  const root = await serverRoot(options.server);
  let assignment: Assignment;
  if (options.pinVersion) {
    const indexBytes = await fetchRepositoryFile(options.server, `index/${options.family}.json`, limits.indexBytes);
    if (!indexBytes) throw new SyncError('NOT_FOUND', `The server serves no index for ${options.family}.`, false);
    const index = parsePayload(openEnvelope(indexBytes, limits.indexBytes, `index ${options.family}`), indexSchema, `index ${options.family}`);
    const entry = index.versions[options.pinVersion];
    if (!entry) throw new SyncError('NOT_FOUND', `${options.family} ${options.pinVersion} is not published on the server.`, false);
    assignment = { version: options.pinVersion, sha256: entry.manifest.sha256 };
  } else {
    assignment = { channel: options.channel as ChannelName };
  }
  const previousBytes = await fetchRepositoryFile(options.server, `directives/${benchId}.json`, limits.directiveBytes);
  const directive = nextDirective({
    root,
    previousBytes,
    benchId,
    family: options.family,
    assignment,
    offlineGraceHours: options.offlineGraceHours,
    audit: { actor: options.actor, reason: options.reason, ticket: options.ticket },
    now: new Date(),
  });
  const bytes = Buffer.from(signDocument('directive', directive, [director]));
  await callServer(options.server, 'PUT', adminDirectivePath(benchId), { directiveBase64: bytes.toString('base64') });
  const target = 'version' in assignment ? `${assignment.version} (${assignment.sha256})` : `channel ${assignment.channel}`;
  printResult(options, { benchId, family: options.family, assignment, seq: directive.seq, expires: directive.expires }, () => [
    `directive seq ${directive.seq} for ${benchId}: ${options.family} -> ${target}, expires ${directive.expires}`,
  ]);
}

const evidenceSchema = z.array(z.object({ at: z.string(), role: z.string(), actor: z.string(), action: z.string(), detail: z.record(z.string(), z.unknown()) }));

export function registerAdminDistributionCommands(admin: Command): void {
  jsonOption(admin.command('directive'))
    .description("sign a directive for one bench with the director key and publish it on the server (served at directives/<bench>.json)")
    .argument('<bench-id>')
    .requiredOption('--server <url>', 'the central server')
    .option('--keys <dir>', 'directory holding director.key.json')
    .option('--demo-key', "sign with the demo repository's development director key")
    .requiredOption('--family <family>', 'injector family')
    .option('--channel <channel>', 'follow this channel', channel)
    .option('--pin-version <version>', 'exact version (the directive carries its manifest hash)')
    .option('--offline-grace-hours <hours>', 'hours the bench may code on expired metadata while offline', (v) => Number(v))
    .requiredOption('--actor <name>', 'who does this (evidence, signed into the directive)')
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--ticket <id>', 'change ticket')
    .action(runAdminDirective);
  jsonOption(admin.command('evidence'))
    .description('what was published, pinned and granted on the server: who (token role, actor), what, when')
    .requiredOption('--server <url>', 'the central server')
    .option('--limit <n>', 'newest entries to show', (v) => Number(v), 50)
    .option('--action <name>', 'only this action (release.pack_uploaded, release.metadata_published, directive.published, credits.grant_issued)')
    .action(async (options: { server: string; limit: number; action?: string; json?: boolean }) => {
      const query = new URLSearchParams({ limit: String(options.limit), ...(options.action ? { action: options.action } : {}) });
      const entries = evidenceSchema.parse(await callServer(options.server, 'GET', `${ADMIN_EVIDENCE_PATH}?${query.toString()}`));
      printResult(options, entries, () => entries.map((entry) => `${entry.at} ${entry.role}/${entry.actor} ${entry.action} ${JSON.stringify(entry.detail)}`));
    });
}
