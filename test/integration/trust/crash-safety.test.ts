/**
 * kill -9 during activation, at random moments, many times: after a restart the active pack is the old
 * one or the new one, fully verified, never a mix (docs/trust-packs.md step 8).
 *
 * The child is bundled once and run by plain node (test/helpers/bundled-script.ts): compiling it through
 * tsx at every one of the 50+ starts took most of the time budget on a loaded machine (36 kills in 150 s).
 */
import { benchTrustProfile } from '../../../trust/bench-trust';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { PackManager, activationSteps } from '../../../electron/services/packs/pack-manager';
import { promote } from '../../../trust/repository';
import { createTrustFixture, makePack, T0 } from '../../helpers/trust-fixture';
import { bundledScript } from '../../helpers/bundled-script';
import { useTempDirs } from '../../helpers/temp-dir';

const FAMILY = 'fam-a';
const MIN_RUNS = 50;
const TIME_BUDGET_MS = 150_000;
const childSource = fileURLToPath(new URL('./activation-child.ts', import.meta.url));
const makeDir = useTempDirs('each');

interface ChildRun {
  readyAt: number;
  exitedAt: number;
  output: string;
}

/** Runs the child; kills it `killAfterMs` after it reports ready (never, when null). */
function runChild(childScript: string, args: string[], killAfterMs: number | null): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let readyAt = 0;
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!readyAt && output.includes('ready')) {
        readyAt = performance.now();
        if (killAfterMs !== null) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(guard);
      resolve({ readyAt, exitedAt: performance.now(), output });
    });
  });
}

it(`leaves the old or the new pack active after kill -9 at ${MIN_RUNS}+ random moments and at every step`, { timeout: TIME_BUDGET_MS + 60_000 }, async () => {
  const fixture = createTrustFixture(makeDir);
  // Large enough that copying, hashing and fsyncing take a measurable time to land kills inside.
  const filler = (seed: number) => ({ path: 'curves/bulk.bin', bytes: Buffer.alloc(8 * 1024 * 1024, seed) });
  fixture.publish(makePack(FAMILY, '1.0.0', 1, { files: [filler(1)] }));
  promote(fixture.context(), fixture.keys, { family: FAMILY, version: '1.0.0', to: 'stable' });
  const baseline = fixture.bench();
  const old = await baseline.update(fixture.source(), FAMILY);
  fixture.publish(makePack(FAMILY, '1.1.0', 2, { files: [filler(2)] }));
  promote(fixture.context(), fixture.keys, { family: FAMILY, version: '1.1.0', to: 'stable' });

  const rootFile = path.join(makeDir(), 'root.json');
  writeFileSync(rootFile, fixture.rootV1);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'injbench-crash-'));
  try {
    const childScript = await bundledScript(childSource);
    const now = T0.toISOString();
    const freshCopy = (name: string): string => {
      const dataDir = path.join(scratch, name);
      cpSync(fixture.dataDir, dataDir, { recursive: true });
      return dataDir;
    };
    // Calibration run: how long an activation takes here, so kills land across all of it.
    const calibration = await runChild(childScript, [freshCopy('calibration'), fixture.repo, rootFile, FAMILY, now], null);
    expect(calibration.output).toContain('done 1.1.0');
    const window = Math.max(5, calibration.exitedAt - calibration.readyAt);

    const started = performance.now();
    const outcomes = { old: 0, new: 0 };
    let runs = 0;
    while (runs < MIN_RUNS && performance.now() - started < TIME_BUDGET_MS) {
      const dataDir = freshCopy(`run-${runs}`);
      await runChild(childScript, [dataDir, fixture.repo, rootFile, FAMILY, now], Math.random() * window * 1.2);
      // Restart: a new process view of the same directory re-verifies from disk before any session.
      const manager = new PackManager({
        dataDir,
        bundledRoot: fixture.rootV1,
        bench: benchTrustProfile({ benchId: 'bench-0000000000000001', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true }),
        now: () => T0,
      });
      const preflight = await manager.preflight(FAMILY);
      expect(['1.0.0', '1.1.0']).toContain(preflight.version);
      if (preflight.version === '1.0.0') {
        expect(preflight.sha256).toBe(old.sha256);
        outcomes.old += 1;
      } else {
        outcomes.new += 1;
      }
      // The interrupted update can always be completed after the restart.
      if (runs % 10 === 0) await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
      rmSync(dataDir, { recursive: true, force: true });
      runs += 1;
    }
    // And at every named step, including half of state.json's temporary written: old before the state
    // rename, new after it, never anything else.
    for (const crashAt of [...activationSteps, 'state-half-written']) {
      const dataDir = freshCopy(`step-${crashAt}`);
      const run = await runChild(childScript, [dataDir, fixture.repo, rootFile, FAMILY, now, crashAt], null);
      expect(run.output, crashAt).not.toContain('done');
      const manager = new PackManager({
        dataDir,
        bundledRoot: fixture.rootV1,
        bench: benchTrustProfile({ benchId: 'bench-0000000000000001', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true }),
        now: () => T0,
      });
      const leftovers = manager.removeLeftovers();
      if (crashAt === 'downloaded' || crashAt === 'pack-verified') expect(leftovers, crashAt).toEqual([expect.stringMatching(/^staging\//)]);
      if (crashAt === 'state-half-written') expect(leftovers, crashAt).toEqual([expect.stringMatching(/^state\.json\.\d+\.tmp$/)]);
      expect(manager.removeLeftovers()).toEqual([]);
      const expected = crashAt === 'persisted' ? '1.1.0' : '1.0.0';
      await expect(manager.preflight(FAMILY), crashAt).resolves.toMatchObject({ version: expected });
      await expect(manager.update(fixture.source(), FAMILY), crashAt).resolves.toMatchObject({ version: '1.1.0' });
    }
    console.log(`crash safety: ${runs} kills within ${Math.round(window)} ms activations; ${outcomes.old} old, ${outcomes.new} new`);
    expect(runs).toBeGreaterThanOrEqual(MIN_RUNS);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
