/**
 * Coding-session performance against the virtual bench (in-process, TCP on 127.0.0.1) through the
 * real driver, the real pack manager and a real SQLite bench store.
 *
 *   npx tsx bench/session.ts [sessions=5] [speed=20]
 *
 * 1. Session overhead: a full synthetic session's wall time against the measurement time the virtual
 *    bench modeled (divided by its speed factor). Target: ≤ 1.05×.
 * 2. Durable log append (synchronous=FULL, one transaction each): p50 and p99. Target: p99 ≤ 5 ms.
 * 3. Sessions per hour at the fastest simulator speed (10,000×): the software's own ceiling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { BenchDriver } from '../native-bridge/driver';
import { loadFamilyModels } from '../native-bridge/sim/families';
import { noBenchFaults } from '../native-bridge/sim/faults';
import { noLinkFaults } from '../native-bridge/sim/device-link';
import { startVirtualBench } from '../native-bridge/sim/server';
import { openBenchCore } from '../electron/services/bench-core';
import { importCreditGrant } from '../electron/services/credits/credit-service';
import { sessionEngineOn } from '../electron/services/session/driver-session-engine';
import { issueCreditGrant } from '../trust/credit-grant';
import { buildDemoRepository, developmentKeys } from '../trust/demo-repository';
import { directorySource } from '../trust/source';

const sessions = Number(process.argv[2] ?? 5);
const speed = Number(process.argv[3] ?? 20);
const root = path.resolve(import.meta.dirname, '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'injbench-bench-session-'));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function prepareBench(dataDir: string) {
  const core = openBenchCore({ dataDir, bundledRootFile: path.join(root, 'resources', 'trust', 'root.json'), appVersion: '0.1.0', production: false });
  const repo = path.join(work, 'repo');
  buildDemoRepository({ sourceDir: path.join(root, 'resources', 'demo-source'), outDir: repo });
  await core.packs.update(directorySource(repo), 'bosch-like-cri');
  const { bytes: grant } = issueCreditGrant({ benchId: core.identity.benchId, grantId: 'bench-grant', credits: 1_000_000, validDays: 1, issuedAt: new Date() }, developmentKeys().credits);
  importCreditGrant({ benchId: core.identity.benchId, packs: core.packs, sessions: core.store.sessions, log: core.log, now: () => new Date() }, grant);
  return core;
}

async function runSessions(core: Awaited<ReturnType<typeof prepareBench>>, simSpeed: number, count: number) {
  const sim = await startVirtualBench(
    { kind: 'tcp', host: '127.0.0.1', port: 0 },
    {
      injectorSerial: 'BENCH-0001',
      seed: 1,
      speed: simSpeed,
      watchdogMs: 1000,
      lastCalibration: '2026-10-01',
      calibrationDue: '2027-10-01',
      faults: noBenchFaults,
      families: loadFamilyModels(path.join(root, 'resources', 'demo-source')),
    },
    noLinkFaults,
    pino({ level: 'silent' }),
  );
  const driver = await BenchDriver.open(sim.address);
  const engine = sessionEngineOn(core, driver);
  const ratios: number[] = [];
  const started = performance.now();
  for (let n = 0; n < count; n += 1) {
    const modeledBefore = sim.bench.modeledMs;
    const t0 = performance.now();
    const report = await engine.run({ partNumber: 'SYN-0445110-001', serial: `BENCH-${n}`, operatorId: null });
    const wall = performance.now() - t0;
    if (report.status !== 'completed') throw new Error(`session ${n} ended ${report.status}: ${report.reason?.code}`);
    ratios.push(wall / ((sim.bench.modeledMs - modeledBefore) / simSpeed));
  }
  const elapsed = performance.now() - started;
  await driver.close();
  await sim.close();
  return { ratios, perHour: (count / elapsed) * 3_600_000 };
}

try {
  const core = await prepareBench(path.join(work, 'bench'));

  const overhead = await runSessions(core, speed, sessions);
  const medianRatio = percentile(overhead.ratios, 50);
  process.stdout.write(`session wall time / modeled device time at speed ${speed}: median ${medianRatio.toFixed(3)}× (target ≤ 1.05×) over ${sessions} sessions\n`);

  const appends: number[] = [];
  for (let n = 0; n < 2000; n += 1) {
    const t0 = performance.now();
    core.log.append('bench.append', { n });
    appends.push(performance.now() - t0);
  }
  process.stdout.write(`durable log append: p50 ${percentile(appends, 50).toFixed(3)} ms, p99 ${percentile(appends, 99).toFixed(3)} ms (target p99 ≤ 5 ms), 2000 appends\n`);

  const ceiling = await runSessions(core, 10_000, Math.max(3, sessions));
  process.stdout.write(`sessions per hour at simulator speed 10000×: ${Math.round(ceiling.perHour)}\n`);
  core.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
