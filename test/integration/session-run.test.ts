/**
 * Full coding sessions through `injbench session run` against the virtual bench over a real
 * pseudo-terminal (socat) and the real serialport package, with demo packs and a signed credit grant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBenchStore } from '../../electron/services/store/bench-store';
import { runCli, startSimProcess, type SimProcess } from '../helpers/sim-process';

const PART = 'SYN-0445110-001';

/** The deliveries the virtual bench reported, from its own log of every reply it sent. */
function deliveriesSent(bench: SimProcess): number[] {
  return bench
    .logs()
    .filter((line) => line.msg === 'reply' && line.command === 'RUN_STEP')
    .map((line) => line.outcome as { ok: boolean; value?: { deliveryMm3PerStroke: number } })
    .filter((outcome) => outcome.ok)
    .map((outcome) => outcome.value?.deliveryMm3PerStroke ?? Number.NaN);
}

describe('injbench session run over a pty', () => {
  let workDir: string;
  let repo: string;
  const sims: SimProcess[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'injbench-session-'));
    repo = path.join(workDir, 'repo');
    const demo = await runCli(['release', 'demo', '--out', repo], process.env, 60_000);
    expect(demo.code, demo.stderr).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
    rmSync(workDir, { recursive: true, force: true });
  });

  async function benchWithCredits(name: string, credits = 10): Promise<string> {
    const dataDir = path.join(workDir, name);
    const update = await runCli(['packs', 'update', '--repo', repo, '--data-dir', dataDir]);
    expect(update.code, update.stderr).toBe(0);
    const store = openBenchStore(dataDir);
    const benchId = store.identity.get()?.benchId ?? '';
    store.close();
    const grantFile = path.join(workDir, `${name}-grant.json`);
    expect((await runCli(['credits', 'grant', '--demo-key', '--bench-id', benchId, '--credits', String(credits), '--out', grantFile])).code).toBe(0);
    expect((await runCli(['credits', 'import', grantFile, '--data-dir', dataDir])).code).toBe(0);
    return dataDir;
  }

  async function sim(...args: string[]): Promise<SimProcess> {
    const started = await startSimProcess(['--pty', '--speed', '200', ...args]);
    sims.push(started);
    return started;
  }

  function balance(dataDir: string): number {
    const store = openBenchStore(dataDir);
    try {
      return store.sessions.balance();
    } finally {
      store.close();
    }
  }

  it('codes a healthy injector end to end: verdict, code written and read back, credits debited once', async () => {
    const dataDir = await benchWithCredits('healthy');
    const bench = await sim();
    const run = await runCli(['session', 'run', '--port', bench.address, '--part', PART, '--serial', 'INJ-0001', '--data-dir', dataDir, '--quiet'], process.env, 60_000);
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as Record<string, unknown> & { steps: Array<{ measuredMm3: number; nominalMm3: number }> };
    expect(outcome).toMatchObject({ status: 'completed', verdict: 'pass', codeWrite: 'verified', creditsDebited: 3, pack: { family: 'bosch-like-cri', version: '1.0.0' } });
    expect(outcome.code).toMatch(/^[A-HK-NPR-Z1-8]{7}$/);
    expect(outcome.steps).toHaveLength(4);
    expect(balance(dataDir)).toBe(7);
    // What the bench sent is what the session recorded: compare with the simulator's own log.
    expect(deliveriesSent(bench)).toEqual(outcome.steps.map((step) => step.measuredMm3));

    const verify = await runCli(['support', 'verify', dataDir]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^OK bench-[0-9a-f]{16}: \d+ entries/);

    // Support gets the session as one signed file and checks it offline.
    const bundle = path.join(workDir, 'healthy-bundle.json');
    const exported = await runCli(['support', 'export', dataDir, '--out', bundle, '--session', String(outcome.sessionId)]);
    expect(exported.code, exported.stderr).toBe(0);
    const checked = await runCli(['support', 'verify', bundle]);
    expect(checked.code, checked.stdout).toBe(0);
    expect(checked.stdout).toMatch(/^OK bundle from bench-[0-9a-f]{16}: 1 sessions/);
  });

  it.each([
    ['denso-like-g3', 'SYN-295050-0010', /^[0-9A-F]{30}$/],
    ['delphi-like-c2i', 'SYN-EJBR-0001', /^[0-9A-F]{16}$/],
  ])('codes a %s injector with its own code format', async (family, part, format) => {
    const dataDir = await benchWithCredits(`family-${family}`);
    const bench = await sim();
    const run = await runCli(['session', 'run', '--port', bench.address, '--part', part, '--serial', 'INJ-FAM-1', '--data-dir', dataDir, '--quiet'], process.env, 60_000);
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as { status: string; verdict: string; code: string; pack: { family: string } };
    expect(outcome).toMatchObject({ status: 'completed', verdict: 'pass', pack: { family } });
    expect(outcome.code).toMatch(format);
  });

  it.each([
    ['a high back-leak', 'high-leak', 'LEAK_FAIL'],
    ['a stuck nozzle', 'stuck-nozzle', 'NOT_CODABLE'],
  ])('rejects an injector with %s without a code or a charge', async (_label, fault, code) => {
    const dataDir = await benchWithCredits(`reject-${fault}`);
    const bench = await sim('--fault', fault);
    const run = await runCli(['session', 'run', '--port', bench.address, '--part', PART, '--serial', 'INJ-REJ-1', '--data-dir', dataDir, '--quiet'], process.env, 60_000);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', verdict: 'fail', code: null, creditsDebited: 0, reason: { code } });
    expect(balance(dataDir)).toBe(10);
  });

  it('ends aborted with a typed error when the bench is unplugged mid-step, and charges nothing', async () => {
    const dataDir = await benchWithCredits('unplug');
    const bench = await sim('--fault', 'disconnect=60');
    const run = await runCli(['session', 'run', '--port', bench.address, '--part', PART, '--serial', 'INJ-UNPLUG', '--data-dir', dataDir, '--quiet'], process.env, 90_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/injbench: (DISCONNECTED|TIMEOUT|CLOSED): /);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'aborted', code: null, creditsDebited: 0 });
    expect(balance(dataDir)).toBe(10);
  });

  it('rejects an injector with an open coil: completed, verdict fail, no code, nothing charged', async () => {
    const dataDir = await benchWithCredits('open-coil');
    const bench = await sim('--fault', 'open-coil');
    const run = await runCli(['session', 'run', '--port', bench.address, '--part', PART, '--serial', 'INJ-0002', '--data-dir', dataDir, '--quiet'], process.env, 60_000);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', verdict: 'fail', code: null, creditsDebited: 0, reason: { code: 'ELECTRICAL_FAIL' } });
    expect(balance(dataDir)).toBe(10);
  });

  it('does not count a code the target reads back differently: exit 1, typed error, nothing charged', async () => {
    const dataDir = await benchWithCredits('mismatch');
    const bench = await sim('--fault', 'code-mismatch');
    const run = await runCli(['session', 'run', '--port', bench.address, '--part', PART, '--serial', 'INJ-0003', '--data-dir', dataDir, '--quiet'], process.env, 60_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('injbench: CODE_READBACK_MISMATCH');
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'aborted', code: null, creditsDebited: 0 });
    expect(balance(dataDir)).toBe(10);
  });

  it('refuses to start without credits and names the gate', async () => {
    const dataDir = await benchWithCredits('broke', 2);
    const bench = await sim();
    const run = await runCli(['session', 'run', '--port', bench.address, '--part', PART, '--serial', 'INJ-0004', '--data-dir', dataDir, '--quiet'], process.env, 60_000);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('injbench: PREFLIGHT_BLOCKED');
    const outcome = JSON.parse(run.stdout) as { gates: Array<{ id: string; passed: boolean; code?: string }> };
    expect(outcome.gates.find((gate) => gate.id === 'credits')).toMatchObject({ passed: false, code: 'INSUFFICIENT_CREDITS' });
    expect(balance(dataDir)).toBe(2);
  });

  it('with 5 % corrupted frames, completes with values the bench really sent or ends with a typed error', async () => {
    const dataDir = await benchWithCredits('corrupt', 30);
    const bench = await sim('--fault', 'corrupt=5', '--seed', '7');
    for (let run = 0; run < 3; run += 1) {
      const result = await runCli(['session', 'run', '--port', bench.address, '--part', PART, '--serial', `INJ-10${run}`, '--data-dir', dataDir, '--quiet'], process.env, 90_000);
      const outcome = JSON.parse(result.stdout) as { status: string; steps: Array<{ measuredMm3: number }>; reason: { code: string } | null };
      if (outcome.status === 'completed') {
        expect(result.code).toBe(0);
      } else {
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/injbench: [A-Z_]+: /);
      }
      const sent = deliveriesSent(bench);
      for (const step of outcome.steps) expect(sent).toContain(step.measuredMm3);
    }
  });
});
