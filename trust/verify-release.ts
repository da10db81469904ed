/**
 * The verification order of docs/trust.md, steps 1 to 6, as one decision. Each check fails closed with a
 * typed error and nothing is persisted here: the caller gets the next trusted state and persists it only
 * after the pack has been verified and activated (steps 7 and 8, electron/services/packs).
 */
import { sha256Hex } from './crypto';
import { developmentKeysIn } from './dev-keys';
import { openEnvelope, parsePayload, requireThreshold } from './envelope';
import { TrustError } from './errors';
import {
  benchId as benchIdSchema,
  featureId,
  parseOrMalformed,
  directiveSchema,
  indexSchema,
  limits,
  rootSchema,
  snapshotSchema,
  timestampSchema,
  type ChannelName,
  type DirectiveDocument,
  type IndexDocument,
  type RootDocument,
  type VersionEntry,
} from './schemas';
import type { MetadataSource } from './source';

export interface BenchProfile {
  benchId: string | null;
  /** Hardware model the packs must list in compatible_hardware. */
  hardware: string;
  appVersion: string;
  defaultChannel: ChannelName;
  /** A packaged production build: development roots and keys are refused. */
  production: boolean;
  /** Online benches insist on a fresh timestamp; offline bundles may omit it. */
  requireTimestamp: boolean;
}

export interface ActiveRelease {
  version: string;
  release_counter: number;
  manifest_sha256: string;
}

/** What a bench remembers between updates. Root bytes are stored exactly as received. */
export interface TrustedMetadata {
  rootBase64: string;
  lastTrustedTime: string | null;
  timestamp: { version: number; sha256: string } | null;
  snapshot: { version: number; sha256: string } | null;
  indexes: Record<string, { sequence: number; sha256: string }>;
  directive: { seq: number; sha256: string } | null;
  active: Record<string, ActiveRelease>;
}

export interface VerifiedMetadataBytes {
  root: Uint8Array;
  timestamp: Uint8Array | null;
  snapshot: Uint8Array;
  index: Uint8Array;
  directive: Uint8Array | null;
}

export interface VerifiedRelease {
  family: string;
  version: string;
  entry: VersionEntry;
  root: RootDocument;
  index: IndexDocument;
  directive: DirectiveDocument | null;
  /** How the target was chosen, for the evidence entry. */
  resolvedBy: string;
  resolution: Resolution;
  /** A local pin was passed but its end time has passed: it was not applied. */
  localPinExpired: boolean;
  bytes: VerifiedMetadataBytes;
  /** The trusted state to persist once the pack is active; `active` is not yet updated. */
  next: TrustedMetadata;
}

/** Which rule chose the target, in precedence order (docs/trust-packs.md). */
export type Resolution = 'directive-pin' | 'local-pin' | 'local-rollback' | 'directive-channel' | 'default-channel';

/**
 * A workshop admin's pin on this bench: to a channel or to a version the trusted index lists, always with
 * an end time. `rollbackToLkg` marks the pin an admin rollback made to the exact last-known-good.
 */
export type LocalPin = { endsAt: string } & ({ channel: ChannelName } | { version: string; rollbackToLkg?: boolean });

export function initialTrustedMetadata(bundledRoot: Uint8Array): TrustedMetadata {
  return {
    rootBase64: Buffer.from(bundledRoot).toString('base64'),
    lastTrustedTime: null,
    timestamp: null,
    snapshot: null,
    indexes: {},
    directive: null,
    active: {},
  };
}

function expired(expires: string, now: Date): boolean {
  return Date.parse(expires) <= now.getTime();
}

function requireNotExpired(what: string, expires: string, now: Date): void {
  if (expired(expires, now)) throw new TrustError('EXPIRED', `${what} expired at ${expires}.`);
}

/** A root trusted on its own: the threshold of its own root keys. */
export function openTrustedRoot(bytes: Uint8Array): RootDocument {
  const envelope = openEnvelope(bytes, limits.rootBytes, 'trusted root');
  const root = parsePayload(envelope, rootSchema, 'trusted root');
  requireThreshold('root', envelope, root.roles.root, root.keys, `trusted root v${root.version}`);
  return root;
}

