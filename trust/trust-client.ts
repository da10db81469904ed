/**
 * The trust client: the whole trust decision of one update in one place, in the style of tuf-js's
 * `TrustedMetadataStore`. It holds the bench's trusted state and runs every check of the verification order
 * of docs/trust-packs.md, one method per role, each check commented with the step it implements:
 *
 *   constructor      steps 1-2  reference time, trusted root (development roots refused in production)
 *   updateRoot       step 3     root rotations, one version at a time, capped; expiry; fast-forward recovery
 *   updateTimestamp  step 4     timestamp (freshness)
 *   updateSnapshot   step 4     snapshot (mix-and-match, silent removal)
 *   updateIndex      step 4     the family's index
 *   updateDirective  step 5     this bench's directive
 *   resolveTarget    step 6     the target (precedence, cohort and downgrade policy: trust/target-policy.ts)
 *   verifyTargetFile step 7     the pack file against the accepted target (format: trust/pack.ts)
 *   recheckInstalled step 10    re-verification from disk before a coding session (static: no update runs)
 *
 * The order is enforced: a role's method refuses to run before the previous role was accepted, so no check
 * can be skipped by calling out of order. Each check fails closed with a typed error, and nothing is
 * persisted here: `resolveTarget` returns the next trusted state, which the pack manager persists only after
 * the pack has been verified and activated (step 8) and records as evidence (step 9), both in
 * electron/services/packs/pack-manager.ts.
 */
import { existsSync } from 'node:fs';
import type { BenchProfile } from './bench-trust';
import { sha256Hex } from './crypto';
import { developmentKeysIn } from './dev-keys';
import { openEnvelope, parsePayload, requireThreshold } from './envelope';
import { TrustError } from './errors';
import { verifyPackFile, type VerifiedPack } from './pack';
import { benchIdSchema } from './bench-id';
import {
  featureId,
  parseOrMalformed,
  directiveSchema,
  EXPIRY_CLOCK_SLACK_DAYS,
  expiryDays,
  indexSchema,
  limits,
  rootSchema,
  snapshotSchema,
  timestampSchema,
  type DirectiveDocument,
  type IndexDocument,
  type RootDocument,
  type SnapshotDocument,
  type TimestampDocument,
  type RoleKeys,
  type VersionEntry,
} from './schemas';
import { readDeclared, type MetadataSource } from './source';
export type { BenchProfile } from './bench-trust';
import { chooseTarget, requireNoDowngrade, type ActiveRelease, type LocalPin, type Resolution } from './target-policy';

/**
 * The key ids whose signatures on a trusted document were valid when the bench accepted it: after a root
 * rotation the document still pins only if those keys meet the role's new threshold (`stillPinned`). Absent in
 * state written before they were recorded.
 */
interface SignedBy {
  keyids?: string[];
}

/** What a bench remembers between updates. Root bytes are stored exactly as received. */
export interface TrustedMetadata {
  rootBase64: string;
  lastTrustedTime: string | null;
  timestamp: ({ version: number; sha256: string } & SignedBy) | null;
  snapshot: ({ version: number; sha256: string } & SignedBy) | null;
  indexes: Record<string, { sequence: number; sha256: string } & SignedBy>;
  /** acceptedAt: when the bench first accepted this directive (its clock); absent in older state. */
  directive: ({ seq: number; sha256: string; acceptedAt?: string } & SignedBy) | null;
  /**
   * Set when a root rotation forgot the trusted directive (its signers lost their vote): the acceptance time of
   * the forgotten one. Until a directive is trusted again, one issued before it is a replay of the old chain.
   */
  directiveIssuedAfter?: string | null;
  active: Record<string, ActiveRelease>;
}

