/**
 * Preflight cost (docs/trust-packs.md step 10: chain re-verification plus re-hash of every file of the active
 * pack) against `sha256sum` of the same pack bytes, measured in the same run.
 *
 *   npx tsx bench/preflight.ts
 *
 * Targets (trust issue): 64 MiB pack ≤ 1.5 × sha256sum; typical demo pack < 50 ms.
 */
import { benchTrustProfile } from '../trust/bench-trust';
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PackManager } from '../electron/services/packs/pack-manager';
import { generateKeyPair } from '../trust/crypto';
import { buildPack } from '../trust/pack';
import { buildPackFromSource } from '../trust/pack-source';
import { initRepository, promote, publishPack } from '../trust/repository';
import { keyRoles } from '../trust/schemas';
import { directorySource } from '../trust/source';
import type { RoleKeyPairs } from '../trust/keys';

const RUNS = 7;
const MIB = 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeRuns(runs: number, action: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await action();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function activatedBench(work: string, packBytes: Buffer): Promise<{ manager: PackManager; packPath: string; family: string }> {
  const keys = Object.fromEntries(keyRoles.map((role) => [role, { ...generateKeyPair(), development: false }])) as RoleKeyPairs;
  const repo = path.join(work, 'repo');
  const now = new Date();
  const context = { repoDir: repo, now, audit: { actor: 'bench', reason: 'benchmark', ticket: 'BENCH' } };
  const { rootBytes } = initRepository(context, keys, { environment: 'production' });
  const packFile = path.join(work, 'input.injpack');
  writeFileSync(packFile, packBytes);
  const { family, version } = publishPack(context, keys, { packFile, channel: 'canary' });
  promote(context, keys, { family, version, to: 'stable' });
  const manager = new PackManager({
    dataDir: path.join(work, 'bench'),
    bundledRoot: rootBytes,
    bench: benchTrustProfile({ benchId: 'bench-1', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true }),
  });
  const { sha256 } = await manager.update(directorySource(repo), family);
  return { manager, packPath: manager.packPath(family, sha256), family };
}

const provenance = { source_commit: 'none', dirty: false, build_id: 'bench', build_time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
const work = mkdtempSync(path.join(os.tmpdir(), 'injbench-bench-'));
try {
  // 64 MiB: sixteen 4 MiB data files of random bytes (incompressible, like real curve tables).
  const files = Array.from({ length: 16 }, (_, i) => ({ path: `curves/block-${String(i).padStart(2, '0')}.bin`, bytes: randomFillSync(Buffer.alloc(4 * MIB)) }));
  const big = buildPack(
    { feature_id: 'bench-64mib', version: '1.0.0', release_counter: 1, compatible_hardware: ['virtual-bench'], min_app_version: '0.1.0', synthetic: true, provenance },
    files,
  );
  const large = await activatedBench(path.join(work, 'large'), big.bytes);
  await large.manager.preflight(large.family); // warm the page cache for both contenders
  execFileSync('sha256sum', [large.packPath]);
  const preflightMs = await timeRuns(RUNS, () => large.manager.preflight(large.family));
  const sha256sumMs = await timeRuns(RUNS, () => execFileSync('sha256sum', [large.packPath]));
  const ratio = preflightMs / sha256sumMs;
  process.stdout.write(`preflight 64 MiB pack: ${preflightMs.toFixed(1)} ms (median of ${RUNS})\n`);
  process.stdout.write(`sha256sum same bytes:  ${sha256sumMs.toFixed(1)} ms (median of ${RUNS})\n`);
  process.stdout.write(`ratio: ${ratio.toFixed(2)}x (target <= 1.5x) ${ratio <= 1.5 ? 'MET' : 'MISSED'}\n`);

  const sourceDir = fileURLToPath(new URL('../resources/demo-source/denso-like-g3', import.meta.url));
  const demo = await activatedBench(path.join(work, 'demo'), buildPackFromSource(sourceDir, provenance).bytes);
  await demo.manager.preflight(demo.family);
  const demoMs = await timeRuns(21, () => demo.manager.preflight(demo.family));
  process.stdout.write(`preflight demo pack (denso-like-g3): ${demoMs.toFixed(2)} ms (median of 21; target < 50 ms) ${demoMs < 50 ? 'MET' : 'MISSED'}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