/** Rule: root N+1 needs the root threshold of N *and* of N+1, and exactly the next version number. */
export function verifyRootRotation(current: RootDocument, bytes: Uint8Array): RootDocument {
  const what = `root v${current.version + 1}`;
  const envelope = openEnvelope(bytes, limits.rootBytes, what);
  requireThreshold('root', envelope, current.roles.root, current.keys, `${what} (signed by v${current.version} keys)`);
  const next = parsePayload(envelope, rootSchema, what);
  requireThreshold('root', envelope, next.roles.root, next.keys, `${what} (signed by its own keys)`);
  if (next.version <= current.version) throw new TrustError('ROLLBACK', `${what} file carries version ${next.version}, not newer than ${current.version}.`);
  if (next.version !== current.version + 1) throw new TrustError('MALFORMED', `${what} file carries version ${next.version}: root versions may not skip.`);
  return next;
}

/** Rule (step 2): a production build never trusts a development root or a development key. */
export function refuseDevelopmentRoot(root: RootDocument, production: boolean): void {
  if (!production) return;
  if (root.environment === 'development') throw new TrustError('DEV_KEY_IN_PROD', `root v${root.version} is a development root; this is a production build.`);
  const devKeys = developmentKeysIn(root);
  if (devKeys.length > 0) throw new TrustError('DEV_KEY_IN_PROD', `root v${root.version} lists development key ${devKeys[0]?.slice(0, 12)}; this is a production build.`);
}

function sameKeys(a: RootDocument['roles']['index'], b: RootDocument['roles']['index']): boolean {
  return a.threshold === b.threshold && a.keyids.length === b.keyids.length && a.keyids.every((keyid) => b.keyids.includes(keyid));
}

async function readRequired(source: MetadataSource, name: string, maxBytes: number): Promise<Uint8Array> {
  const bytes = await source.read(name, maxBytes);
  if (!bytes) throw new TrustError('NOT_FOUND', `${name} is missing from ${source.describe()}.`);
  return bytes;
}

/** Rule: a file named by signed metadata must have exactly the signed length and SHA-256. */
function requireHashAndLength(what: string, bytes: Uint8Array, expected: { sha256: string; length: number }): void {
  if (bytes.length !== expected.length) throw new TrustError('LENGTH_MISMATCH', `${what} is ${bytes.length} bytes; the signed length is ${expected.length}.`);
  if (sha256Hex(bytes) !== expected.sha256) throw new TrustError('HASH_MISMATCH', `${what} does not match its signed SHA-256.`);
}

/** Cohort bucket 0-99 from the bench id, stable per family so rollouts do not always hit the same benches. */
export function cohortBucket(benchId: string, family: string): number {
  return Buffer.from(sha256Hex(Buffer.from(`${family}:${benchId}`, 'utf8')), 'hex').readUInt32BE(0) % 100;
}

