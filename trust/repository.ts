/**
 * Authoring a release repository on disk (the `injbench release` commands and the demo script):
 *
 *   root/<N>.root.json      every root version, each signed by the previous and its own root keys
 *   timestamp.json          short-lived, names the snapshot
 *   snapshot.json           every index's sequence, hash and length
 *   index/<family>.json     versions, channel pointers, floor, revocations (sequence never decreases)
 *   packs/<family>/<version>.injpack
 *   directives/<bench>.json
 *   evidence.jsonl          one line per mutating command: who, why, ticket, what changed
 *
 * Every write is atomic; every mutation bumps the index sequence, the snapshot and the timestamp.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, fsyncDirectory } from './atomic-file';
import { sha256Hex, type KeyPair } from './crypto';
import { openEnvelope, parsePayload, requireThreshold, signDocument } from './envelope';
import { TrustError } from './errors';
import type { RoleKeyPairs } from './keys';
import { compareVersions } from './pack';
import {
  expiryDays,
  SPEC,
  parseOrMalformed,
  directiveSchema,
  indexSchema,
  limits,
  manifestSchema,
  rootSchema,
  snapshotSchema,
  timestampSchema,
  type AppUpdateDirective,
  type Assignment,
  type ChannelName,
  type DirectiveDocument,
  type IndexDocument,
  type KeyRole,
  type RootDocument,
  type SnapshotDocument,
} from './schemas';
import { openTrustedRoot, verifyRootRotation } from './trust-client';

export interface AuditFields {
  actor: string;
  reason: string;
  ticket: string;
}

export interface RepositoryContext {
  repoDir: string;
  now: Date;
  audit: AuditFields;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function inDays(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function iso(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function readBytes(file: string, cap: number): Buffer {
  const bytes = readFileSync(file);
  if (bytes.length > cap) throw new TrustError('OVERSIZE', `${file} is over its ${cap}-byte cap.`);
  return bytes;
}

function writeRepoFile(repoDir: string, name: string, bytes: Uint8Array): void {
  const file = path.join(repoDir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, bytes);
}

/** One line in <repo>/evidence.jsonl: when, which command, who/why/ticket, and what changed. */
export function appendEvidence(context: RepositoryContext, command: string, details: Record<string, unknown>): void {
  const line = JSON.stringify({ at: context.now.toISOString(), command, ...context.audit, ...details });
  appendFileSync(path.join(context.repoDir, 'evidence.jsonl'), `${line}\n`, { mode: 0o644 });
}

/** The newest root, reached from root 1 through verified rotations. */
export function latestRoot(repoDir: string): { root: RootDocument; bytes: Buffer } {
  const firstFile = path.join(repoDir, 'root', '1.root.json');
  if (!existsSync(firstFile)) throw new TrustError('NOT_FOUND', `${repoDir} has no root/1.root.json (run "injbench release init").`);
  let bytes = readBytes(firstFile, limits.rootBytes);
  let root = openTrustedRoot(bytes);
  for (let version = 2; existsSync(path.join(repoDir, 'root', `${version}.root.json`)); version += 1) {
    const next = readBytes(path.join(repoDir, 'root', `${version}.root.json`), limits.rootBytes);
    root = verifyRootRotation(root, next);
    bytes = next;
  }
  return { root, bytes };
}