export interface VerifiedMetadataBytes {
  root: Uint8Array;
  timestamp: Uint8Array;
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

/** The bench's own inputs to the target policy (step 6). */
export interface TargetInputs {
  /** The admin's local pin for this family, if any. */
  localPin?: LocalPin | null;
  /** The release the signed policy (directive or channel) last activated; defaults to the active one. */
  policyActive?: ActiveRelease | null;
  /** The family's last-known-good, the only target below the active counter a local rollback may take. */
  lastKnownGood?: ActiveRelease | null;
}

/** What a session-start re-verification (step 10) reads from the bench's own disk. */
export interface InstalledRelease {
  family: string;
  release: ActiveRelease;
  trusted: TrustedMetadata;
  /** The stored bytes (base64) of the family's trusted index and of the bench's trusted directive. */
  storedIndex: string | undefined;
  storedDirective: string | null;
  packFile: string;
  bench: BenchProfile;
  now: Date;
}

export interface RecheckedRelease {
  entry: VersionEntry;
  verified: VerifiedPack;
}

/** The roles of one update, in the only order they may be accepted. */
const roleOrder = ['root', 'timestamp', 'snapshot', 'index', 'directive', 'target'] as const;
type Role = (typeof roleOrder)[number];

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

/** Step 2 (and every later reader of a stored root): a root trusted on its own, the threshold of its own root keys. */
export function openTrustedRoot(bytes: Uint8Array): RootDocument {
  const envelope = openEnvelope(bytes, limits.rootBytes, 'trusted root');
  const root = parsePayload(envelope, rootSchema, 'trusted root');
  requireThreshold('root', envelope, root.roles.root, root.keys, `trusted root v${root.version}`);
  return root;
}

/**
 * The bench's trusted directive from its stored bytes: the exact bytes the trusted state hashed, still carrying
 * the director threshold of the trusted root. Null when the bench trusts none. Whether it still decides anything
 * is `directiveInForce`.
 */
export function openStoredDirective(storedBase64: string | null, trusted: TrustedMetadata, root: RootDocument): DirectiveDocument | null {
  if (!storedBase64 || !trusted.directive) return null;
  const bytes = Buffer.from(storedBase64, 'base64');
  if (sha256Hex(bytes) !== trusted.directive.sha256) throw new TrustError('HASH_MISMATCH', 'the stored directive is not the trusted one.');
  const envelope = openEnvelope(bytes, limits.directiveBytes, 'stored directive');
  requireThreshold('directive', envelope, root.roles.director, root.keys, 'stored directive');
  return parsePayload(envelope, directiveSchema, 'stored directive');
}

/** An expired directive is stale policy: it grants no offline grace, no app channel, no app hold. */
export function directiveInForce(directive: DirectiveDocument | null, now: Date): DirectiveDocument | null {
  return directive && Date.parse(directive.expires) > now.getTime() ? directive : null;
}

/** Step 3, one rotation: root N+1 needs the root threshold of N *and* of N+1, and exactly the next version number. */
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

/**
 * Step 2: a production build never trusts a development root or a development key, and neither does any bench
 * once it trusts a production root (`trustedRoot`: a rotation never leads from production back to development,
 * whatever the build). A production root never lists a development key on any bench: their seeds are public, so
 * a role holding one is open to anyone.
 */
export function refuseDevelopmentRoot(root: RootDocument, production: boolean, trustedRoot: RootDocument = root): void {
  const strict = production || trustedRoot.environment === 'production' || root.environment === 'production';
  if (!strict) return;
  if (root.environment === 'development') throw new TrustError('DEV_KEY_IN_PROD', `root v${root.version} is a development root; ${production ? 'this is a production build' : `the bench trusts production root v${trustedRoot.version}`}.`);
  const devKeys = developmentKeysIn(root);
  if (devKeys.length > 0) throw new TrustError('DEV_KEY_IN_PROD', `root v${root.version} lists development key ${devKeys[0]?.slice(0, 12)}; ${production ? 'this is a production build' : 'a production root or a bench on one never trusts it'}.`);
}

/**
 * Step 1: a clock earlier than the last trusted time would revive expired metadata. The bench's one trusted
 * clock: packs, the session gate and credit-grant import (trust/credit-grant.ts) all check it.
 */
export function requireTrustedClock(lastTrustedTime: string | null, now: Date): void {
  if (lastTrustedTime && now.getTime() < Date.parse(lastTrustedTime)) {
    throw new TrustError('CLOCK_ROLLBACK', `the clock reads ${now.toISOString()}, before the last trusted time ${lastTrustedTime}.`);
  }
}

function requireClockNotRolledBack(trusted: TrustedMetadata, now: Date): void {
  requireTrustedClock(trusted.lastTrustedTime, now);
}

function requireNotExpired(what: string, expires: string, now: Date): void {
  if (Date.parse(expires) <= now.getTime()) throw new TrustError('EXPIRED', `${what} expired at ${expires}.`);
}

/**
 * Not expired, and not expiring further ahead than its role's documents are ever signed for (schemas.ts
 * `expiryDays`): freshness comes from signed data only as long as the signer meant it to.
 */
function requireFreshFor(role: 'timestamp' | 'snapshot' | 'index' | 'directive', what: string, expires: string, now: Date): void {
  requireNotExpired(what, expires, now);
  const days = expiryDays[role];
  if (Date.parse(expires) > now.getTime() + (days + EXPIRY_CLOCK_SLACK_DAYS) * 86_400_000) {
    throw new TrustError('MALFORMED', `${what} expires at ${expires}, more than ${days} days after ${now.toISOString()}; a ${role} is valid for at most ${days} days.`);
  }
}

function sameKeys(a: RoleKeys, b: RoleKeys): boolean {
  return a.threshold === b.threshold && a.keyids.length === b.keyids.length && a.keyids.every((keyid) => b.keyids.includes(keyid));
}

/**
 * Whether a trusted document still pins after a root rotation: it does while the keys that signed it meet the
 * role's threshold in the new root. A rotation that drops those keys (a stolen key's seq 999999) forgets it; one
 * that keeps them (a key added, another retired) does not, or a mirror could replay the kept keys' older
 * documents. A pin recorded without its signers falls back to "the role's keys are unchanged".
 */
function stillPinned<T extends SignedBy>(pin: T | null, before: RoleKeys, after: RoleKeys): T | null {
  if (pin === null) return null;
  const vouched = pin.keyids ? pin.keyids.filter((keyid) => after.keyids.includes(keyid)).length >= after.threshold : sameKeys(before, after);
  return vouched ? pin : null;
}

/** The signers of an accepted document, as recorded in the trusted state. */
function signers(valid: ReadonlySet<string>): string[] {
  return [...valid].sort();
}

/** A file the update cannot go on without. */
function required(bytes: Uint8Array | null, name: string, source: MetadataSource): Uint8Array {
  if (!bytes) throw new TrustError('NOT_FOUND', `${name} is missing from ${source.describe()}.`);
  return bytes;
}

/** Rule: a file named by signed metadata must have exactly the signed length and SHA-256. */
function requireHashAndLength(what: string, bytes: Uint8Array, expected: { sha256: string; length: number }): void {
  if (bytes.length !== expected.length) throw new TrustError('LENGTH_MISMATCH', `${what} is ${bytes.length} bytes; the signed length is ${expected.length}.`);
  if (sha256Hex(bytes) !== expected.sha256) throw new TrustError('HASH_MISMATCH', `${what} does not match its signed SHA-256.`);
}

/** A value a previous role set; reaching here without it would be a bug in the order check, so fail closed. */
function accepted<T>(value: T | undefined, role: Role): T {
  if (value === undefined) throw new Error(`trust client: the ${role} role has not been accepted.`);
  return value;
}

/**
 * Recovery from a stolen root key (docs/trust-packs.md, "Replacing a bench's trust anchor"): a bench that took a
 * thief's root trusts nothing the honest keys sign, so its anchor is replaced out of band by a local administrator
 * with a root file the release manager hands over, confirmed by its SHA-256 read out through another channel.
 * The root must stand on its own (its own root threshold, strict keys, not expired, no development root in a
 * production build). Everything the old anchor's keys vouched for is forgotten, active packs included (the thief
 * may have installed one at a release counter no honest pack reaches); only the trusted clock floor is kept.
 */
export function replaceTrustAnchor(input: { trusted: TrustedMetadata; rootBytes: Uint8Array; confirmedSha256: string; production: boolean; now: Date }): { trusted: TrustedMetadata; root: RootDocument } {
  const { trusted, rootBytes, now } = input;
  requireTrustedClock(trusted.lastTrustedTime, now);
  const sha256 = sha256Hex(rootBytes);
  if (input.confirmedSha256.toLowerCase() !== sha256) {
    throw new TrustError('HASH_MISMATCH', `the root file's SHA-256 is ${sha256}, not the ${input.confirmedSha256} confirmed; check the file and the fingerprint with the release manager.`);
  }
  const root = openTrustedRoot(rootBytes);
  refuseDevelopmentRoot(root, input.production);
  requireNotExpired(`root v${root.version}`, root.expires, now);
  return { trusted: { ...initialTrustedMetadata(rootBytes), lastTrustedTime: trusted.lastTrustedTime }, root };
}

/** One update of one family on one bench: construct, then call the role methods in order. */
export class TrustClient {
  readonly family: string;
  private readonly bench: BenchProfile;
  private readonly trusted: TrustedMetadata;
  private readonly now: Date;
  private readonly trustedRoot: RootDocument;
  /** The last role accepted; null until the root is. */
  private lastAccepted: Role | null = null;

