/**
 * A metadata publish: root versions, directives, indexes, snapshot and timestamp, checked and then
 * stored as their exact bytes in one transaction, timestamp last. The bench verifies everything again
 * (docs/trust-packs.md); the server refuses what it can already tell is wrong, so a bench never sees it:
 *
 * - not a signed envelope of the type its path names, or not signed by the role's keys in the latest root;
 * - older than what the server serves (a timestamp, snapshot, index sequence or directive seq never goes
 *   back; the same version with other bytes is a rollback too); a root that is not the next rotation;
 * - an index naming a pack version the server does not hold whole (packs are uploaded first);
 * - a timestamp, snapshot and indexes that do not name each other's hashes after the publish.
 */
import { randomUUID } from 'node:crypto';
import { sha256Hex } from '../../trust/crypto';
import { openEnvelope, parsePayload, requireThreshold, type Envelope } from '../../trust/envelope';
import { TrustError, isTrustError } from '../../trust/errors';
import type { SigningRole } from '../../trust/crypto';
import {
  directiveSchema,
  indexSchema,
  limits,
  snapshotSchema,
  timestampSchema,
  type DirectiveDocument,
  type IndexDocument,
  type RootDocument,
  type SnapshotDocument,
  type TimestampDocument,
} from '../../trust/schemas';
import { ServerError } from '../server-error';
import type { DistributionRepository, RepositoryFileRecord, RepositoryFileSummary, RepositoryTransaction } from '../store/distribution-repository';
import type { RepositoryFileKind } from '../../common/central-api/repository-paths';
import { metadataOrder, packPathOf, parseRepositoryPath } from '../../common/central-api/repository-paths';
import { openTrustedRoot, verifyRootRotation } from '../../trust/trust-client';

export interface MetadataUpload {
  path: string;
  bytes: Buffer;
}

export interface PublishActor {
  role: string;
  actor: string;
  reason?: string;
  ticket?: string;
}

export interface MetadataPublishResult {
  publishId: string;
  written: { path: string; kind: RepositoryFileKind; version: number; sha256: string }[];
  unchanged: string[];
}

const capOf: Record<RepositoryFileKind, number> = {
  root: limits.rootBytes,
  timestamp: limits.timestampBytes,
  snapshot: limits.snapshotBytes,
  index: limits.indexBytes,
  directive: limits.directiveBytes,
};

interface Candidate {
  path: string;
  kind: RepositoryFileKind;
  bytes: Buffer;
  sha256: string;
  envelope: Envelope;
}

/** A trust check that fails becomes the server's refusal, naming the trust code. */
function refusal(error: unknown, path: string): never {
  if (error instanceof ServerError) throw error;
  if (error instanceof TrustError) {
    if (error.code === 'ROLLBACK') throw new ServerError('ROLLBACK', `${path}: ${error.message}`);
    if (error.code === 'OVERSIZE') throw new ServerError('OVERSIZE', `${path}: ${error.message}`);
    throw new ServerError('METADATA_REFUSED', `${path} refused (${error.code}): ${error.message}`);
  }
  throw error;
}

function checked<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    return refusal(error, path);
  }
}

function candidateOf(upload: MetadataUpload): Candidate {
  const parsed = parseRepositoryPath(upload.path);
  if (!parsed || parsed.kind === 'pack') throw new ServerError('METADATA_REFUSED', `${upload.path} is not a metadata path of a release repository (root/N.root.json, timestamp.json, snapshot.json, index/<family>.json, directives/<bench>.json).`);
  const envelope = checked(upload.path, () => openEnvelope(upload.bytes, capOf[parsed.kind], upload.path));
  if (envelope.signatures.length === 0) throw new ServerError('METADATA_REFUSED', `${upload.path} is not signed.`);
  return { path: upload.path, kind: parsed.kind, bytes: upload.bytes, sha256: sha256Hex(upload.bytes), envelope };
}

/** Same path, same bytes: nothing to do. Same path, other bytes: the version must move forward. */
function requireNewer(what: string, next: number, stored: RepositoryFileSummary | undefined, label: string): void {
  if (!stored) return;
  if (next <= stored.version) {
    throw new ServerError('ROLLBACK', `${what} ${label} ${next} is not newer than the ${label} ${stored.version} the server serves; refused (a bench would see it as a rollback).`);
  }
}

const signingRoleOf: Partial<Record<RepositoryFileKind, { role: SigningRole; keys: 'index' | 'timestamp' | 'director' }>> = {
  directive: { role: 'directive', keys: 'director' },
  index: { role: 'index', keys: 'index' },
  snapshot: { role: 'snapshot', keys: 'index' },
  timestamp: { role: 'timestamp', keys: 'timestamp' },
};

