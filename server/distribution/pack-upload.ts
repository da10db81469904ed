/**
 * A pack upload: the bytes go to the blob store (hash checked while they stream), then the server reads
 * the pack's own header to check that it is an injbench pack of the family and version its path names,
 * and only then names it at packs/<family>/<version>.injpack, recorded as evidence.
 */
import { open, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { sha256Hex } from '../../trust/crypto';
import { PACK_MAGIC } from '../../trust/pack';
import { limits, manifestSchema, type PackManifest } from '../../trust/schemas';
import { ServerError } from '../server-error';
import type { DistributionRepository } from '../store/distribution-repository';
import type { BlobStore } from './blob-store';
import type { PublishActor } from './metadata-publish';
import { parseRepositoryPath } from '../../common/central-api/repository-paths';

/** Reads only the header and manifest of a pack file (never the whole, possibly 1 GiB, file). */
export async function readPackHeader(file: string): Promise<{ manifest: PackManifest; manifestSha256: string }> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(PACK_MAGIC.length + 4);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    if (bytesRead < header.length || !header.subarray(0, PACK_MAGIC.length).equals(PACK_MAGIC)) throw new ServerError('METADATA_REFUSED', 'The upload is not an injbench pack (no INJPACK1 header).');
    const manifestLength = header.readUInt32BE(PACK_MAGIC.length);
    if (manifestLength === 0 || manifestLength > limits.manifestBytes) throw new ServerError('METADATA_REFUSED', `The pack's manifest length ${manifestLength} is out of bounds.`);
    const manifestBytes = Buffer.alloc(manifestLength);
    const read = await handle.read(manifestBytes, 0, manifestLength, header.length);
    if (read.bytesRead !== manifestLength) throw new ServerError('METADATA_REFUSED', 'The pack ends inside its manifest.');
    let raw: unknown;
    try {
      raw = JSON.parse(manifestBytes.toString('utf8'));
    } catch {
      throw new ServerError('METADATA_REFUSED', "The pack's manifest is not JSON.");
    }
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success) throw new ServerError('METADATA_REFUSED', `The pack's manifest is invalid: ${parsed.error.issues[0]?.message ?? 'malformed'}.`);
    return { manifest: parsed.data, manifestSha256: sha256Hex(manifestBytes) };
  } finally {
    await handle.close();
  }
}

export interface PackUploadResult {
  path: string;
  sha256: string;
  length: number;
  manifestSha256: string;
  added: boolean;
}

export async function acceptPackUpload(
  deps: { store: DistributionRepository; blobs: BlobStore; now: () => Date },
  input: { path: string; sha256: string; body: Readable; actor: PublishActor },
): Promise<PackUploadResult> {
  const target = parseRepositoryPath(input.path);
  if (target?.kind !== 'pack') throw new ServerError('INVALID_REQUEST', `${input.path} is not a pack path (packs/<family>/<version>.injpack).`);
  const existing = await deps.store.pack(target.path);
  if (existing && existing.sha256 !== input.sha256) {
    throw new ServerError('CONFLICT', `${target.path} is already published with other bytes (SHA-256 ${existing.sha256}); a published version never changes: build a new version.`);
  }
  const received = await deps.blobs.receive(input.body, input.sha256, limits.packBytes);
  let header: Awaited<ReturnType<typeof readPackHeader>>;
  try {
    header = await readPackHeader(received.file);
    if (header.manifest.feature_id !== target.family || header.manifest.version !== target.version) {
      throw new ServerError('METADATA_REFUSED', `The pack is ${header.manifest.feature_id} ${header.manifest.version}, not the ${target.family} ${target.version} its path names.`);
    }
  } catch (error) {
    // Not a pack we can name: the blob goes unless another pack path already uses the same bytes.
    if (!(await deps.store.hasBlob(received.sha256))) await rm(received.file, { force: true });
    throw error;
  }
  const at = deps.now().toISOString();
  const { added } = await deps.store.addPack(
    { path: target.path, family: target.family, version: target.version, sha256: received.sha256, length: received.length, manifest_sha256: header.manifestSha256, published_at: at, publish_id: `pack-${received.sha256.slice(0, 16)}` },
    {
      at,
      role: input.actor.role,
      actor: input.actor.actor,
      action: 'release.pack_uploaded',
      detail: { path: target.path, sha256: received.sha256, length: received.length, manifestSha256: header.manifestSha256, reason: input.actor.reason ?? null, ticket: input.actor.ticket ?? null },
    },
  );
  return { path: target.path, sha256: received.sha256, length: received.length, manifestSha256: header.manifestSha256, added };
}