  private root: RootDocument | undefined;
  private rootBytes: Uint8Array | undefined;
  // What the bench trusted before this update, after the fast-forward recovery of step 3.
  private trustedTimestamp: TrustedMetadata['timestamp'] | undefined;
  private trustedSnapshot: TrustedMetadata['snapshot'] | undefined;
  private trustedIndexes: TrustedMetadata['indexes'] | undefined;
  private trustedDirective: TrustedMetadata['directive'] | undefined;
  private directiveIssuedAfter: string | null | undefined;
  private timestamp: { document: TimestampDocument; bytes: Uint8Array; keyids: string[] } | undefined;
  private snapshot: { document: SnapshotDocument; bytes: Uint8Array; keyids: string[] } | undefined;
  private index: { document: IndexDocument; bytes: Uint8Array; keyids: string[] } | undefined;
  private directive: { document: DirectiveDocument; bytes: Uint8Array; keyids: string[] } | null | undefined;
  private target: VerifiedRelease | undefined;

  constructor(input: { family: string; bench: BenchProfile; trusted: TrustedMetadata; now: Date }) {
    const { family, bench, trusted, now } = input;
    // Boundary: the family and bench id become file names in the repository.
    parseOrMalformed(featureId, family, 'family');
    if (bench.benchId !== null) parseOrMalformed(benchIdSchema, bench.benchId, 'bench id');
    this.family = family;
    this.bench = bench;
    this.trusted = trusted;
    this.now = now;

    // 1. Reference time: a clock earlier than the last trusted time would revive expired metadata.
    requireClockNotRolledBack(trusted, now);

    // 2. Trusted root, re-verified from its stored bytes; development roots are refused in production.
    this.trustedRoot = openTrustedRoot(Buffer.from(trusted.rootBase64, 'base64'));
    refuseDevelopmentRoot(this.trustedRoot, bench.production);
  }