/**
 * The served file a new version must be newer than, or none when it no longer verifies under the latest root:
 * its role's keys were rotated out. As on the bench (TrustClient.updateRoot), a rotation forgets what the old
 * keys pinned, so a stolen key's timestamp at version 999999 does not block the recovered repository's, and a
 * director rotation lets a new directive chain start at seq 1.
 */
async function pinnedUnderLatestKeys(tx: RepositoryTransaction, served: RepositoryFileSummary | undefined, kind: RepositoryFileKind, latest: RootDocument): Promise<RepositoryFileSummary | undefined> {
  const signing = signingRoleOf[kind];
  if (!served || !signing) return served;
  const file = await tx.file(served.path);
  if (!file) return served;
  const bytes = Buffer.from(file.content_base64, 'base64');
  try {
    requireThreshold(signing.role, openEnvelope(bytes, bytes.length, served.path), latest.roles[signing.keys], latest.keys, served.path);
    return served;
  } catch (error) {
    // Only a file signed by retired keys loses its pin; anything else keeps it (fail closed).
    return isTrustError(error, 'BAD_SIGNATURE') || isTrustError(error, 'THRESHOLD_NOT_MET') ? undefined : served;
  }
}

/** The root this server was started with (--trusted-root): root 1 must be exactly these bytes. */
export interface TrustedRootPin {
  bytes: Uint8Array;
  sha256: string;
}

/** Reads and checks a pinned root: a valid, self-signed root version 1 (the root benches bundle). */
export function trustedRootPin(bytes: Uint8Array, what: string): TrustedRootPin {
  const root = checked(what, () => openTrustedRoot(bytes));
  if (root.version !== 1) throw new ServerError('UNTRUSTED_ROOT', `${what} is root version ${root.version}; pin root version 1 (root/1.root.json, the root benches bundle): later roots are reached from it by signed rotations.`);
  return { bytes, sha256: sha256Hex(bytes) };
}

function requirePinnedRoot(pin: TrustedRootPin | undefined, path: string, bytes: Uint8Array): void {
  if (!pin) return;
  const sha256 = sha256Hex(bytes);
  if (sha256 !== pin.sha256) {
    throw new ServerError('UNTRUSTED_ROOT', `${path} (SHA-256 ${sha256}) is not the root this server was started with (--trusted-root, SHA-256 ${pin.sha256}); refused. Publish the repository whose root 1 is that file.`);
  }
}

/** A server started with a pinned root refuses to serve a store whose root 1 is another. */
export async function checkStoredRootAgainstPin(store: DistributionRepository, pin: TrustedRootPin): Promise<void> {
  const stored = await store.file('root/1.root.json');
  if (stored) requirePinnedRoot(pin, 'The root/1.root.json this server already serves', Buffer.from(stored.content_base64, 'base64'));
}

