import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadOrCreateBenchIdentity } from '../../../electron/services/identity/bench-identity';
import { IntegrityLog } from '../../../electron/services/integrity-log/integrity-log';
import { verifyIntegrityLog } from '../../../common/integrity-log/verify-log';
import type { BenchPort, LiveSample, PackPort, VerifiedPackForSession } from '../../../electron/services/session/ports';
import { CodingSessionEngine } from '../../../electron/services/session/session-engine';
import type { SessionProgress } from '../../../electron/services/session/session-report';
import { openBenchStore, type BenchStore } from '../../../electron/services/store/bench-store';
import { calibrationSchema } from '../../../trust/pack-content';
import { useTempDirs } from '../../helpers/temp-dir';
import { sessionLogEntrySchemas, type SessionLogEntryType } from '../../../common/central-api/session-log-entries';

const calibration = calibrationSchema.parse(JSON.parse(readFileSync('resources/demo-source/bosch-like-cri/calibration.json', 'utf8')));
const PART = 'SYN-0445110-001';
const plan = calibration.test_plans[0];
if (!plan) throw new Error('demo plan missing');
const PRICE = calibration.credit_tariff.per_correction_code;

/** A bench that measures exactly what it is told to, and records what the session asked of it. */
class ScriptedBench implements BenchPort {
  deviation: (stepId: string, nominal: number) => number = () => 0;
  coilOhm: number | null = 0.38;
  backLeak = 10;
  overdue = false;
  target: 'written' | 'no_target' = 'written';
  readBackOverride: string | null = null;
  failAtStep: string | null = null;
  onStep: ((stepId: string) => void) | null = null;
  written: string | null = null;
  safeCalls: string[] = [];
  /** null: a protocol-1 bench that cannot tell; the oil starts here and conditioning brings it to 40 °C. */
  oilC: number | null = 31;
  heaterBroken = false;
  linkLostWhileWarming = false;

  identity() {
    return { model: 'INJBENCH-SIM-1', benchSerial: 'SIM-0001', firmware: '1.0.0' };
  }
  safeLeftOver: string | null = null;
  releases = 0;
  async prepare() {
    const clearedSafe = this.safeLeftOver;
    this.safeLeftOver = null;
    return { clearedSafe };
  }
  async release() {
    this.releases += 1;
  }
  async selectInjector() {}
  async calibrationCheck() {
    return { overdue: this.overdue, due: '2027-01-01', lastCheck: '2026-10-01' };
  }
  async electricalTest() {
    return { coilResistanceOhm: this.coilOhm, insulationMOhm: 500 };
  }
  async oilTemperature() {
    return this.oilC;
  }
  async conditionOil(window: { minC: number; maxC: number }, onLive: (sample: LiveSample) => void) {
    if (this.heaterBroken) throw Object.assign(new Error('test oil at 22 °C did not reach the window: check the heater'), { code: 'NAK', nak: 'HARDWARE_FAULT' });
    if (this.linkLostWhileWarming) throw Object.assign(new Error('bench link lost'), { code: 'DISCONNECTED' });
    onLive({ phase: 'conditioning', railBar: 0, elapsedMs: 10, strokesDone: 0, oilTempC: (this.oilC ?? 20) + 1 });
    this.oilC = (window.minC + window.maxC) / 2;
    return { oilTempC: this.oilC, waitedMs: 1200 };
  }
  async leakTest(railBar: number, _durationMs: number, onLive: (sample: LiveSample) => void) {
    onLive({ phase: 'leak', railBar, elapsedMs: 10, strokesDone: 0 });
    return { backLeakMlPerMin: this.backLeak, railBar };
  }
  async runDeliveryStep(step: { railBar: number; energizingTimeUs: number; strokes: number }, onLive: (sample: LiveSample) => void) {
    const planned = plan?.steps.find((candidate) => candidate.rail_bar === step.railBar && candidate.energizing_us === step.energizingTimeUs);
    if (!planned) throw new Error('unplanned step');
    this.onStep?.(planned.id);
    if (this.failAtStep === planned.id) throw Object.assign(new Error('bench link lost'), { code: 'DISCONNECTED' });
    onLive({ phase: 'injecting', railBar: step.railBar, elapsedMs: 5, strokesDone: step.strokes / 2 });
    return { deliveryMm3PerStroke: planned.nominal_mm3 + this.deviation(planned.id, planned.nominal_mm3), backLeakMlPerMin: 12, railBar: step.railBar, durationMs: 100 };
  }
  async writeCode(code: string) {
    this.written = code;
    return this.target;
  }
  async readCode() {
    return this.readBackOverride ?? this.written;
  }
  async safe(reason: string) {
    this.safeCalls.push(reason);
  }
}