export function listFamilies(repoDir: string): string[] {
  const directory = path.join(repoDir, 'index');
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

export function readIndex(repoDir: string, family: string, root: RootDocument): IndexDocument | null {
  const file = path.join(repoDir, 'index', `${family}.json`);
  if (!existsSync(file)) return null;
  const envelope = openEnvelope(readBytes(file, limits.indexBytes), limits.indexBytes, `index ${family}`);
  requireThreshold('index', envelope, root.roles.index, root.keys, `index ${family}`);
  return parsePayload(envelope, indexSchema, `index ${family}`);
}

export function readSnapshot(repoDir: string, root: RootDocument): SnapshotDocument | null {
  const file = path.join(repoDir, 'snapshot.json');
  if (!existsSync(file)) return null;
  const envelope = openEnvelope(readBytes(file, limits.snapshotBytes), limits.snapshotBytes, 'snapshot');
  requireThreshold('snapshot', envelope, root.roles.index, root.keys, 'snapshot');
  return parsePayload(envelope, snapshotSchema, 'snapshot');
}

function readTimestampVersion(repoDir: string): number {
  const file = path.join(repoDir, 'timestamp.json');
  if (!existsSync(file)) return 0;
  return parsePayload(openEnvelope(readBytes(file, limits.timestampBytes), limits.timestampBytes, 'timestamp'), timestampSchema, 'timestamp').version;
}

/** Re-signs snapshot and timestamp over the current index files. */
export function refreshSnapshot(context: RepositoryContext, keys: { index: KeyPair; timestamp: KeyPair }, root: RootDocument): void {
  // Only the previous version number is needed; after an index key rotation the old signature no longer verifies.
  const snapshotFile = path.join(context.repoDir, 'snapshot.json');
  const previous = existsSync(snapshotFile)
    ? parsePayload(openEnvelope(readBytes(snapshotFile, limits.snapshotBytes), limits.snapshotBytes, 'snapshot'), snapshotSchema, 'snapshot')
    : null;
  void root;
  const indexes: SnapshotDocument['indexes'] = {};
  for (const family of listFamilies(context.repoDir)) {
    const bytes = readBytes(path.join(context.repoDir, 'index', `${family}.json`), limits.indexBytes);
    const index = parsePayload(openEnvelope(bytes, limits.indexBytes, `index ${family}`), indexSchema, `index ${family}`);
    indexes[family] = { sequence: index.sequence, sha256: sha256Hex(bytes), length: bytes.length };
  }
  const snapshot: SnapshotDocument = { type: 'snapshot', spec: SPEC, version: (previous?.version ?? 0) + 1, expires: inDays(context.now, expiryDays.snapshot), indexes };
  const snapshotBytes = signDocument('snapshot', snapshot, [keys.index]);
  writeRepoFile(context.repoDir, 'snapshot.json', snapshotBytes);
  const timestamp = {
    type: 'timestamp',
    spec: SPEC,
    version: readTimestampVersion(context.repoDir) + 1,
    expires: inDays(context.now, expiryDays.timestamp),
    snapshot: { version: snapshot.version, sha256: sha256Hex(snapshotBytes), length: snapshotBytes.length },
  };
  writeRepoFile(context.repoDir, 'timestamp.json', signDocument('timestamp', parseOrMalformed(timestampSchema, timestamp, 'timestamp'), [keys.timestamp]));
}

function writeIndex(context: RepositoryContext, keys: Pick<RoleKeyPairs, 'index' | 'timestamp'>, root: RootDocument, index: IndexDocument): void {
  const next = parseOrMalformed(indexSchema, { ...index, expires: inDays(context.now, expiryDays.index) }, `index ${index.feature_id}`);
  writeRepoFile(context.repoDir, path.join('index', `${index.feature_id}.json`), signDocument('index', next, [keys.index]));
  refreshSnapshot(context, keys, root);
}

export function buildRootDocument(keys: Record<KeyRole, KeyPair>, options: { version: number; expires: string; environment: 'production' | 'development'; development?: boolean }): RootDocument {
  const entries = Object.values(keys).map((key) => [
    key.keyid,
    { scheme: 'ed25519' as const, public: Buffer.from(key.publicKey).toString('hex'), ...(options.development ? { development: true } : {}) },
  ]);
  const role = (name: KeyRole) => ({ keyids: [keys[name].keyid], threshold: 1 });
  return parseOrMalformed(rootSchema, {
    type: 'root',
    spec: SPEC,
    version: options.version,
    expires: options.expires,
    environment: options.environment,
    keys: Object.fromEntries(entries),
    roles: { root: role('root'), index: role('index'), timestamp: role('timestamp'), director: role('director'), credits: role('credits') },
  }, 'root');
}

export function initRepository(
  context: RepositoryContext,
  keys: RoleKeyPairs,
  options: { environment: 'production' | 'development'; rootExpires?: string },
): { rootBytes: Buffer } {
  if (existsSync(path.join(context.repoDir, 'root', '1.root.json'))) throw new TrustError('RELEASE_REFUSED', `${context.repoDir} already holds a repository.`);
  const development = options.environment === 'development' || Object.values(keys).some((key) => key.development);
  const root = buildRootDocument(keys, {
    version: 1,
    expires: options.rootExpires ?? inDays(context.now, expiryDays.root),
    environment: options.environment,
    development,
  });
  const rootBytes = Buffer.from(signDocument('root', root, [keys.root]));
  writeRepoFile(context.repoDir, path.join('root', '1.root.json'), rootBytes);
  refreshSnapshot(context, keys, root);
  appendEvidence(context, 'init', { environment: options.environment, root_version: 1, root_sha256: sha256Hex(rootBytes) });
  return { rootBytes };
}

/** Reads the manifest of a pack file without trusting it further than its own format. */
export function readPackManifest(packFile: string): { manifest: ReturnType<typeof manifestSchema.parse>; manifestBytes: Buffer; packLength: number } {
  const bytes = readFileSync(packFile);
  if (bytes.length < 12 || bytes.subarray(0, 8).toString('ascii') !== 'INJPACK1') throw new TrustError('MALFORMED', `${packFile} is not an injbench pack.`);
  const manifestLength = bytes.readUInt32BE(8);
  if (manifestLength > limits.manifestBytes || 12 + manifestLength > bytes.length) throw new TrustError('MALFORMED', `${packFile} has a broken header.`);
  const manifestBytes = bytes.subarray(12, 12 + manifestLength);
  const parsed = manifestSchema.safeParse(JSON.parse(manifestBytes.toString('utf8')));
  if (!parsed.success) throw new TrustError('MALFORMED', `${packFile} manifest: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  return { manifest: parsed.data, manifestBytes: Buffer.from(manifestBytes), packLength: bytes.length };
}

function requireIndex(repoDir: string, family: string, root: RootDocument): IndexDocument {
  const index = readIndex(repoDir, family, root);
  if (!index) throw new TrustError('NOT_FOUND', `no family ${family} in ${repoDir}.`);
  return index;
}

export function publishPack(
  context: RepositoryContext,
  keys: Pick<RoleKeyPairs, 'index' | 'timestamp'>,
  options: { packFile: string; channel: ChannelName; notes?: string },
): { family: string; version: string; sha256: string; sequence: number } {
  const { root } = latestRoot(context.repoDir);
  const { manifest, manifestBytes, packLength } = readPackManifest(options.packFile);
  const family = manifest.feature_id;
  const sha256 = sha256Hex(manifestBytes);
  const existing = readIndex(context.repoDir, family, root);
  const index: IndexDocument = existing ?? {
    type: 'index',
    spec: SPEC,
    feature_id: family,
    sequence: 0,
    expires: inDays(context.now, expiryDays.index),
    schema_version: 1,
    versions: {},
    channels: {},
    security_floor: 0,
    revoked: [],
  };
  if (index.versions[manifest.version]) throw new TrustError('RELEASE_REFUSED', `${family} ${manifest.version} is already published; versions are immutable.`);
  const highest = Math.max(-1, ...Object.values(index.versions).map((entry) => entry.release_counter));
  if (manifest.release_counter <= highest) {
    throw new TrustError('RELEASE_REFUSED', `${family} ${manifest.version} has release counter ${manifest.release_counter}; it must exceed the highest published ${highest}.`);
  }
  if (manifest.provenance.dirty && options.channel !== 'canary') throw new TrustError('RELEASE_REFUSED', `${family} ${manifest.version} was built from a dirty tree; it may only go to canary.`);
  const packDir = path.join(context.repoDir, 'packs', family);
  mkdirSync(packDir, { recursive: true });
  copyFileSync(options.packFile, path.join(packDir, `${manifest.version}.injpack`));
  fsyncDirectory(packDir);
  index.versions[manifest.version] = {
    manifest: { sha256, length: manifestBytes.length },
    pack_length: packLength,
    release_counter: manifest.release_counter,
    built_dirty: manifest.provenance.dirty,
    published_at: iso(context.now),
    ...(options.notes ? { notes: options.notes.slice(0, 2000) } : {}),
  };
  index.channels[options.channel] = { version: manifest.version, rollout_percent: 100 };
  index.sequence += 1;
  writeIndex(context, keys, root, index);
  appendEvidence(context, 'publish', { family, version: manifest.version, channel: options.channel, sha256, sequence: index.sequence, notes: options.notes ?? null });
  return { family, version: manifest.version, sha256, sequence: index.sequence };
}

export function promote(
  context: RepositoryContext,
  keys: Pick<RoleKeyPairs, 'index' | 'timestamp'>,
  options: { family: string; version: string; to: ChannelName; rolloutPercent?: number },
): { sequence: number; sha256: string } {
  const { root } = latestRoot(context.repoDir);
  const index = requireIndex(context.repoDir, options.family, root);
  const entry = index.versions[options.version];
  if (!entry) throw new TrustError('NOT_FOUND', `${options.family} ${options.version} is not published.`);
  if (entry.built_dirty && options.to !== 'canary') throw new TrustError('RELEASE_REFUSED', `${options.family} ${options.version} was built from a dirty tree (--allow-dirty); it cannot go past canary.`);
  if (index.revoked.includes(options.version)) throw new TrustError('REVOKED', `${options.family} ${options.version} is revoked.`);
  if (entry.release_counter < index.security_floor) throw new TrustError('BELOW_FLOOR', `${options.family} ${options.version} is below the security floor ${index.security_floor}.`);
  const previous = index.channels[options.to];
  index.channels[options.to] = {
    version: options.version,
    rollout_percent: options.rolloutPercent ?? 100,
    ...(options.rolloutPercent !== undefined && options.rolloutPercent < 100 && previous ? { fallback_version: previous.version } : {}),
  };
  index.sequence += 1;
  writeIndex(context, keys, root, index);
  appendEvidence(context, 'promote', { family: options.family, version: options.version, to: options.to, sha256: entry.manifest.sha256, sequence: index.sequence, from: previous?.version ?? null });
  return { sequence: index.sequence, sha256: entry.manifest.sha256 };
}

export function rollback(
  context: RepositoryContext,
  keys: Pick<RoleKeyPairs, 'index' | 'timestamp'>,
  options: { family: string; channel: ChannelName; to: string; impact: string },
): { sequence: number; from: string | null } {
  const { root } = latestRoot(context.repoDir);
  const index = requireIndex(context.repoDir, options.family, root);
  const entry = index.versions[options.to];
  if (!entry) throw new TrustError('NOT_FOUND', `${options.family} ${options.to} is not published.`);
  if (index.revoked.includes(options.to)) throw new TrustError('REVOKED', `${options.family} ${options.to} is revoked.`);
  if (entry.release_counter < index.security_floor) throw new TrustError('BELOW_FLOOR', `${options.family} ${options.to} is below the security floor ${index.security_floor}.`);
  const from = index.channels[options.channel]?.version ?? null;
  if (from && compareVersions(options.to, from) >= 0) throw new TrustError('RELEASE_REFUSED', `rollback must go to an older version than ${from}.`);
  index.channels[options.channel] = { version: options.to, rollout_percent: 100 };
  index.sequence += 1;
  writeIndex(context, keys, root, index);
  appendEvidence(context, 'rollback', { family: options.family, channel: options.channel, from, to: options.to, impact: options.impact, sequence: index.sequence });
  return { sequence: index.sequence, from };
}

export function setFloor(context: RepositoryContext, keys: Pick<RoleKeyPairs, 'index' | 'timestamp'>, options: { family: string; releaseCounter: number }): { sequence: number } {
  const { root } = latestRoot(context.repoDir);
  const index = requireIndex(context.repoDir, options.family, root);
  if (options.releaseCounter < index.security_floor) throw new TrustError('RELEASE_REFUSED', `the floor of ${options.family} only rises (now ${index.security_floor}).`);
  for (const [channel, pointer] of Object.entries(index.channels)) {
    const counter = pointer ? index.versions[pointer.version]?.release_counter : undefined;
    if (counter !== undefined && counter < options.releaseCounter) throw new TrustError('RELEASE_REFUSED', `channel ${channel} points at ${pointer?.version}, below the new floor; move it first.`);
  }
  index.security_floor = options.releaseCounter;
  index.sequence += 1;
  writeIndex(context, keys, root, index);
  appendEvidence(context, 'floor', { family: options.family, security_floor: options.releaseCounter, sequence: index.sequence });
  return { sequence: index.sequence };
}

export function revoke(context: RepositoryContext, keys: Pick<RoleKeyPairs, 'index' | 'timestamp'>, options: { family: string; version: string }): { sequence: number } {
  const { root } = latestRoot(context.repoDir);
  const index = requireIndex(context.repoDir, options.family, root);
  if (!index.versions[options.version]) throw new TrustError('NOT_FOUND', `${options.family} ${options.version} is not published.`);
  for (const [channel, pointer] of Object.entries(index.channels)) {
    if (pointer?.version === options.version) throw new TrustError('RELEASE_REFUSED', `channel ${channel} points at ${options.version}; roll it back before revoking.`);
  }
  if (!index.revoked.includes(options.version)) index.revoked.push(options.version);
  index.sequence += 1;
  writeIndex(context, keys, root, index);
  appendEvidence(context, 'revoke', { family: options.family, version: options.version, sequence: index.sequence });
  return { sequence: index.sequence };
}

export function pinBench(
  context: RepositoryContext,
  keys: Pick<RoleKeyPairs, 'director'>,
  options: { benchId: string; family: string; assignment: { channel: ChannelName } | { version: string }; offlineGraceHours?: number },
): DirectiveDocument {
  const { root } = latestRoot(context.repoDir);
  let assignment: Assignment;
  if ('version' in options.assignment) {
    const index = requireIndex(context.repoDir, options.family, root);
    const entry = index.versions[options.assignment.version];
    if (!entry) throw new TrustError('NOT_FOUND', `${options.family} ${options.assignment.version} is not published.`);
    assignment = { version: options.assignment.version, sha256: entry.manifest.sha256 };
  } else {
    assignment = { channel: options.assignment.channel };
  }
  const file = path.join(context.repoDir, 'directives', `${options.benchId}.json`);
  const previousBytes = existsSync(file) ? readBytes(file, limits.directiveBytes) : null;
  const directive = nextDirective({ root, previousBytes, benchId: options.benchId, family: options.family, assignment, offlineGraceHours: options.offlineGraceHours, audit: context.audit, now: context.now });
  writeRepoFile(context.repoDir, path.join('directives', `${options.benchId}.json`), signDocument('directive', directive, [keys.director]));
  appendEvidence(context, 'pin', { bench_id: options.benchId, family: options.family, assignment, seq: directive.seq });
  return directive;
}

/**
 * The next directive for a bench: seq + 1, chained to the previous one's exact bytes, the family's
 * assignment replaced and the others kept. Used for a repository directory (pinBench) and for the
 * central server, where the previous directive comes from the server (injbench admin directive).
 */
export function nextDirective(input: {
  root: RootDocument;
  previousBytes: Uint8Array | null;
  benchId: string;
  /** The family whose assignment changes; omitted when only the app's updates change. */
  family?: string;
  assignment?: Assignment;
  offlineGraceHours?: number;
  /** The app's updates: undefined keeps the previous directive's, null removes them. */
  appUpdate?: AppUpdateDirective | null;
  audit: AuditFields;
  now: Date;
}): DirectiveDocument {
  let previous: DirectiveDocument | null = null;
  let previousSha: string | null = null;
  if (input.previousBytes) {
    const envelope = openEnvelope(input.previousBytes, limits.directiveBytes, 'directive');
    requireThreshold('directive', envelope, input.root.roles.director, input.root.keys, 'directive');
    previous = parsePayload(envelope, directiveSchema, 'directive');
    if (previous.bench_id !== input.benchId) throw new TrustError('WRONG_TARGET', `the previous directive is for bench ${previous.bench_id}, not ${input.benchId}.`);
    previousSha = sha256Hex(input.previousBytes);
  }
  return parseOrMalformed(directiveSchema, {
    type: 'directive',
    spec: SPEC,
    bench_id: input.benchId,
    seq: (previous?.seq ?? 0) + 1,
    issued_at: iso(input.now),
    expires: inDays(input.now, expiryDays.directive),
    assignments: { ...(previous?.assignments ?? {}), ...(input.family && input.assignment ? { [input.family]: input.assignment } : {}) },
    offline_grace_hours: input.offlineGraceHours ?? previous?.offline_grace_hours ?? 0,
    ...appUpdateOf(input.appUpdate, previous),
    actor: input.audit.actor,
    reason: input.audit.reason,
    ticket: input.audit.ticket,
    previous_sha256: previousSha,
  }, 'directive');
}

function appUpdateOf(change: AppUpdateDirective | null | undefined, previous: DirectiveDocument | null): { app_update?: AppUpdateDirective } {
  if (change === null) return {};
  const appUpdate = change ?? previous?.app_update;
  return appUpdate ? { app_update: appUpdate } : {};
}

/**
 * A directive for one bench's app updates (pack assignments kept): another app release channel and/or a
 * hold until an instant; null clears both.
 */
export function pinBenchApp(context: RepositoryContext, keys: Pick<RoleKeyPairs, 'director'>, options: { benchId: string; appUpdate: AppUpdateDirective | null }): DirectiveDocument {
  const { root } = latestRoot(context.repoDir);
  const file = path.join(context.repoDir, 'directives', `${options.benchId}.json`);
  const previousBytes = existsSync(file) ? readBytes(file, limits.directiveBytes) : null;
  const directive = nextDirective({ root, previousBytes, benchId: options.benchId, appUpdate: options.appUpdate, audit: context.audit, now: context.now });
  writeRepoFile(context.repoDir, path.join('directives', `${options.benchId}.json`), signDocument('directive', directive, [keys.director]));
  appendEvidence(context, 'app_pin', { bench_id: options.benchId, app_update: options.appUpdate, seq: directive.seq });
  return directive;
}

/** Root N+1: the given roles get new keys; signed by the old root key and the new one. */
export function rotateRoot(
  context: RepositoryContext,
  oldRootKey: KeyPair,
  newKeys: Partial<Record<KeyRole, KeyPair>>,
  options: { environment?: 'production' | 'development'; expires?: string; resignWith?: { index: KeyPair; timestamp: KeyPair } } = {},
): { version: number; sha256: string } {
  const { root } = latestRoot(context.repoDir);
  const keys: Record<string, RootDocument['keys'][string]> = { ...root.keys };
  const roles = structuredClone(root.roles);
  for (const [role, key] of Object.entries(newKeys) as [KeyRole, KeyPair][]) {
    keys[key.keyid] = { scheme: 'ed25519', public: Buffer.from(key.publicKey).toString('hex') };
    roles[role] = { keyids: [key.keyid], threshold: 1 };
  }
  const used = new Set(Object.values(roles).flatMap((spec) => spec.keyids));
  const next = parseOrMalformed(rootSchema, {
    ...root,
    version: root.version + 1,
    expires: options.expires ?? inDays(context.now, expiryDays.root),
    environment: options.environment ?? root.environment,
    keys: Object.fromEntries(Object.entries(keys).filter(([keyid]) => used.has(keyid))),
    roles,
  }, `root v${root.version + 1}`);
  const newRootKey = newKeys.root ?? oldRootKey;
  const signers = newRootKey.keyid === oldRootKey.keyid ? [oldRootKey] : [oldRootKey, newRootKey];
  const bytes = signDocument('root', next, signers);
  writeRepoFile(context.repoDir, path.join('root', `${next.version}.root.json`), bytes);
  // New index or timestamp keys: everything they sign is re-signed now, or benches would refuse it.
  if (options.resignWith && (newKeys.index || newKeys.timestamp)) {
    for (const family of listFamilies(context.repoDir)) {
      const file = path.join(context.repoDir, 'index', `${family}.json`);
      const index = parsePayload(openEnvelope(readBytes(file, limits.indexBytes), limits.indexBytes, `index ${family}`), indexSchema, `index ${family}`);
      writeRepoFile(context.repoDir, path.join('index', `${family}.json`), signDocument('index', { ...index, sequence: index.sequence + 1 }, [options.resignWith.index]));
    }
    refreshSnapshot(context, options.resignWith, next);
  }
  // New director keys: the directives the old keys signed no longer verify, and benches forget the directive they
  // trusted (a compromised key's seq 999999 must not freeze them). Retire them out of the layout (kept for audit,
  // never published or bundled) so the next `pin` starts a new chain at seq 1 signed by the new key.
  const retiredDirectives = newKeys.director ? retireDirectives(context.repoDir, next.version) : [];
  appendEvidence(context, 'rotate-root', { root_version: next.version, sha256: sha256Hex(bytes), rotated_roles: Object.keys(newKeys), retired_directives: retiredDirectives });
  return { version: next.version, sha256: sha256Hex(bytes) };
}

/** Moves every `directives/<bench>.json` to `retired-directives/root-v<N>/`; returns the bench ids. */
function retireDirectives(repoDir: string, rootVersion: number): string[] {
  const directory = path.join(repoDir, 'directives');
  if (!existsSync(directory)) return [];
  const retiredDirectory = path.join(repoDir, 'retired-directives', `root-v${rootVersion}`);
  mkdirSync(retiredDirectory, { recursive: true });
  const retired: string[] = [];
  for (const name of readdirSync(directory).filter((entry) => entry.endsWith('.json')).sort()) {
    renameSync(path.join(directory, name), path.join(retiredDirectory, name));
    retired.push(name.slice(0, -'.json'.length));
  }
  fsyncDirectory(directory);
  fsyncDirectory(retiredDirectory);
  return retired;
}

export interface FamilyStatus {
  family: string;
  sequence: number;
  expires: string;
  securityFloor: number;
  revoked: string[];
  channels: Partial<Record<ChannelName, { version: string; rolloutPercent: number; sha256: string | null }>>;
}

export function repositoryStatus(repoDir: string): { rootVersion: number; rootExpires: string; environment: string; snapshot: { version: number; expires: string } | null; families: FamilyStatus[] } {
  const { root } = latestRoot(repoDir);
  const snapshot = readSnapshot(repoDir, root);
  const families = listFamilies(repoDir).map((family) => {
    const index = requireIndex(repoDir, family, root);
    const channels: FamilyStatus['channels'] = {};
    for (const [channel, pointer] of Object.entries(index.channels) as [ChannelName, NonNullable<IndexDocument['channels'][ChannelName]>][]) {
      channels[channel] = { version: pointer.version, rolloutPercent: pointer.rollout_percent, sha256: index.versions[pointer.version]?.manifest.sha256 ?? null };
    }
    return { family, sequence: index.sequence, expires: index.expires, securityFloor: index.security_floor, revoked: index.revoked, channels };
  });
  return {
    rootVersion: root.version,
    rootExpires: root.expires,
    environment: root.environment,
    snapshot: snapshot ? { version: snapshot.version, expires: snapshot.expires } : null,
    families,
  };
}
