/**
 * The demo repository: a development root v1 (keys derived from public seeds, see dev-keys.ts) rotated once to v2 and signed
 * synthetic packs for three injector families, stable at 1.0.0 and canary at 1.1.0.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { developmentKeyPair } from './dev-keys';
import type { RoleKeyPairs } from './keys';
import { buildPackFromSource } from './pack-source';
import { initRepository, promote, publishPack, rotateRoot, type RepositoryContext } from './repository';
import { keyRoles } from './schemas';

export const demoFamilies = ['bosch-like-cri', 'delphi-like-c2i', 'denso-like-g3'] as const;
/** Fixed so the development root's bytes are reproducible and can be bundled (resources/trust/root.json). */
export const DEMO_ROOT_EXPIRES = '2036-01-01T00:00:00Z';

export function developmentKeys(): RoleKeyPairs {
  return Object.fromEntries(keyRoles.map((role) => [role, { ...developmentKeyPair(role), development: true }])) as RoleKeyPairs;
}

export function buildDemoRepository(options: { sourceDir: string; outDir: string; now?: Date }): { rootBytes: Buffer; packs: { family: string; version: string; sha256: string }[] } {
  const now = options.now ?? new Date();
  const keys = developmentKeys();
  const audit = { actor: 'demo-script', reason: 'build the synthetic demo repository', ticket: 'DEMO-1' };
  const context: RepositoryContext = { repoDir: options.outDir, now, audit };
  mkdirSync(options.outDir, { recursive: true });
  const { rootBytes } = initRepository(context, keys, { environment: 'development', rootExpires: DEMO_ROOT_EXPIRES });
  // One rotation (same keys, v2), so every verification walks the root chain.
  rotateRoot(context, keys.root, {}, { expires: DEMO_ROOT_EXPIRES });
  const buildDir = path.join(options.outDir, 'build');
  mkdirSync(buildDir, { recursive: true });
  const packs: { family: string; version: string; sha256: string }[] = [];
  for (const family of demoFamilies) {
    const releases = [
      { version: '1.0.0', release_counter: 1, channel: 'stable' as const, notes: 'First synthetic release: the test plans and tolerances of the demo source data.' },
      { version: '1.1.0', release_counter: 2, channel: 'canary' as const, notes: 'Tightens the idle delivery tolerance by one percentage point on every step.' },
    ];
    for (const release of releases) {
      const built = buildPackFromSource(
        path.join(options.sourceDir, family),
        { source_commit: 'none', dirty: false, build_id: `demo-${family}-${release.version}`, build_time: now.toISOString().replace(/\.\d{3}Z$/, 'Z') },
        {
          version: release.version,
          release_counter: release.release_counter,
          // The canary revision tightens the idle tolerance, so the two versions differ in content.
          calibrationPatch: release.release_counter > 1 ? tightenIdleTolerance : undefined,
        },
      );
      const packFile = path.join(buildDir, `${family}-${release.version}.injpack`);
      writeFileSync(packFile, built.bytes);
      const published = publishPack(context, keys, { packFile, channel: 'canary', notes: release.notes });
      if (release.channel === 'stable') promote(context, keys, { family, version: release.version, to: 'stable' });
      packs.push({ family, version: release.version, sha256: published.sha256 });
    }
  }
  return { rootBytes: Buffer.from(rootBytes), packs };
}

function tightenIdleTolerance(calibration: Record<string, unknown>): void {
  const plans = calibration.test_plans as { steps: { tolerance: { kind: string; value?: number } }[] }[];
  for (const plan of plans) {
    for (const step of plan.steps) {
      if (step.tolerance.kind === 'percent' && step.tolerance.value !== undefined && step.tolerance.value >= 5) step.tolerance.value -= 1;
    }
  }
}