  /** Steps 1 to 6 in order: the metadata of one update and the target it resolves to. */
  async updateMetadata(source: MetadataSource, inputs: TargetInputs = {}): Promise<VerifiedRelease> {
    await this.updateRoot(source);
    await this.updateTimestamp(source);
    await this.updateSnapshot(source);
    await this.updateIndex(source);
    await this.updateDirective(source);
    return this.resolveTarget(inputs);
  }

  /** Refuses to run a role before the one before it was accepted (or twice). */
  private beginRole(role: Role): void {
    const expected = roleOrder[roleOrder.indexOf(role) - 1] ?? null;
    if (this.lastAccepted !== expected) {
      throw new Error(`trust client: the ${role} role runs only after ${expected ?? 'nothing'}; the last accepted role is ${this.lastAccepted ?? 'none'}.`);
    }
  }

  private acceptRole(role: Role): void {
    this.lastAccepted = role;
  }

  /** Step 3: root rotations, one version at a time, capped; then the newest root's expiry. */
  async updateRoot(source: MetadataSource): Promise<RootDocument> {
    this.beginRole('root');
    let root = this.trustedRoot;
    let rootBytes: Uint8Array = Buffer.from(this.trusted.rootBase64, 'base64');
    for (let rotations = 0; ; rotations += 1) {
      const nextBytes = await source.read(`root/${root.version + 1}.root.json`, limits.rootBytes);
      if (!nextBytes) break;
      if (rotations >= limits.maxRootRotations) throw new TrustError('OVERSIZE', `more than ${limits.maxRootRotations} root rotations in one update.`);
      root = verifyRootRotation(root, nextBytes);
      // 2 again, for every root on the way: a development root in between would hand the next root to keys
      // whose seeds are public, so a production build or a bench on a production root refuses it too.
      refuseDevelopmentRoot(root, this.bench.production, this.trustedRoot);
      rootBytes = nextBytes;
    }
    requireNotExpired(`root v${root.version}`, root.expires, this.now);

    // Recovery from a fast-forward attack: a rotation that takes away the keys a trusted document was signed
    // with forgets what that document pinned (stillPinned); documents of keys the rotation keeps still pin. As
    // in TUF (client workflow 5.3.11), losing the trusted snapshot or timestamp forgets both: a stolen index
    // key's snapshot may have been timestamped by the honest timestamp key (a mirror's automation), leaving a
    // timestamp version ahead of the recovered repository's.
    const before = this.trustedRoot.roles;
    const snapshotPin = stillPinned(this.trusted.snapshot, before.index, root.roles.index);
    const timestampPin = stillPinned(this.trusted.timestamp, before.timestamp, root.roles.timestamp);
    const freshnessLost = (this.trusted.snapshot !== null && snapshotPin === null) || (this.trusted.timestamp !== null && timestampPin === null);
    this.trustedSnapshot = freshnessLost ? null : snapshotPin;
    this.trustedTimestamp = freshnessLost ? null : timestampPin;
    this.trustedIndexes = Object.fromEntries(
      Object.entries(this.trusted.indexes).filter(([, pin]) => stillPinned(pin, before.index, root.roles.index) !== null),
    );
    // The same for the director: a stolen director key's directive (say seq 999999) would otherwise freeze the
    // bench for good, since seq never decreases. Without it the director starts a new chain.
    this.trustedDirective = stillPinned(this.trusted.directive, before.director, root.roles.director);
    // The forgotten directive's acceptance time bounds the new chain from below (an explicit reset: the director
    // signs afresh after the rotation), so the kept keys' older directives cannot be replayed into the gap.
    const forgotten = this.trusted.directive !== null && this.trustedDirective === null;
    this.directiveIssuedAfter = forgotten ? (this.trusted.directive?.acceptedAt ?? null) : (this.trusted.directiveIssuedAfter ?? null);
    this.root = root;
    this.rootBytes = rootBytes;
    this.acceptRole('root');
    return root;
  }

