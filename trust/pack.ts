/**
 * A pack travels as one file: the magic "INJPACK1", the manifest length (uint32, big-endian), the
 * manifest's exact JSON bytes, then every file's bytes in manifest order. The index signs the manifest's
 * hash and length and the pack's total length; the manifest carries every file's hash and length.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { sha256Hex } from './crypto';
import { TrustError } from './errors';
import { limits, manifestSchema, type PackManifest, type VersionEntry } from './schemas';
import { parseStrictJson } from './strict-json';

export const PACK_MAGIC = Buffer.from('INJPACK1', 'ascii');
const HEADER_BYTES = PACK_MAGIC.length + 4;
const READ_CHUNK = 4 * 1024 * 1024;

export interface PackInputFile {
  path: string;
  bytes: Uint8Array;
}

export interface BuiltPack {
  bytes: Buffer;
  manifest: PackManifest;
  manifestBytes: Buffer;
  manifestSha256: string;
}

export function buildPack(manifest: Omit<PackManifest, 'files' | 'type' | 'spec'>, files: readonly PackInputFile[]): BuiltPack {
  const parsed = manifestSchema.safeParse({
    type: 'pack_manifest',
    spec: 'injbench/1',
    ...manifest,
    files: files.map((file) => ({ path: file.path, length: file.bytes.length, hashes: { sha256: sha256Hex(file.bytes) } })),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TrustError('MALFORMED', `pack manifest: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}.`);
  }
  const full: PackManifest = parsed.data;
  const manifestBytes = Buffer.from(JSON.stringify(full, null, 1), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  PACK_MAGIC.copy(header, 0);
  header.writeUInt32BE(manifestBytes.length, PACK_MAGIC.length);
  const bytes = Buffer.concat([header, manifestBytes, ...files.map((file) => file.bytes)]);
  return { bytes, manifest: full, manifestBytes, manifestSha256: sha256Hex(manifestBytes) };
}

export interface PackExpectation {
  family: string;
  version: string;
  entry: VersionEntry;
  /**
   * Present when checking compatibility (activation, preflight); absent for a plain integrity re-check. A
   * null hardware (no bench has reported its model yet) leaves the hardware check to the session gate.
   */
  bench?: { hardware: string | null; appVersion: string };
}

export interface VerifiedPack {
  manifest: PackManifest;
  manifestSha256: string;
  /** Byte offset of each file inside the pack. */
  offsets: Record<string, number>;
}

export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * The file checks of step 7 of docs/trust-packs.md on a pack on disk: total length, manifest hash and length,
 * manifest matches the target, then every file's hash and length in one sequential pass. Called by the trust
 * client (TrustClient.verifyTargetFile, and recheckInstalled for step 10) with the signed target.
 */
export async function verifyPackFile(file: string, expected: PackExpectation): Promise<VerifiedPack> {
  const { family, version, entry } = expected;
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size !== entry.pack_length) throw new TrustError('LENGTH_MISMATCH', `pack ${family} ${version} is ${size} bytes; the signed length is ${entry.pack_length}.`);
    const header = Buffer.alloc(HEADER_BYTES);
    await handle.read(header, 0, HEADER_BYTES, 0);
    if (!header.subarray(0, PACK_MAGIC.length).equals(PACK_MAGIC)) throw new TrustError('MALFORMED', `pack ${family} ${version} is not an injbench pack.`);
    const manifestLength = header.readUInt32BE(PACK_MAGIC.length);
    if (manifestLength !== entry.manifest.length) {
      throw new TrustError('LENGTH_MISMATCH', `pack ${family} ${version} manifest is ${manifestLength} bytes; the signed length is ${entry.manifest.length}.`);
    }
    if (manifestLength > limits.manifestBytes || HEADER_BYTES + manifestLength > size) throw new TrustError('OVERSIZE', `pack ${family} ${version} manifest is too large.`);
    const manifestBytes = Buffer.alloc(manifestLength);
    await handle.read(manifestBytes, 0, manifestLength, HEADER_BYTES);
    const manifestSha256 = sha256Hex(manifestBytes);
    if (manifestSha256 !== entry.manifest.sha256) throw new TrustError('HASH_MISMATCH', `pack ${family} ${version} manifest does not match the signed SHA-256.`);

    // The manifest is signed through its hash: strict JSON too, so its bytes have one meaning only.
    const raw = parseStrictJson(manifestBytes, `pack ${family} ${version} manifest`);
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TrustError('MALFORMED', `pack ${family} ${version} manifest: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}.`);
    }
    const manifest = parsed.data;
    if (manifest.feature_id !== family || manifest.version !== version || manifest.release_counter !== entry.release_counter) {
      throw new TrustError('WRONG_TARGET', `pack holds ${manifest.feature_id} ${manifest.version} (counter ${manifest.release_counter}), not ${family} ${version} (counter ${entry.release_counter}).`);
    }
    for (const item of manifest.files) {
      if (typeof item.hashes.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(item.hashes.sha256)) {
        throw new TrustError('MALFORMED', `pack file ${item.path} has no SHA-256 (unknown hash algorithm: ${Object.keys(item.hashes).join(', ') || 'none'}).`);
      }
    }
    const hardware = expected.bench?.hardware ?? null;
    if (hardware !== null && !manifest.compatible_hardware.includes(hardware)) {
      throw new TrustError('INCOMPATIBLE', `${family} ${version} is for ${manifest.compatible_hardware.join(', ')}, not ${hardware} (the model the bench reported).`);
    }
    if (expected.bench && compareVersions(expected.bench.appVersion, manifest.min_app_version) < 0) {
      throw new TrustError('INCOMPATIBLE', `${family} ${version} needs app ${manifest.min_app_version}; this is ${expected.bench.appVersion}.`);
    }
    const bodyLength = manifest.files.reduce((sum, item) => sum + item.length, 0);
    if (HEADER_BYTES + manifestLength + bodyLength !== size) {
      throw new TrustError('LENGTH_MISMATCH', `pack ${family} ${version} files add up to ${bodyLength} bytes; the pack holds ${size - HEADER_BYTES - manifestLength}.`);
    }

    // One sequential pass; each chunk is split across the files it spans.
    const offsets: Record<string, number> = {};
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(1, bodyLength)));
    let position = HEADER_BYTES + manifestLength;
    for (const item of manifest.files) {
      offsets[item.path] = position;
      const hash = createHash('sha256');
      let remaining = item.length;
      while (remaining > 0) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, remaining), position);
        if (bytesRead === 0) throw new TrustError('LENGTH_MISMATCH', `pack file ${item.path} is truncated.`);
        hash.update(buffer.subarray(0, bytesRead));
        remaining -= bytesRead;
        position += bytesRead;
      }
      if (hash.digest('hex') !== item.hashes.sha256) throw new TrustError('HASH_MISMATCH', `pack file ${item.path} of ${family} ${version} does not match its SHA-256.`);
    }
    return { manifest, manifestSha256, offsets };
  } finally {
    await handle.close();
  }
}

/** One file's bytes from a pack already verified by verifyPackFile. */
export async function readPackFile(file: string, verified: VerifiedPack, name: string): Promise<Buffer> {
  const item = verified.manifest.files.find((candidate) => candidate.path === name);
  const offset = verified.offsets[name];
  if (!item || offset === undefined) throw new TrustError('NOT_FOUND', `pack has no file ${name}.`);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(item.length);
    await handle.read(buffer, 0, item.length, offset);
    return buffer;
  } finally {
    await handle.close();
  }
}