export async function verifyRelease(input: {
  source: MetadataSource;
  family: string;
  bench: BenchProfile;
  trusted: TrustedMetadata;
  now: Date;
  /** The admin's local pin for this family, if any. */
  localPin?: LocalPin | null;
  /** The release the signed policy (directive or channel) last activated; defaults to the active one. */
  policyActive?: ActiveRelease | null;
  /** The family's last-known-good, the only target below the active counter a local rollback may take. */
  lastKnownGood?: ActiveRelease | null;
}): Promise<VerifiedRelease> {
  const { source, family, bench, trusted, now } = input;
  // Boundary: the family and bench id become file names in the repository.
  parseOrMalformed(featureId, family, 'family');
  if (bench.benchId !== null) parseOrMalformed(benchIdSchema, bench.benchId, 'bench id');

  // 1. Reference time: a clock earlier than the last trusted time would revive expired metadata.
  if (trusted.lastTrustedTime && now.getTime() < Date.parse(trusted.lastTrustedTime)) {
    throw new TrustError('CLOCK_ROLLBACK', `the clock reads ${now.toISOString()}, before the last trusted time ${trusted.lastTrustedTime}.`);
  }

  // 2. Trusted root, re-verified from its stored bytes; development roots are refused in production.
  const trustedRoot = openTrustedRoot(Buffer.from(trusted.rootBase64, 'base64'));
  refuseDevelopmentRoot(trustedRoot, bench.production);

  // 3. Root rotations, one version at a time, capped.
  let root = trustedRoot;
  let rootBytes: Uint8Array = Buffer.from(trusted.rootBase64, 'base64');
  for (let rotations = 0; ; rotations += 1) {
    const nextBytes = await source.read(`root/${root.version + 1}.root.json`, limits.rootBytes);
    if (!nextBytes) break;
    if (rotations >= limits.maxRootRotations) throw new TrustError('OVERSIZE', `more than ${limits.maxRootRotations} root rotations in one update.`);
    root = verifyRootRotation(root, nextBytes);
    rootBytes = nextBytes;
  }
  refuseDevelopmentRoot(root, bench.production);
  requireNotExpired(`root v${root.version}`, root.expires, now);

  // Recovery from a fast-forward attack: rotating a role's keys forgets the versions that role signed.
  const indexKeysRotated = !sameKeys(trustedRoot.roles.index, root.roles.index);
  const timestampKeysRotated = !sameKeys(trustedRoot.roles.timestamp, root.roles.timestamp);
  const trustedSnapshot = indexKeysRotated ? null : trusted.snapshot;
  const trustedIndexes = indexKeysRotated ? {} : trusted.indexes;
  const trustedTimestamp = timestampKeysRotated ? null : trusted.timestamp;

  // 4a. Timestamp (freshness): signature, never an older version, same version means same bytes, expiry.
  const timestampBytes = await source.read('timestamp.json', limits.timestampBytes);
  if (!timestampBytes && bench.requireTimestamp) throw new TrustError('NOT_FOUND', `timestamp.json is missing from ${source.describe()}.`);
  let timestampDoc = null;
  if (timestampBytes) {
    const envelope = openEnvelope(timestampBytes, limits.timestampBytes, 'timestamp');
    requireThreshold('timestamp', envelope, root.roles.timestamp, root.keys, 'timestamp');
    timestampDoc = parsePayload(envelope, timestampSchema, 'timestamp');
    if (trustedTimestamp && timestampDoc.version < trustedTimestamp.version) {
      throw new TrustError('ROLLBACK', `timestamp v${timestampDoc.version} is older than the trusted v${trustedTimestamp.version}.`);
    }
    if (trustedTimestamp && timestampDoc.version === trustedTimestamp.version && sha256Hex(timestampBytes) !== trustedTimestamp.sha256) {
      throw new TrustError('ROLLBACK', `timestamp v${timestampDoc.version} differs from the trusted copy of the same version; keeping the old.`);
    }
    requireNotExpired(`timestamp v${timestampDoc.version}`, timestampDoc.expires, now);
  }

  // 4b. Snapshot: bound by the timestamp (hash, length), signed by the index role, never older, never
  // dropping or rewinding a family we already trust (mix-and-match, silent removal).
  const snapshotBytes = await readRequired(source, 'snapshot.json', timestampDoc ? timestampDoc.snapshot.length : limits.snapshotBytes);
  if (timestampDoc) requireHashAndLength('snapshot', snapshotBytes, timestampDoc.snapshot);
  const snapshotEnvelope = openEnvelope(snapshotBytes, limits.snapshotBytes, 'snapshot');
  requireThreshold('snapshot', snapshotEnvelope, root.roles.index, root.keys, 'snapshot');
  const snapshot = parsePayload(snapshotEnvelope, snapshotSchema, 'snapshot');
  if (timestampDoc && snapshot.version !== timestampDoc.snapshot.version) {
    throw new TrustError('MALFORMED', `snapshot v${snapshot.version} is not the v${timestampDoc.snapshot.version} the timestamp names.`);
  }
  if (trustedSnapshot && snapshot.version < trustedSnapshot.version) {
    throw new TrustError('ROLLBACK', `snapshot v${snapshot.version} is older than the trusted v${trustedSnapshot.version}.`);
  }
  if (trustedSnapshot && snapshot.version === trustedSnapshot.version && sha256Hex(snapshotBytes) !== trustedSnapshot.sha256) {
    throw new TrustError('ROLLBACK', `snapshot v${snapshot.version} differs from the trusted copy of the same version; keeping the old.`);
  }
  for (const [trustedFamily, seen] of Object.entries(trustedIndexes)) {
    const listed = snapshot.indexes[trustedFamily];
    if (!listed) throw new TrustError('ROLLBACK', `snapshot v${snapshot.version} silently drops family ${trustedFamily}.`);
    if (listed.sequence < seen.sequence) {
      throw new TrustError('ROLLBACK', `snapshot lists ${trustedFamily} at sequence ${listed.sequence}, older than the trusted ${seen.sequence}.`);
    }
  }
  requireNotExpired(`snapshot v${snapshot.version}`, snapshot.expires, now);

  // 4c. The family's index: bound by the snapshot, signed by the index role, for this family, sequence
  // never decreasing, same sequence means same bytes, not expired.
  const listed = snapshot.indexes[family];
  if (!listed) throw new TrustError('NOT_FOUND', `family ${family} is not in snapshot v${snapshot.version}.`);
  const indexBytes = await readRequired(source, `index/${family}.json`, listed.length);
  requireHashAndLength(`index ${family}`, indexBytes, listed);
  const indexEnvelope = openEnvelope(indexBytes, limits.indexBytes, `index ${family}`);
  requireThreshold('index', indexEnvelope, root.roles.index, root.keys, `index ${family}`);
  const index = parsePayload(indexEnvelope, indexSchema, `index ${family}`);
  if (index.feature_id !== family) throw new TrustError('WRONG_TARGET', `the index served for ${family} is the index of ${index.feature_id}.`);
  if (index.sequence !== listed.sequence) throw new TrustError('MALFORMED', `index ${family} sequence ${index.sequence} is not the ${listed.sequence} the snapshot names.`);
  const seenIndex = trustedIndexes[family];
  if (seenIndex && index.sequence < seenIndex.sequence) {
    throw new TrustError('ROLLBACK', `index ${family} sequence ${index.sequence} is older than the trusted ${seenIndex.sequence}.`);
  }
  if (seenIndex && index.sequence === seenIndex.sequence && sha256Hex(indexBytes) !== seenIndex.sha256) {
    throw new TrustError('ROLLBACK', `index ${family} sequence ${index.sequence} differs from the trusted copy of the same sequence; keeping the old.`);
  }
  requireNotExpired(`index ${family} sequence ${index.sequence}`, index.expires, now);

  // 5. Directive for this bench: director threshold, this bench only (no replay), seq never decreasing,
  // chained to the previous one, not expired.
  let directive: DirectiveDocument | null = null;
  let directiveBytes: Uint8Array | null = null;
  if (bench.benchId) {
    directiveBytes = await source.read(`directives/${bench.benchId}.json`, limits.directiveBytes);
    // Rule: a directive once trusted cannot be withdrawn by not serving it (that would silently un-pin).
    if (!directiveBytes && trusted.directive) {
      throw new TrustError('ROLLBACK', `the directive for ${bench.benchId} (trusted seq ${trusted.directive.seq}) is no longer served.`);
    }
    if (directiveBytes) {
      const envelope = openEnvelope(directiveBytes, limits.directiveBytes, 'directive');
      requireThreshold('directive', envelope, root.roles.director, root.keys, 'directive');
      directive = parsePayload(envelope, directiveSchema, 'directive');
      if (directive.bench_id !== bench.benchId) throw new TrustError('WRONG_TARGET', `the directive is for bench ${directive.bench_id}, not ${bench.benchId}.`);
      const seen = trusted.directive;
      const directiveHash = sha256Hex(directiveBytes);
      if (seen && directive.seq < seen.seq) throw new TrustError('ROLLBACK', `directive seq ${directive.seq} is older than the trusted ${seen.seq}.`);
      if (seen && directive.seq === seen.seq && directiveHash !== seen.sha256) {
        throw new TrustError('ROLLBACK', `directive seq ${directive.seq} differs from the trusted directive of the same seq.`);
      }
      if (seen && directive.seq === seen.seq + 1 && directive.previous_sha256 !== seen.sha256) {
        throw new TrustError('MALFORMED', `directive seq ${directive.seq} does not chain to the trusted seq ${seen.seq}.`);
      }
      requireNotExpired(`directive seq ${directive.seq}`, directive.expires, now);
    }
  }

  // 6. Resolve the target (docs/trust-packs.md "Resolution precedence"): directive pin, else an unexpired
  // local admin pin, else directive channel, else the bench's default channel.
  const assignment = directive?.assignments[family];
  const active = trusted.active[family];
  const localPin = input.localPin ?? null;
  // Rule: a local pin binds only until its end time; an expired pin is never applied, even if not yet removed.
  const localPinExpired = localPin !== null && Date.parse(localPin.endsAt) <= now.getTime();
  const pin = localPin && !localPinExpired ? localPin : null;
  let version: string;
  let resolvedBy: string;
  let resolution: Resolution;
  let pinnedHash: string | null = null;
  let channelPointer: { channel: ChannelName; via: string } | null = null;
  if (assignment && 'version' in assignment) {
    version = assignment.version;
    pinnedHash = assignment.sha256;
    resolution = 'directive-pin';
    resolvedBy = `directive seq ${directive?.seq} pin`;
  } else if (pin && 'version' in pin) {
    version = pin.version;
    resolution = pin.rollbackToLkg ? 'local-rollback' : 'local-pin';
    resolvedBy = pin.rollbackToLkg ? `rollback to last-known-good until ${pin.endsAt}` : `local pin to ${pin.version} until ${pin.endsAt}`;
  } else if (pin) {
    channelPointer = { channel: pin.channel, via: `local pin to channel ${pin.channel} until ${pin.endsAt}` };
    resolution = 'local-pin';
    version = '';
    resolvedBy = '';
  } else {
    channelPointer = { channel: assignment?.channel ?? bench.defaultChannel, via: `${assignment ? `directive seq ${directive?.seq} ` : 'default '}channel ${assignment?.channel ?? bench.defaultChannel}` };
    resolution = assignment ? 'directive-channel' : 'default-channel';
    version = '';
    resolvedBy = '';
  }
  if (channelPointer) {
    const { channel, via } = channelPointer;
    const pointer = index.channels[channel];
    if (!pointer) throw new TrustError('WRONG_TARGET', `channel ${channel} of ${family} points at no release.`);
    const inCohort = bench.benchId === null ? pointer.rollout_percent === 100 : cohortBucket(bench.benchId, family) < pointer.rollout_percent;
    const outsideVersion = pointer.fallback_version ?? active?.version;
    if (!inCohort && !outsideVersion) throw new TrustError('WRONG_TARGET', `bench is outside the ${pointer.rollout_percent}% rollout of ${family} ${channel} and has no fallback.`);
    version = inCohort ? pointer.version : (outsideVersion as string);
    resolvedBy = `${via}${inCohort ? '' : ' (outside rollout cohort)'}`;
  }
  const entry = index.versions[version];
  if (!entry) {
    // A local pin names a version the admin chose: say so plainly rather than blaming the index.
    if (resolution === 'local-pin' || resolution === 'local-rollback') throw new TrustError('NOT_FOUND', `${family} ${version} is not in the trusted index; pin a version the index lists.`);
    throw new TrustError('MALFORMED', `index ${family} points at version ${version}, which it does not list.`);
  }
  // Rule: a pin names the exact manifest hash; any other content under that version is refused.
  if (pinnedHash !== null && pinnedHash !== entry.manifest.sha256) {
    throw new TrustError('HASH_MISMATCH', `the directive pins ${family} ${version} to a manifest hash the index does not carry.`);
  }
  if (index.revoked.includes(version)) throw new TrustError('REVOKED', `${family} ${version} is revoked.`);
  if (entry.release_counter < index.security_floor) {
    throw new TrustError('BELOW_FLOOR', `${family} ${version} (release counter ${entry.release_counter}) is below the security floor ${index.security_floor}.`);
  }
  // Rule: never go below the active release counter unless a director-signed pin names the exact hash.
  // Two recorded exceptions (docs/trust-packs.md): an admin rollback to the exact last-known-good, and a
  // channel resolution returning from a local pin, which is held to what the signed policy last reached.
  if (resolution === 'local-rollback') {
    const lkg = input.lastKnownGood;
    if (!lkg || lkg.version !== version || lkg.manifest_sha256 !== entry.manifest.sha256) {
      throw new TrustError('DOWNGRADE_REFUSED', `${family} ${version} is not this bench's last-known-good; a rollback goes only to the exact last-known-good pack.`);
    }
  } else if (resolution === 'local-pin') {
    if (active && entry.release_counter < active.release_counter) {
      throw new TrustError('DOWNGRADE_REFUSED', `${family} ${version} (counter ${entry.release_counter}) is older than the active ${active.version} (counter ${active.release_counter}); a local pin may hold or raise the pack, not lower it.`);
    }
  } else if (resolution !== 'directive-pin') {
    const guard = input.policyActive ?? active;
    if (guard && entry.release_counter < guard.release_counter) {
      throw new TrustError('DOWNGRADE_REFUSED', `${family} ${version} (counter ${entry.release_counter}) is older than the active ${guard.version} (counter ${guard.release_counter}); only a directive pin may downgrade.`);
    }
  }

  const lastTrustedTime = trusted.lastTrustedTime && Date.parse(trusted.lastTrustedTime) > now.getTime() ? trusted.lastTrustedTime : now.toISOString();
  return {
    family,
    version,
    entry,
    root,
    index,
    directive,
    resolvedBy,
    resolution,
    localPinExpired,
    bytes: { root: rootBytes, timestamp: timestampBytes, snapshot: snapshotBytes, index: indexBytes, directive: directiveBytes },
    next: {
      rootBase64: Buffer.from(rootBytes).toString('base64'),
      lastTrustedTime,
      timestamp: timestampDoc && timestampBytes ? { version: timestampDoc.version, sha256: sha256Hex(timestampBytes) } : trustedTimestamp,
      snapshot: { version: snapshot.version, sha256: sha256Hex(snapshotBytes) },
      indexes: { ...trustedIndexes, [family]: { sequence: index.sequence, sha256: sha256Hex(indexBytes) } },
      directive: directive && directiveBytes ? { seq: directive.seq, sha256: sha256Hex(directiveBytes) } : trusted.directive,
      active: { ...trusted.active },
    },
  };
}