  /** Step 4a, timestamp (freshness): signature, never an older version, same version means same bytes, expiry. */
  async updateTimestamp(source: MetadataSource): Promise<TimestampDocument | null> {
    this.beginRole('timestamp');
    const root = accepted(this.root, 'root');
    const trustedTimestamp = accepted(this.trustedTimestamp, 'root');
    // Required on every bench, online or offline: freshness comes only from signed data, never from a missing file.
    const timestampBytes = required(await source.read('timestamp.json', limits.timestampBytes), 'timestamp.json', source);
    const envelope = openEnvelope(timestampBytes, limits.timestampBytes, 'timestamp');
    const timestampSigners = signers(requireThreshold('timestamp', envelope, root.roles.timestamp, root.keys, 'timestamp'));
    const timestampDoc = parsePayload(envelope, timestampSchema, 'timestamp');
    if (trustedTimestamp && timestampDoc.version < trustedTimestamp.version) {
      throw new TrustError('ROLLBACK', `timestamp v${timestampDoc.version} is older than the trusted v${trustedTimestamp.version}.`);
    }
    if (trustedTimestamp && timestampDoc.version === trustedTimestamp.version && sha256Hex(timestampBytes) !== trustedTimestamp.sha256) {
      throw new TrustError('ROLLBACK', `timestamp v${timestampDoc.version} differs from the trusted copy of the same version; keeping the old.`);
    }
    requireFreshFor('timestamp', `timestamp v${timestampDoc.version}`, timestampDoc.expires, this.now);
    this.timestamp = { document: timestampDoc, bytes: timestampBytes, keyids: timestampSigners };
    this.acceptRole('timestamp');
    return timestampDoc;
  }

