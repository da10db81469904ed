import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openEnvelope, parsePayload } from './envelope';
import { TrustError } from './errors';
import { limits, snapshotSchema } from './schemas';
import { downloadDeclared, type MetadataSource } from './source';
import { TrustClient, initialTrustedMetadata, type BenchProfile } from './trust-client';

export interface RepositoryVerdict {
  family: string;
  version: string;
  sha256: string;
}

/** Family names from the snapshot; each family is then verified in full, snapshot included. */
export async function snapshotFamilies(source: MetadataSource): Promise<string[]> {
  const bytes = await source.read('snapshot.json', limits.snapshotBytes);
  if (!bytes) throw new TrustError('NOT_FOUND', `${source.describe()} has no snapshot.json.`);
  const listed = Object.keys(parsePayload(openEnvelope(bytes, limits.snapshotBytes, 'snapshot'), snapshotSchema, 'snapshot').indexes);
  if (listed.length === 0) throw new TrustError('NOT_FOUND', 'the snapshot lists no family.');
  return listed.sort();
}

/**
 * What a fresh bench holding only `trustedRoot` would activate for each family: steps 1 to 7 of
 * docs/trust-packs.md (the trust client), with the pack fetched into a temporary staging directory and
 * removed afterwards.
 */
export async function verifyRepository(options: {
  source: MetadataSource;
  trustedRoot: Uint8Array;
  bench: BenchProfile;
  family?: string;
  now?: Date;
}): Promise<RepositoryVerdict[]> {
  const { source, bench } = options;
  const trusted = initialTrustedMetadata(options.trustedRoot);
  const families = options.family ? [options.family] : await snapshotFamilies(source);
  const staging = mkdtempSync(path.join(os.tmpdir(), 'injbench-verify-'));
  const verdicts: RepositoryVerdict[] = [];
  try {
    for (const family of families) {
      const client = new TrustClient({ family, bench, trusted, now: options.now ?? new Date() });
      const verified = await client.updateMetadata(source);
      const staged = path.join(staging, `${family}.injpack`);
      await downloadDeclared(source, `packs/${family}/${verified.version}.injpack`, verified.entry.pack_length, limits.packBytes, staged);
      await client.verifyTargetFile(staged);
      verdicts.push({ family, version: verified.version, sha256: verified.entry.manifest.sha256 });
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return verdicts;
}