class StaticPacks implements PackPort {
  failure: Error | null = null;
  completed: string[] = [];
  async familyForPart(partNumber: string) {
    return calibration.test_plans.some((candidate) => candidate.part_numbers.includes(partNumber)) ? calibration.family : null;
  }
  async preflight(): Promise<VerifiedPackForSession> {
    if (this.failure) throw this.failure;
    return { family: calibration.family, version: '1.0.0', sha256: 'ab'.repeat(32), releaseCounter: 1, compatibleHardware: ['INJBENCH-SIM-1'], calibration, resolvedBy: 'channel stable' };
  }
  markSessionCompleted(family: string) {
    this.completed.push(family);
  }
}

describe('coding session engine', () => {
  const tempDir = useTempDirs();

  function setup(credits = 10) {
    const dataDir = tempDir();
    const store = openBenchStore(dataDir);
    const identity = loadOrCreateBenchIdentity(dataDir, store);
    const log = new IntegrityLog(store.integrityLog, identity);
    if (credits > 0) store.sessions.addGrant({ grantId: 'g-1', credits, issuedAt: '2026-11-01T00:00:00Z', expires: '2027-11-01T00:00:00Z' }, new Uint8Array([1]), '2026-11-02T00:00:00Z');
    const bench = new ScriptedBench();
    const packs = new StaticPacks();
    const engine = new CodingSessionEngine({ bench, packs, credits: store.sessions, sessions: store.sessions, log });
    const verifyLog = () => verifyIntegrityLog({ benchId: identity.benchId, publicKey: identity.publicKey, entries: store.integrityLog.entries(), checkpoints: store.integrityLog.checkpoints() });
    return { store, bench, packs, engine, log, verifyLog };
  }

  function closeAll(store: BenchStore) {
    store.close();
  }

  it('codes a good injector, writes and reads back the code, and debits its credits once', async () => {
    const { store, bench, packs, engine, verifyLog } = setup();
    bench.deviation = (stepId, nominal) => (stepId === 'VL' ? nominal * 0.01 : 0);
    const progress: SessionProgress[] = [];
    const report = await engine.run({ partNumber: PART, serial: 'INJ-1', operatorId: 'op-1' }, (event) => progress.push(event));
    expect(report).toMatchObject({ status: 'completed', verdict: 'pass', codeWrite: 'verified', creditsDebited: PRICE, reason: null });
    expect(report.code).toHaveLength(calibration.coding.length);
    expect(bench.written).toBe(report.code);
    expect(report.steps.map((step) => step.verdict)).toEqual(['in_tolerance', 'in_tolerance', 'in_tolerance', 'in_tolerance']);
    // +1 % at full load: −0.55 mm³ / 0.065 mm³/µs ≈ −8.5 µs, in steps of 3 µs → −3
    expect(report.steps.find((step) => step.id === 'VL')?.correctionSteps).toBe(-3);
    expect(report.gates.every((gate) => gate.passed)).toBe(true);
    expect(store.sessions.balance()).toBe(10 - PRICE);
    expect(store.sessions.byId(report.sessionId)).toMatchObject({ status: 'completed', code: report.code, creditsDebited: PRICE });
    expect(packs.completed).toEqual([calibration.family]);
    expect(progress.filter((event) => event.type === 'step')).toHaveLength(4);
    expect(progress.some((event) => event.type === 'live')).toBe(true);
    expect(verifyLog()).toMatchObject({ ok: true, unsealedEntries: 0 });
    expect(report.logCheckpoint?.seq).toBe(store.integrityLog.head()?.seq);
    expect(bench.releases).toBe(1);
    closeAll(store);
  });

  it('warms the test oil into the pack\'s window before measuring, records it, and shows each point\'s band and codable window first', async () => {
    const { store, bench, engine } = setup();
    bench.oilC = 12;
    const progress: SessionProgress[] = [];
    const report = await engine.run({ partNumber: PART, serial: 'INJ-OIL', operatorId: null }, (event) => progress.push(event));
    const window = calibration.test_oil.temperature_c;
    expect(report.gates.find((gate) => gate.id === 'oil')).toMatchObject({ passed: true, detail: expect.stringContaining('12.0 °C now') });
    expect(report.oil).toEqual({ startC: 12, oilTempC: (window.min + window.max) / 2, minC: window.min, maxC: window.max, waitedMs: 1200 });
    expect([...store.integrityLog.entries()].filter((entry) => entry.type === 'session.oil')).toHaveLength(1);
    const plan = progress.find((event) => event.type === 'plan');
    expect(plan?.type === 'plan' && plan.steps.map((step) => step.id)).toEqual(calibration.test_plans[0]!.steps.map((step) => step.id));
    // Every coded point has a window around its nominal delivery that holds its tolerance band.
    for (const step of plan?.type === 'plan' ? plan.steps : []) {
      if (!step.codable) continue;
      expect(step.codable.minMm3).toBeLessThan(step.nominalMm3 - step.toleranceMm3 / 2);
      expect(step.codable.maxMm3).toBeGreaterThan(step.nominalMm3 + step.toleranceMm3 / 2);
    }
    // The plan comes before the first measurement, the conditioning before the leak test.
    const order = progress.map((event) => (event.type === 'live' ? `live:${event.phase}` : event.type));
    expect(order.indexOf('plan')).toBeLessThan(order.indexOf('live:conditioning'));
    expect(order.indexOf('live:conditioning')).toBeLessThan(order.indexOf('live:leak'));
    closeAll(store);
  });

  it('keeps a lost link\'s own code when the link drops while the oil warms', async () => {
    const { store, bench, engine } = setup();
    bench.linkLostWhileWarming = true;
    const report = await engine.run({ partNumber: PART, serial: 'INJ-LOST', operatorId: null });
    expect(report).toMatchObject({ status: 'aborted', creditsDebited: 0, reason: { code: 'DISCONNECTED' } });
    closeAll(store);
  });

  it('refuses to start on a bench that cannot report the test-oil temperature (protocol 1), charging nothing', async () => {
    const { store, bench, engine } = setup();
    bench.oilC = null;
    const report = await engine.run({ partNumber: PART, serial: 'INJ-V1', operatorId: null });
    expect(report.status).toBe('refused');
    expect(report.gates.find((gate) => gate.id === 'oil')).toMatchObject({ passed: false, code: 'OIL_TEMPERATURE_UNKNOWN', action: expect.stringContaining('firmware') });
    expect(report.creditsDebited).toBe(0);
    expect(store.sessions.balance()).toBe(10);
    closeAll(store);
  });

  it('ends aborted, SAFE and uncharged when the oil never reaches its window', async () => {
    const { store, bench, engine } = setup();
    bench.heaterBroken = true;
    const report = await engine.run({ partNumber: PART, serial: 'INJ-COLD', operatorId: null });
    expect(report).toMatchObject({ status: 'aborted', creditsDebited: 0, code: null, steps: [], leak: null });
    expect(report.reason).toMatchObject({ code: 'OIL_NOT_CONDITIONED', message: expect.stringContaining('heater') });
    expect(bench.safeCalls).toHaveLength(1);
    expect(store.sessions.balance()).toBe(10);
    closeAll(store);
  });

  it('clears a SAFE state an earlier session left, and logs that it did', async () => {
    const { store, bench, engine } = setup();
    bench.safeLeftOver = 'heartbeat lost';
    const report = await engine.run({ partNumber: PART, serial: 'INJ-1b', operatorId: null });
    expect(report.status).toBe('completed');
    const cleared = [...store.integrityLog.entries()].find((entry) => entry.type === 'bench.safe_cleared');
    expect(cleared?.payloadJson).toContain('heartbeat lost');
    closeAll(store);
  });

  it('marks out-of-tolerance but codable points as corrected', async () => {
    const { store, bench, engine } = setup();
    bench.deviation = (stepId, nominal) => (stepId === 'LL' ? nominal * 0.06 : 0);
    const report = await engine.run({ partNumber: PART, serial: 'INJ-2', operatorId: null });
    expect(report.verdict).toBe('pass');
    expect(report.steps.find((step) => step.id === 'LL')).toMatchObject({ verdict: 'corrected', correctionSteps: -9 });
    closeAll(store);
  });

  it.each([
    ['no credits', (ctx: ReturnType<typeof setup>) => ctx, 0, 'credits', 'INSUFFICIENT_CREDITS'],
    ['a pack that fails re-verification', (ctx: ReturnType<typeof setup>) => ((ctx.packs.failure = Object.assign(new Error('file changed'), { code: 'HASH_MISMATCH' })), ctx), 10, 'pack', 'HASH_MISMATCH'],
    ['an overdue calibration check', (ctx: ReturnType<typeof setup>) => ((ctx.bench.overdue = true), ctx), 10, 'calibration', 'CALIBRATION_OVERDUE'],
  ])('refuses to start with %s, names the gate and charges nothing', async (_label, arrange, credits, gateId, code) => {
    const ctx = arrange(setup(credits));
    const report = await ctx.engine.run({ partNumber: PART, serial: 'INJ-3', operatorId: null });
    expect(report).toMatchObject({ status: 'refused', verdict: null, creditsDebited: 0, reason: { code: 'PREFLIGHT_BLOCKED' } });
    expect(report.gates.find((gate) => gate.id === gateId)).toMatchObject({ passed: false, code });
    expect(report.gates.find((gate) => gate.id === gateId)?.action).toBeTruthy();
    if (code === 'INSUFFICIENT_CREDITS') expect(report.gates.find((gate) => gate.id === gateId)?.params).toEqual({ balance: 0, price: PRICE });
    expect(ctx.bench.written).toBeNull();
    expect(ctx.store.sessions.balance()).toBe(credits);
    closeAll(ctx.store);
  });

  it('refuses an unknown part number', async () => {
    const { store, engine } = setup();
    const report = await engine.run({ partNumber: 'NOPE-1', serial: 'INJ-4', operatorId: null });
    expect(report.gates[0]).toMatchObject({ id: 'pack', passed: false, code: 'UNKNOWN_PART', params: { partNumber: 'NOPE-1' } });
    // Without a verified pack the channel and hardware gates say so by code, so the screen can word them.
    expect(report.gates.filter((gate) => gate.code === 'NO_VERIFIED_PACK').map((gate) => gate.id)).toEqual(['channel', 'hardware']);
    expect(report.reason?.params).toEqual({ blocked: report.gates.filter((gate) => !gate.passed).length });
    closeAll(store);
  });

  it.each([
    ['an open coil', (bench: ScriptedBench) => (bench.coilOhm = null), 'ELECTRICAL_FAIL'],
    ['a high back-leak', (bench: ScriptedBench) => (bench.backLeak = 80), 'LEAK_FAIL'],
    ['a point outside the codable window', (bench: ScriptedBench) => (bench.deviation = (stepId, nominal) => (stepId === 'VL' ? -nominal * 0.2 : 0)), 'NOT_CODABLE'],
  ])('rejects an injector with %s: completed, verdict fail, no code, nothing charged', async (_label, arrange, code) => {
    const { store, bench, engine } = setup();
    arrange(bench);
    const report = await engine.run({ partNumber: PART, serial: 'INJ-5', operatorId: null });
    expect(report).toMatchObject({ status: 'completed', verdict: 'fail', code: null, creditsDebited: 0, reason: { code } });
    // The specifics travel as params for the screen's words (an open coil has no resistance: no coilOhm picks the open-coil sentence).
    if (code === 'LEAK_FAIL') expect(report.reason?.params).toEqual({ measured: 80, limit: expect.any(Number) });
    if (code === 'NOT_CODABLE') expect(report.reason?.params).toEqual({ step: expect.any(String) });
    if (code === 'ELECTRICAL_FAIL') {
      expect(report.reason?.params).toEqual({ insulationMOhm: expect.any(Number), minOhm: expect.any(Number), maxOhm: expect.any(Number), minInsulationMOhm: expect.any(Number) });
      expect(report.reason?.params).not.toHaveProperty('coilOhm');
    }
    expect(bench.written).toBeNull();
    expect(store.sessions.balance()).toBe(10);
    closeAll(store);
  });

  it('does not count a code whose readback differs: aborted, SAFE, nothing charged', async () => {
    const { store, bench, packs, engine } = setup();
    bench.readBackOverride = 'XXXXXXX';
    const report = await engine.run({ partNumber: PART, serial: 'INJ-6', operatorId: null });
    expect(report).toMatchObject({ status: 'aborted', code: null, creditsDebited: 0, reason: { code: 'CODE_READBACK_MISMATCH' } });
    expect(bench.safeCalls).toHaveLength(1);
    expect(store.sessions.balance()).toBe(10);
    expect(packs.completed).toEqual([]);
    closeAll(store);
  });

  it('ends aborted with the bench fault when the link drops mid-step', async () => {
    const { store, bench, engine, verifyLog } = setup();
    bench.failAtStep = 'EM';
    const report = await engine.run({ partNumber: PART, serial: 'INJ-7', operatorId: null });
    expect(report).toMatchObject({ status: 'aborted', reason: { code: 'DISCONNECTED' }, creditsDebited: 0 });
    expect(report.steps.map((step) => step.id)).toEqual(['VL']);
    expect(bench.safeCalls).toHaveLength(1);
    expect(verifyLog()).toMatchObject({ ok: true });
    closeAll(store);
  });

  it('aborts on request: SAFE at once, session aborted by the operator, nothing charged', async () => {
    const { store, bench, engine } = setup();
    bench.onStep = (stepId) => {
      if (stepId === 'LL') void engine.abort('technician pressed abort');
    };
    const report = await engine.run({ partNumber: PART, serial: 'INJ-8', operatorId: null });
    expect(report).toMatchObject({ status: 'aborted', reason: { code: 'ABORTED_BY_OPERATOR', message: 'technician pressed abort' }, creditsDebited: 0 });
    expect(bench.safeCalls[0]).toBe('technician pressed abort');
    expect(store.sessions.balance()).toBe(10);
    closeAll(store);
  });

  it('runs one session at a time and closes sessions a crash left running', async () => {
    const { store, bench, engine } = setup();
    let release: () => void = () => undefined;
    bench.onStep = () => undefined;
    const slow = bench.calibrationCheck.bind(bench);
    bench.calibrationCheck = () => new Promise((resolve) => (release = () => void slow().then(resolve)));
    const first = engine.run({ partNumber: PART, serial: 'INJ-9', operatorId: null });
    await expect(engine.run({ partNumber: PART, serial: 'INJ-10', operatorId: null })).rejects.toMatchObject({ code: 'SESSION_RUNNING' });
    release();
    await first;

    store.sessions.start('ses-crashed', null, PART, 'INJ-11', '2026-11-22T08:00:00Z');
    expect(engine.closeInterruptedSessions()).toEqual(['ses-crashed']);
    expect(store.sessions.byId('ses-crashed')).toMatchObject({ status: 'aborted', reasonCode: 'INTERRUPTED', creditsDebited: 0 });
    closeAll(store);
  });

  it('keeps the verified pack on a running session, and a session a crash interrupted ends naming that pack', async () => {
    const { store, bench, engine, verifyLog } = setup();
    let whileRunning: ReturnType<typeof store.sessions.running> = [];
    bench.onStep = () => (whileRunning = store.sessions.running());
    await engine.run({ partNumber: PART, serial: 'INJ-12', operatorId: null });
    // During the delivery steps the running row already names the pack the preflight verified.
    expect(whileRunning).toHaveLength(1);
    expect(whileRunning[0]).toMatchObject({ status: 'running', family: calibration.family, packVersion: '1.0.0', packSha256: 'ab'.repeat(32) });

    // The app dies mid-session (the row stays running, with its pack), then restarts.
    store.sessions.start('ses-20261122-00000000c0de', 'op-7', PART, 'INJ-13', '2026-11-22T08:00:00Z');
    store.sessions.recordPack('ses-20261122-00000000c0de', { family: calibration.family, version: '1.0.0', sha256: 'ab'.repeat(32) });
    // One crashed before preflight verified a pack: it ends with no pack, as before.
    store.sessions.start('ses-20261122-00000000beef', null, PART, 'INJ-14', '2026-11-22T08:01:00Z');
    expect(engine.closeInterruptedSessions()).toEqual(['ses-20261122-00000000c0de', 'ses-20261122-00000000beef']);
    const terminal = store.integrityLog
      .search({ typePrefix: 'session.aborted', limit: 10 })
      .map((entry) => JSON.parse(entry.payloadJson) as Record<string, unknown>)
      .reverse();
    expect(terminal).toEqual([
      {
        sessionId: 'ses-20261122-00000000c0de',
        verdict: null,
        reason: 'INTERRUPTED',
        partNumber: PART,
        serial: 'INJ-13',
        pack: { family: calibration.family, version: '1.0.0', sha256: 'ab'.repeat(32) },
        code: null,
        codeWrite: null,
        creditsDebited: 0,
      },
      { sessionId: 'ses-20261122-00000000beef', verdict: null, reason: 'INTERRUPTED', partNumber: PART, serial: 'INJ-14', pack: null, code: null, codeWrite: null, creditsDebited: 0 },
    ]);
    expect(store.sessions.byId('ses-20261122-00000000c0de')).toMatchObject({ status: 'aborted', reasonCode: 'INTERRUPTED', family: calibration.family, packVersion: '1.0.0', creditsDebited: 0 });
    expect(verifyLog()).toMatchObject({ ok: true });
    closeAll(store);
  });

  it('announces each phase as the session enters its state, a delivery phase per step', async () => {
    const { store, engine } = setup();
    const progress: SessionProgress[] = [];
    const report = await engine.run({ partNumber: PART, serial: 'INJ-15', operatorId: null }, (event) => progress.push(event));
    const phases = progress.flatMap((event) => (event.type === 'phase' ? [event.stepId ? `${event.phase}:${event.stepId}` : event.phase] : []));
    expect(phases).toEqual(['preflight', 'electrical', 'leak', ...plan.steps.map((step) => `delivery:${step.id}`), 'coding', 'writing']);
    expect(progress.every((event) => event.sessionId === report.sessionId)).toBe(true);
    closeAll(store);
  });

  it('writes every session entry as declared, with sessionId first for the server to read without parsing', async () => {
    const { store, bench, engine } = setup();
    bench.safeLeftOver = 'heartbeat lost';
    await engine.run({ partNumber: PART, serial: 'INJ-16', operatorId: 'op-1' });
    bench.coilOhm = null;
    await engine.run({ partNumber: PART, serial: 'INJ-17', operatorId: null });
    await engine.run({ partNumber: 'NOPE-1', serial: 'INJ-18', operatorId: null });
    store.sessions.start('ses-crashed', null, PART, 'INJ-19', '2026-11-22T08:00:00Z');
    engine.closeInterruptedSessions();
    const seen = new Set<string>();
    for (const entry of store.integrityLog.entries()) {
      if (!Object.hasOwn(sessionLogEntrySchemas, entry.type)) continue;
      const schema = sessionLogEntrySchemas[entry.type as SessionLogEntryType];
      expect(() => schema.parse(JSON.parse(entry.payloadJson)), entry.type).not.toThrow();
      expect(entry.payloadJson.startsWith('{"sessionId":'), entry.type).toBe(true);
      seen.add(entry.type);
    }
    expect([...seen].sort()).toEqual(
      ['session.started', 'session.preflight', 'bench.safe_cleared', 'session.electrical', 'session.leak', 'session.oil', 'session.step', 'session.completed', 'session.refused', 'session.aborted'].sort(),
    );
    closeAll(store);
  });
});