export async function publishMetadata(
  store: DistributionRepository,
  uploads: readonly MetadataUpload[],
  actor: PublishActor,
  now: Date,
  options: { trustedRoot?: TrustedRootPin } = {},
): Promise<MetadataPublishResult> {
  if (uploads.length === 0) throw new ServerError('INVALID_REQUEST', 'A metadata publish needs at least one file.');
  const seen = new Set<string>();
  for (const upload of uploads) {
    if (seen.has(upload.path)) throw new ServerError('INVALID_REQUEST', `${upload.path} appears twice in one publish.`);
    seen.add(upload.path);
  }
  const candidates = uploads.map(candidateOf);

  return store.withRepositoryLocked(async (tx) => {
    const stored = new Map((await tx.files()).map((file) => [file.path, file]));
    const unchanged = candidates.filter((c) => stored.get(c.path)?.sha256 === c.sha256).map((c) => c.path);
    const fresh = candidates.filter((c) => stored.get(c.path)?.sha256 !== c.sha256);
    const versions = new Map<string, number>();
    /** What a directive says about itself (signed): who pinned, why, under which ticket. */
    const audits = new Map<string, { actor: string; reason: string; ticket: string }>();

    // Roots: each new one is the next rotation of the one before (root 1 signs itself).
    const root = await latestStoredRoot(tx, stored);
    let current: RootDocument | null = root;
    for (const candidate of fresh.filter((c) => c.kind === 'root').sort((a, b) => rootVersion(a.path) - rootVersion(b.path))) {
      const version = rootVersion(candidate.path);
      if (stored.has(candidate.path)) throw new ServerError('CONFLICT', `${candidate.path} is already published with other bytes; root versions never change.`);
      const expected = (current?.version ?? 0) + 1;
      if (version !== expected) throw new ServerError('METADATA_REFUSED', `${candidate.path} is not the next root version (expected root/${expected}.root.json).`);
      const previousRoot: RootDocument | null = current;
      // Without a pin the first root is trusted on first use; with one it must be exactly the pinned bytes.
      if (!previousRoot) requirePinnedRoot(options.trustedRoot, candidate.path, candidate.bytes);
      current = checked(candidate.path, () => (previousRoot ? verifyRootRotation(previousRoot, candidate.bytes) : openTrustedRoot(candidate.bytes)));
      if (current.version !== version) throw new ServerError('METADATA_REFUSED', `${candidate.path} carries root version ${current.version}.`);
      versions.set(candidate.path, version);
    }
    const others = fresh.filter((c) => c.kind !== 'root');
    if (!current && others.length > 0) throw new ServerError('METADATA_REFUSED', 'The server holds no root yet: publish root/1.root.json with the first metadata.');
    const latest = current as RootDocument;

    const parsedIndexes = new Map<string, IndexDocument>();
    let parsedSnapshot: SnapshotDocument | null = null;
    let parsedTimestamp: TimestampDocument | null = null;
    for (const candidate of others) {
      const parsedPath = parseRepositoryPath(candidate.path);
      const previous = await pinnedUnderLatestKeys(tx, stored.get(candidate.path), candidate.kind, latest);
      if (candidate.kind === 'directive' && parsedPath?.kind === 'directive') {
        const directive: DirectiveDocument = checked(candidate.path, () => {
          requireThreshold('directive', candidate.envelope, latest.roles.director, latest.keys, candidate.path);
          return parsePayload(candidate.envelope, directiveSchema, candidate.path);
        });
        if (directive.bench_id !== parsedPath.benchId) throw new ServerError('METADATA_REFUSED', `${candidate.path} carries a directive for ${directive.bench_id}.`);
        requireNewer(`directive for ${directive.bench_id}:`, directive.seq, previous, 'seq');
        if (previous && directive.seq === previous.version + 1 && directive.previous_sha256 !== previous.sha256) {
          throw new ServerError('METADATA_REFUSED', `${candidate.path} seq ${directive.seq} does not chain to the served seq ${previous.version} (previous_sha256 differs).`);
        }
        // As the bench checks the chain at every seq: a bench that trusts the served seq refuses a gap
        // (DIRECTIVE_CHAIN_GAP), so serving one would cut every such bench off its directives.
        if (previous && directive.seq > previous.version + 1) {
          throw new ServerError(
            'METADATA_REFUSED',
            `${candidate.path} seq ${directive.seq} skips seq ${previous.version + 1} after the served seq ${previous.version}: benches that trust seq ${previous.version} could not check its chain (DIRECTIVE_CHAIN_GAP). Issue the next directive from the served one (injbench admin directive), or rotate the director's keys to start a new chain.`,
          );
        }
        versions.set(candidate.path, directive.seq);
        audits.set(candidate.path, { actor: directive.actor, reason: directive.reason, ticket: directive.ticket });
      } else if (candidate.kind === 'index' && parsedPath?.kind === 'index') {
        const index = checked(candidate.path, () => {
          requireThreshold('index', candidate.envelope, latest.roles.index, latest.keys, candidate.path);
          return parsePayload(candidate.envelope, indexSchema, candidate.path);
        });
        if (index.feature_id !== parsedPath.family) throw new ServerError('METADATA_REFUSED', `${candidate.path} is the index of ${index.feature_id}.`);
        requireNewer(`index ${index.feature_id}:`, index.sequence, previous, 'sequence');
        // Packs come first: an index never names a pack the server cannot serve whole.
        for (const [version, entry] of Object.entries(index.versions)) {
          const pack = await tx.pack(packPathOf(index.feature_id, version));
          if (!pack) throw new ServerError('MISSING_PACK', `${candidate.path} names ${index.feature_id} ${version}, but the server has no ${packPathOf(index.feature_id, version)}: upload the pack first.`);
          if (pack.length !== entry.pack_length || pack.manifest_sha256 !== entry.manifest.sha256) {
            throw new ServerError('MISSING_PACK', `${candidate.path} names ${index.feature_id} ${version} with manifest ${entry.manifest.sha256} and ${entry.pack_length} bytes; the server holds other bytes at that path.`);
          }
        }
        parsedIndexes.set(candidate.path, index);
        versions.set(candidate.path, index.sequence);
      } else if (candidate.kind === 'snapshot') {
        parsedSnapshot = checked(candidate.path, () => {
          requireThreshold('snapshot', candidate.envelope, latest.roles.index, latest.keys, candidate.path);
          return parsePayload(candidate.envelope, snapshotSchema, candidate.path);
        });
        requireNewer('snapshot', parsedSnapshot.version, previous, 'version');
        versions.set(candidate.path, parsedSnapshot.version);
      } else if (candidate.kind === 'timestamp') {
        parsedTimestamp = checked(candidate.path, () => {
          requireThreshold('timestamp', candidate.envelope, latest.roles.timestamp, latest.keys, candidate.path);
          return parsePayload(candidate.envelope, timestampSchema, candidate.path);
        });
        requireNewer('timestamp', parsedTimestamp.version, previous, 'version');
        versions.set(candidate.path, parsedTimestamp.version);
      }
    }

    // The repository after this publish must be consistent: timestamp -> snapshot -> indexes.
    const view = new Map<string, { sha256: string; length: number; version: number }>();
    for (const [path, file] of stored) view.set(path, { sha256: file.sha256, length: file.length, version: file.version });
    for (const candidate of fresh) view.set(candidate.path, { sha256: candidate.sha256, length: candidate.bytes.length, version: versions.get(candidate.path) ?? 0 });
    const touchesChain = fresh.some((c) => c.kind === 'index' || c.kind === 'snapshot' || c.kind === 'timestamp');
    if (touchesChain) {
      const timestamp = parsedTimestamp ?? (await storedPayload(tx, 'timestamp.json', timestampSchema));
      const snapshot = parsedSnapshot ?? (await storedPayload(tx, 'snapshot.json', snapshotSchema));
      const snapshotFile = view.get('snapshot.json');
      if (timestamp && (!snapshotFile || snapshotFile.sha256 !== timestamp.snapshot.sha256 || snapshotFile.length !== timestamp.snapshot.length || snapshotFile.version !== timestamp.snapshot.version)) {
        throw new ServerError('METADATA_REFUSED', `timestamp v${timestamp.version} names snapshot v${timestamp.snapshot.version} ${timestamp.snapshot.sha256.slice(0, 12)}…, which is not the snapshot the server would serve: publish the snapshot and timestamp together.`);
      }
      if (snapshot) {
        for (const [family, listed] of Object.entries(snapshot.indexes)) {
          const file = view.get(`index/${family}.json`);
          if (!file || file.sha256 !== listed.sha256 || file.length !== listed.length || file.version !== listed.sequence) {
            throw new ServerError('METADATA_REFUSED', `snapshot v${snapshot.version} names index ${family} sequence ${listed.sequence}, which is not the index the server would serve: publish the index with its snapshot.`);
          }
        }
      }
      for (const path of parsedIndexes.keys()) {
        if (!snapshot || !Object.keys(snapshot.indexes).some((family) => `index/${family}.json` === path)) {
          throw new ServerError('METADATA_REFUSED', `${path} is not listed in the snapshot: publish a snapshot that names it.`);
        }
      }
    }

    const publishId = randomUUID();
    const at = now.toISOString();
    const ordered = [...fresh].sort((a, b) => metadataOrder.indexOf(a.kind) - metadataOrder.indexOf(b.kind));
    const rows: RepositoryFileRecord[] = ordered.map((c) => ({
      path: c.path,
      kind: c.kind,
      version: versions.get(c.path) ?? 0,
      sha256: c.sha256,
      length: c.bytes.length,
      content_base64: c.bytes.toString('base64'),
      published_at: at,
      publish_id: publishId,
    }));
    if (rows.length > 0) {
      await tx.putFiles(rows);
      await tx.addEvidence({
        at,
        role: actor.role,
        actor: actor.actor,
        action: rows.every((row) => row.kind === 'directive') ? 'directive.published' : 'release.metadata_published',
        detail: {
          publishId,
          reason: actor.reason ?? null,
          ticket: actor.ticket ?? null,
          files: rows.map((row) => ({ path: row.path, kind: row.kind, version: row.version, sha256: row.sha256, ...audits.get(row.path) })),
          unchanged,
        },
      });
    }
    return { publishId, written: rows.map((row) => ({ path: row.path, kind: row.kind, version: row.version, sha256: row.sha256 })), unchanged };
  });
}

function rootVersion(path: string): number {
  const parsed = parseRepositoryPath(path);
  return parsed?.kind === 'root' ? parsed.version : 0;
}

async function latestStoredRoot(tx: RepositoryTransaction, stored: Map<string, RepositoryFileSummary>): Promise<RootDocument | null> {
  const roots = [...stored.values()].filter((file) => file.kind === 'root').sort((a, b) => a.version - b.version);
  let root: RootDocument | null = null;
  for (const summary of roots) {
    const file = await tx.file(summary.path);
    if (!file) continue;
    const bytes = Buffer.from(file.content_base64, 'base64');
    root = checked(summary.path, () => (root ? verifyRootRotation(root, bytes) : openTrustedRoot(bytes)));
  }
  return root;
}

async function storedPayload<T>(tx: RepositoryTransaction, path: string, schema: Parameters<typeof parsePayload<T>>[1]): Promise<T | null> {
  const file = await tx.file(path);
  if (!file) return null;
  const bytes = Buffer.from(file.content_base64, 'base64');
  return checked(path, () => parsePayload(openEnvelope(bytes, limits.indexBytes, path), schema, path));
}