  /**
   * Step 4b, snapshot: bound by the timestamp (hash, length), signed by the index role, never older, never
   * dropping or rewinding a family we already trust (mix-and-match, silent removal), not expired.
   */
  async updateSnapshot(source: MetadataSource): Promise<SnapshotDocument> {
    this.beginRole('snapshot');
    const root = accepted(this.root, 'root');
    const trustedSnapshot = accepted(this.trustedSnapshot, 'root');
    const trustedIndexes = accepted(this.trustedIndexes, 'root');
    const timestampDoc = accepted(this.timestamp, 'timestamp').document;
    const snapshotBytes = required(await readDeclared(source, 'snapshot.json', timestampDoc.snapshot.length, limits.snapshotBytes), 'snapshot.json', source);
    requireHashAndLength('snapshot', snapshotBytes, timestampDoc.snapshot);
    const snapshotEnvelope = openEnvelope(snapshotBytes, limits.snapshotBytes, 'snapshot');
    const snapshotSigners = signers(requireThreshold('snapshot', snapshotEnvelope, root.roles.index, root.keys, 'snapshot'));
    const snapshot = parsePayload(snapshotEnvelope, snapshotSchema, 'snapshot');
    if (snapshot.version !== timestampDoc.snapshot.version) {
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
    requireFreshFor('snapshot', `snapshot v${snapshot.version}`, snapshot.expires, this.now);
    this.snapshot = { document: snapshot, bytes: snapshotBytes, keyids: snapshotSigners };
    this.acceptRole('snapshot');
    return snapshot;
  }

  /**
   * Step 4c, the family's index: bound by the snapshot (hash, length), signed by the index role, for this
   * family, sequence never decreasing, same sequence means same bytes, not expired.
   */
  async updateIndex(source: MetadataSource): Promise<IndexDocument> {
    this.beginRole('index');
    const { family } = this;
    const root = accepted(this.root, 'root');
    const trustedIndexes = accepted(this.trustedIndexes, 'root');
    const snapshot = accepted(this.snapshot, 'snapshot').document;
    const listed = snapshot.indexes[family];
    if (!listed) throw new TrustError('NOT_FOUND', `family ${family} is not in snapshot v${snapshot.version}.`);
    const indexBytes = required(await readDeclared(source, `index/${family}.json`, listed.length, limits.indexBytes), `index/${family}.json`, source);
    requireHashAndLength(`index ${family}`, indexBytes, listed);
    const indexEnvelope = openEnvelope(indexBytes, limits.indexBytes, `index ${family}`);
    const indexSigners = signers(requireThreshold('index', indexEnvelope, root.roles.index, root.keys, `index ${family}`));
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
    requireFreshFor('index', `index ${family} sequence ${index.sequence}`, index.expires, this.now);
    this.index = { document: index, bytes: indexBytes, keyids: indexSigners };
    this.acceptRole('index');
    return index;
  }

  /**
   * Step 5, the directive for this bench: director threshold, this bench only (no replay), seq never
   * decreasing, chained to the previous one, not expired. A bench without an id has no directive.
   */
  async updateDirective(source: MetadataSource): Promise<DirectiveDocument | null> {
    this.beginRole('directive');
    const root = accepted(this.root, 'root');
    const trustedDirective = accepted(this.trustedDirective, 'root');
    const { benchId } = this.bench;
    let directive: { document: DirectiveDocument; bytes: Uint8Array; keyids: string[] } | null = null;
    if (benchId) {
      const directiveBytes = await source.read(`directives/${benchId}.json`, limits.directiveBytes);
      // Rule: a directive once trusted cannot be withdrawn by not serving it (that would silently un-pin).
      if (!directiveBytes && trustedDirective) {
        throw new TrustError('ROLLBACK', `the directive for ${benchId} (trusted seq ${trustedDirective.seq}) is no longer served.`);
      }
      if (directiveBytes) {
        const envelope = openEnvelope(directiveBytes, limits.directiveBytes, 'directive');
        const directiveSigners = signers(requireThreshold('directive', envelope, root.roles.director, root.keys, 'directive'));
        const document = parsePayload(envelope, directiveSchema, 'directive');
        if (document.bench_id !== benchId) throw new TrustError('WRONG_TARGET', `the directive is for bench ${document.bench_id}, not ${benchId}.`);
        const seen = trustedDirective;
        const directiveHash = sha256Hex(directiveBytes);
        if (seen && document.seq < seen.seq) throw new TrustError('ROLLBACK', `directive seq ${document.seq} is older than the trusted ${seen.seq}.`);
        if (seen && document.seq === seen.seq && directiveHash !== seen.sha256) {
          throw new TrustError('ROLLBACK', `directive seq ${document.seq} differs from the trusted directive of the same seq.`);
        }
        if (seen && document.seq === seen.seq + 1 && document.previous_sha256 !== seen.sha256) {
          throw new TrustError('MALFORMED', `directive seq ${document.seq} does not chain to the trusted seq ${seen.seq}.`);
        }
        // Rule: every accepted directive chains to the trusted one. Across a gap the directives in between are
        // not served, so the chain cannot be checked, whatever previous_sha256 says (null included): refuse.
        // Only a rotation of the director's keys (step 3) clears the trusted directive and so allows a new chain.
        if (seen && document.seq > seen.seq + 1) {
          throw new TrustError(
            'DIRECTIVE_CHAIN_GAP',
            `directive seq ${document.seq} skips seq ${seen.seq + 1}${document.seq > seen.seq + 2 ? `-${document.seq - 1}` : ''} after the trusted seq ${seen.seq}; its chain to the trusted directive cannot be checked.`,
          );
        }
        const issuedAfter = accepted(this.directiveIssuedAfter, 'root');
        if (!seen && issuedAfter && Date.parse(document.issued_at) < Date.parse(issuedAfter) - EXPIRY_CLOCK_SLACK_DAYS * 86_400_000) {
          throw new TrustError(
            'ROLLBACK',
            `directive seq ${document.seq} was issued at ${document.issued_at}, before the directive a key rotation retired was accepted (${issuedAfter}): a replay of the old chain; a new chain is signed after the rotation.`,
          );
        }
        requireFreshFor('directive', `directive seq ${document.seq}`, document.expires, this.now);
        directive = { document, bytes: directiveBytes, keyids: directiveSigners };
      }
    }
    this.directive = directive;
    this.acceptRole('directive');
    return directive?.document ?? null;
  }

  /**
   * Step 6, the target. Which version is chosen (directive pin, local pin, directive channel, default
   * channel; cohort) and the downgrade rule are the bench's policy, trust/target-policy.ts; every target,
   * whoever chose it, must then be listed by the trusted index, match a directive pin's exact hash, not be
   * revoked and not be below the security floor. Hardware and app compatibility are read from the signed
   * manifest inside the pack, so they are checked in step 7 (verifyTargetFile).
   */
  resolveTarget(inputs: TargetInputs = {}): VerifiedRelease {
    this.beginRole('target');
    const { family, trusted, now } = this;
    const root = accepted(this.root, 'root');
    const rootBytes = accepted(this.rootBytes, 'root');
    const trustedIndexes = accepted(this.trustedIndexes, 'root');
    const trustedDirective = accepted(this.trustedDirective, 'root');
    const timestamp = accepted(this.timestamp, 'timestamp');
    const snapshot = accepted(this.snapshot, 'snapshot');
    const index = accepted(this.index, 'index');
    const directive = accepted(this.directive, 'directive');

    const active = trusted.active[family];
    const choice = chooseTarget({ family, index: index.document, directive: directive?.document ?? null, bench: this.bench, active, localPin: inputs.localPin ?? null, now });
    const { version, resolution } = choice;
    const entry = index.document.versions[version];
    if (!entry) {
      // A local pin names a version the admin chose: say so plainly rather than blaming the index.
      if (resolution === 'local-pin' || resolution === 'local-rollback') throw new TrustError('NOT_FOUND', `${family} ${version} is not in the trusted index; pin a version the index lists.`);
      throw new TrustError('MALFORMED', `index ${family} points at version ${version}, which it does not list.`);
    }
    // Rule: a pin names the exact manifest hash; any other content under that version is refused.
    if (choice.pinnedHash !== null && choice.pinnedHash !== entry.manifest.sha256) {
      throw new TrustError('HASH_MISMATCH', `the directive pins ${family} ${version} to a manifest hash the index does not carry.`);
    }
    if (index.document.revoked.includes(version)) throw new TrustError('REVOKED', `${family} ${version} is revoked.`);
    if (entry.release_counter < index.document.security_floor) {
      throw new TrustError('BELOW_FLOOR', `${family} ${version} (release counter ${entry.release_counter}) is below the security floor ${index.document.security_floor}.`);
    }
    // Rule: no downgrade below the active counter without a director pin naming the exact hash (policy).
    requireNoDowngrade({ family, choice, entry, active, policyActive: inputs.policyActive, lastKnownGood: inputs.lastKnownGood });

    // The trusted time only moves forward: it is the floor of step 1 in the next update.
    const lastTrustedTime = trusted.lastTrustedTime && Date.parse(trusted.lastTrustedTime) > now.getTime() ? trusted.lastTrustedTime : now.toISOString();
    const release: VerifiedRelease = {
      family,
      version,
      entry,
      root,
      index: index.document,
      directive: directive?.document ?? null,
      resolvedBy: choice.resolvedBy,
      resolution,
      localPinExpired: choice.localPinExpired,
      bytes: { root: rootBytes, timestamp: timestamp.bytes, snapshot: snapshot.bytes, index: index.bytes, directive: directive?.bytes ?? null },
      next: {
        rootBase64: Buffer.from(rootBytes).toString('base64'),
        lastTrustedTime,
        timestamp: { version: timestamp.document.version, sha256: sha256Hex(timestamp.bytes), keyids: timestamp.keyids },
        snapshot: { version: snapshot.document.version, sha256: sha256Hex(snapshot.bytes), keyids: snapshot.keyids },
        indexes: { ...trustedIndexes, [family]: { sequence: index.document.sequence, sha256: sha256Hex(index.bytes), keyids: index.keyids } },
        directive: directive ? this.directivePin(directive, trustedDirective) : trustedDirective,
        directiveIssuedAfter: directive ? null : accepted(this.directiveIssuedAfter, 'root'),
        active: { ...trusted.active },
      },
    };
    this.target = release;
    this.acceptRole('target');
    return release;
  }

  /** The trusted-state entry of an accepted directive; the same bytes keep their first acceptance time. */
  private directivePin(directive: { document: DirectiveDocument; bytes: Uint8Array; keyids: string[] }, trusted: TrustedMetadata['directive']): NonNullable<TrustedMetadata['directive']> {
    const sha256 = sha256Hex(directive.bytes);
    const acceptedAt = trusted?.sha256 === sha256 && trusted.acceptedAt ? trusted.acceptedAt : this.now.toISOString();
    return { seq: directive.document.seq, sha256, keyids: directive.keyids, acceptedAt };
  }

  /**
   * Step 7, the target file (a pack on disk, in staging or already in the store): total length, manifest
   * hash and length, the manifest names this target, every file's hash and length, and (from the signed
   * manifest) the bench's hardware and app version are compatible. The pack format is trust/pack.ts.
   */
  async verifyTargetFile(file: string): Promise<VerifiedPack> {
    if (this.lastAccepted !== 'target') throw new Error(`trust client: a target file is verified only after the target was accepted; the last accepted role is ${this.lastAccepted ?? 'none'}.`);
    const { version, entry } = accepted(this.target, 'target');
    return verifyPackFile(file, { family: this.family, version, entry, bench: this.bench });
  }

  /**
   * Step 10, at every session start, before coding is unlocked: the active (or last-known-good) release
   * re-verified from the bench's own disk. Steps 1 and 2 again; the stored directive and index against
   * their trusted hashes and signatures; expiry, extended only by a director-signed `offline_grace_hours`;
   * the release still the one the index signs, not revoked, not below the floor; the pack file re-hashed.
   */
  static async recheckInstalled(input: InstalledRelease): Promise<RecheckedRelease> {
    const { family, release, trusted, bench, now } = input;
    // 1. Reference time.
    requireClockNotRolledBack(trusted, now);
    // 2. Trusted root; development roots refused in production.
    const root = openTrustedRoot(Buffer.from(trusted.rootBase64, 'base64'));
    refuseDevelopmentRoot(root, bench.production);

    // Offline grace: only a director-signed directive that has not itself expired extends how long expired
    // metadata may be used (an expired directive is stale policy, so it grants nothing).
    const directive = directiveInForce(openStoredDirective(input.storedDirective, trusted, root), now);
    const graceMs = directive ? directive.offline_grace_hours * 3_600_000 : 0;
    if (Date.parse(root.expires) + graceMs <= now.getTime()) throw new TrustError('EXPIRED', `root v${root.version} expired at ${root.expires}.`);

    const seen = trusted.indexes[family];
    if (!input.storedIndex || !seen) throw new TrustError('NOT_FOUND', `no stored index for ${family}.`);
    const indexBytes = Buffer.from(input.storedIndex, 'base64');
    if (sha256Hex(indexBytes) !== seen.sha256) throw new TrustError('HASH_MISMATCH', `the stored index of ${family} is not the trusted one.`);
    const envelope = openEnvelope(indexBytes, limits.indexBytes, `stored index ${family}`);
    requireThreshold('index', envelope, root.roles.index, root.keys, `stored index ${family}`);
    const index = parsePayload(envelope, indexSchema, `stored index ${family}`);
    if (Date.parse(index.expires) + graceMs <= now.getTime()) {
      throw new TrustError('EXPIRED', `index ${family} expired at ${index.expires}${graceMs ? ' and the offline grace is over' : ''}; connect to update.`);
    }
    const entry = index.versions[release.version];
    if (!entry || entry.manifest.sha256 !== release.manifest_sha256) throw new TrustError('HASH_MISMATCH', `${family} ${release.version} is not the release the index signs.`);
    if (index.revoked.includes(release.version)) throw new TrustError('REVOKED', `${family} ${release.version} is revoked.`);
    if (entry.release_counter < index.security_floor) throw new TrustError('BELOW_FLOOR', `${family} ${release.version} is below the security floor ${index.security_floor}.`);

    // 7 again, on the stored pack: a pack changed on disk after verification is caught here.
    if (!existsSync(input.packFile)) throw new TrustError('NOT_FOUND', `the pack file of ${family} ${release.version} is missing.`);
    const verified = await verifyPackFile(input.packFile, { family, version: release.version, entry, bench });
    return { entry, verified };
  }
}
