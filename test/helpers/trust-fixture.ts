/**
 * A real release repository and a real bench data directory in temporary directories, with levers to
 * forge, replay and damage metadata for the attack catalogue.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { PackManager } from '../../electron/services/packs/pack-manager';
import { releaseServiceOn } from '../../electron/services/releases/release-service';
import { openBenchForCli } from '../../cli/bench-context';
import { releasesReport } from '../../cli/commands/packs';
import { silentLogger } from './silent-logger';
import { generateKeyPair, type KeyPair } from '../../trust/crypto';
import { openEnvelope, signDocument } from '../../trust/envelope';
import type { TrustErrorCode } from '../../trust/errors';
import type { RoleKeyPairs } from '../../trust/keys';
import { buildPack, type BuiltPack, type PackInputFile } from '../../trust/pack';
import { initRepository, latestRoot, publishPack, refreshSnapshot, type RepositoryContext } from '../../trust/repository';
import { keyRoles, type RootDocument } from '../../trust/schemas';
import { directorySource } from '../../trust/source';
import { benchTrustProfile, type BenchTrustInputs } from '../../trust/bench-trust';

export const T0 = new Date('2026-06-01T12:00:00Z');

export function randomKeys(): RoleKeyPairs {
  return Object.fromEntries(keyRoles.map((role) => [role, { ...generateKeyPair(), development: false }])) as RoleKeyPairs;
}

export function calibrationFile(family: string, note = 'base'): PackInputFile {
  return { path: 'calibration.json', bytes: Buffer.from(JSON.stringify({ family, note, synthetic: true })) };
}

export function makePack(
  family: string,
  version: string,
  releaseCounter: number,
  options: { hardware?: string[]; minApp?: string; files?: PackInputFile[]; note?: string } = {},
): BuiltPack {
  return buildPack(
    {
      feature_id: family,
      version,
      release_counter: releaseCounter,
      compatible_hardware: options.hardware ?? ['virtual-bench'],
      min_app_version: options.minApp ?? '0.1.0',
      synthetic: true,
      provenance: { source_commit: 'none', dirty: false, build_id: 'test', build_time: '2026-06-01T00:00:00Z' },
    },
    options.files ?? [calibrationFile(family, options.note), { path: 'curves/nominal.bin', bytes: Buffer.alloc(4096, releaseCounter) }],
  );
}

export interface TrustFixture {
  repo: string;
  dataDir: string;
  keys: RoleKeyPairs;
  rootV1: Buffer;
  clock: { now: Date };
  context(now?: Date): RepositoryContext;
  publish(pack: BuiltPack, now?: Date): void;
  bench(profile?: Partial<BenchTrustInputs>): PackManager;
  source(): ReturnType<typeof directorySource>;
  /** Re-signs a repository document (payload from a function) and re-signs snapshot and timestamp. */
  resign(name: string, role: 'index' | 'snapshot' | 'timestamp' | 'directive' | 'root', mutate: (document: Record<string, unknown>) => void, signers: KeyPair[], options?: { refresh?: boolean; now?: Date }): void;
  payload(name: string): Record<string, unknown>;
  writeRoot(mutate: (root: RootDocument) => void, signers: KeyPair[]): Buffer;
  refresh(now?: Date): void;
}

export function createTrustFixture(makeDir: () => string, options: { environment?: 'production' | 'development' } = {}): TrustFixture {
  const repo = makeDir();
  const dataDir = makeDir();
  const buildDir = makeDir();
  const keys = randomKeys();
  const clock = { now: new Date(T0) };
  const context = (now = clock.now): RepositoryContext => ({ repoDir: repo, now, audit: { actor: 'test', reason: 'fixture', ticket: 'T-1' } });
  const { rootBytes } = initRepository(context(), keys, { environment: options.environment ?? 'production' });
  let packCount = 0;
  const fixture: TrustFixture = {
    repo,
    dataDir,
    keys,
    rootV1: rootBytes,
    clock,
    context,
    publish(pack, now) {
      const file = path.join(buildDir, `pack-${(packCount += 1)}.injpack`);
      writeFileSync(file, pack.bytes);
      publishPack(context(now), keys, { packFile: file, channel: 'canary' });
    },
    bench(profile = {}) {
      return new PackManager({
        dataDir,
        bundledRoot: rootBytes,
        // The shipped factory (trust/bench-trust.ts): a test cannot switch a check off through the profile.
        bench: benchTrustProfile({ benchId: 'bench-0000000000000001', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true, ...profile }),
        now: () => clock.now,
      });
    },
    source: () => directorySource(repo),
    payload(name) {
      return JSON.parse(Buffer.from(openEnvelope(readFileSync(path.join(repo, name)), 1 << 24, name).payload).toString('utf8')) as Record<string, unknown>;
    },
    resign(name, role, mutate, signers, resignOptions = {}) {
      const document = fixture.payload(name);
      mutate(document);
      writeFileSync(path.join(repo, name), signDocument(role, document, signers));
      if (resignOptions.refresh ?? true) fixture.refresh(resignOptions.now);
    },
    writeRoot(mutate, signers) {
      const { root } = latestRoot(repo);
      const next = structuredClone(root);
      next.version = root.version + 1;
      mutate(next);
      const bytes = Buffer.from(signDocument('root', next, signers));
      writeFileSync(path.join(repo, 'root', `${root.version + 1}.root.json`), bytes);
      return bytes;
    },
    refresh(now) {
      refreshSnapshot(context(now), keys, latestRoot(repo).root);
    },
  };
  return fixture;
}

/** Everything that must survive a refused update: state (active, LKG, trusted metadata) and the store. */
export function benchSnapshot(dataDir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const packs = path.join(dataDir, 'packs');
  const walk = (directory: string): void => {
    if (!existsSync(directory)) return;
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name !== 'evidence.jsonl') result[path.relative(packs, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(packs);
  return result;
}

/** The update fails with `code`, and the bench's active pack, LKG, trusted state and store are unchanged. */
export async function expectRefused(fixture: TrustFixture, manager: PackManager, family: string, code: TrustErrorCode): Promise<void> {
  const before = benchSnapshot(fixture.dataDir);
  await expect(manager.update(fixture.source(), family)).rejects.toMatchObject({ name: 'TrustError', code });
  expect(benchSnapshot(fixture.dataDir)).toEqual(before);
  const evidence = readFileSync(path.join(fixture.dataDir, 'packs', 'evidence.jsonl'), 'utf8').trim().split('\n');
  expect(JSON.parse(evidence.at(-1) ?? '{}')).toMatchObject({ event: 'activate-refused', family, code });
}

/** What an attack must leave byte-identical: state.json, the pack store and staging, and `injbench packs releases`. */
export interface BenchFootprint {
  files: Record<string, string>;
  releases: string;
}

/**
 * The footprint of a bench data directory. The files are hashed before the bench is opened for the report,
 * because opening a bench removes crash leftovers from staging, and a leftover must show.
 */
export async function benchFootprint(dataDir: string): Promise<BenchFootprint> {
  const files = benchSnapshot(dataDir);
  const bench = openBenchForCli(dataDir);
  const service = releaseServiceOn(bench, silentLogger());
  try {
    return { files, releases: releasesReport(service) };
  } finally {
    await service.stop();
    bench.close();
  }
}
