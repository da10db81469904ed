import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openBenchCore } from '../../../electron/services/bench-core';
import { encodeBase64, generateKeyPair } from '../../../trust/ed25519';
import type { BenchPort, PackPort } from '../../../electron/services/session/ports';
import { CodingSessionEngine } from '../../../electron/services/session/session-engine';
import { exportSupportBundle, verifySupportBundle } from '../../../electron/services/support/support-bundle';
import { calibrationSchema } from '../../../trust/pack-content';
import { bundledRootFile } from '../../helpers/bundled-root';
import { useTempDirs } from '../../helpers/temp-dir';

const calibration = calibrationSchema.parse(JSON.parse(readFileSync('resources/demo-source/bosch-like-cri/calibration.json', 'utf8')));
const plan = calibration.test_plans[0];

/** A bench that measures every step at its nominal delivery. */
const nominalBench: BenchPort = {
  identity: () => ({ model: 'virtual-bench', benchSerial: 'VB-1', firmware: '1' }),
  prepare: async () => ({ clearedSafe: null }),
  release: async () => undefined,
  selectInjector: async () => undefined,
  calibrationCheck: async () => ({ overdue: false, due: '2027-01-01', lastCheck: '2026-01-01' }),
  electricalTest: async () => ({ coilResistanceOhm: 0.35, insulationMOhm: 400 }),
  oilTemperature: async () => 40,
  conditionOil: async () => ({ oilTempC: 40, waitedMs: 0 }),
  leakTest: async (railBar) => ({ backLeakMlPerMin: 12, railBar }),
  runDeliveryStep: async (step) => ({ deliveryMm3PerStroke: plan?.steps.find((s) => s.rail_bar === step.railBar && s.energizing_us === step.energizingTimeUs)?.nominal_mm3 ?? 0, backLeakMlPerMin: 12, railBar: step.railBar, durationMs: 1 }),
  writeCode: async () => 'written',
  readCode: async () => null,
  safe: async () => undefined,
};

describe('support bundle', () => {
  const tempDir = useTempDirs();

  async function benchWithSessions() {
    const core = openBenchCore({ dataDir: tempDir(), bundledRootFile, appVersion: '0.1.0', production: false });
    core.store.sessions.addGrant({ grantId: 'g', credits: 30, issuedAt: '2026-11-01T00:00:00Z', expires: '2030-01-01T00:00:00Z' }, new Uint8Array([1]), '2026-11-02T00:00:00Z');
    const packs: PackPort = {
      familyForPart: async () => calibration.family,
      preflight: async () => ({ family: calibration.family, version: '1.0.0', sha256: 'cd'.repeat(32), releaseCounter: 1, compatibleHardware: ['virtual-bench'], calibration, resolvedBy: 'test' }),
      markSessionCompleted: () => undefined,
    };
    let written: string | null = null;
    const bench: BenchPort = { ...nominalBench, writeCode: async (code) => ((written = code), 'written'), readCode: async () => written };
    const engine = new CodingSessionEngine({ bench, packs, credits: core.store.sessions, sessions: core.store.sessions, log: core.log });
    core.log.append('admin.before_sessions', { note: 'not part of the segment' });
    const first = await engine.run({ partNumber: 'SYN-0445110-001', serial: 'S-1', operatorId: null });
    const second = await engine.run({ partNumber: 'SYN-0445110-001', serial: 'S-2', operatorId: null });
    return { core, first, second };
  }

  function tamper(bytes: Uint8Array, edit: (bundle: Record<string, unknown>) => void, resign?: (message: Uint8Array) => Uint8Array): Uint8Array {
    const wrapper = JSON.parse(Buffer.from(bytes).toString('utf8')) as { bundle: string; signature: string };
    const bundle = JSON.parse(Buffer.from(wrapper.bundle, 'base64').toString('utf8')) as Record<string, unknown>;
    edit(bundle);
    const bundleBytes = Buffer.from(JSON.stringify(bundle));
    wrapper.bundle = bundleBytes.toString('base64');
    if (resign) wrapper.signature = encodeBase64(resign(Buffer.concat([Buffer.from('injbench/1:support_bundle:'), bundleBytes])));
    return Buffer.from(JSON.stringify(wrapper));
  }

  it('exports the selected sessions with a sealed log segment that verifies offline', async () => {
    const { core, second } = await benchWithSessions();
    const exported = exportSupportBundle(core, { sessionIds: [second.sessionId] }, '0.1.0');
    const verdict = verifySupportBundle(exported.bytes);
    expect(verdict).toMatchObject({ ok: true, benchId: core.identity.benchId, sessions: 1 });
    // The segment starts at the selected session, not at the bench's first entry.
    expect(exported.entries).toBeLessThan([...core.store.integrityLog.entries()].length);
    expect(verifySupportBundle(exported.bytes, { publicKey: core.identity.publicKey }).ok).toBe(true);
    core.close();
  });

  it('refuses changed bytes, another key, a truncated file, and a report that disagrees with its sealed entry', async () => {
    const { core, first } = await benchWithSessions();
    const { bytes } = exportSupportBundle(core, { sessionIds: [first.sessionId] }, '0.1.0');
    const editCode = (bundle: Record<string, unknown>) => ((bundle.sessions as Array<{ code: string }>)[0]!.code = 'TTTTTTT');
    expect(verifySupportBundle(tamper(bytes, editCode))).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    expect(verifySupportBundle(bytes, { publicKey: encodeBase64(generateKeyPair().publicKey) })).toMatchObject({ ok: false, code: 'KEY_MISMATCH' });
    expect(verifySupportBundle(bytes.slice(0, bytes.length - 20))).toMatchObject({ ok: false, code: 'MALFORMED' });
    // Even signed by the bench key, a report edited away from the sealed log is caught.
    expect(verifySupportBundle(tamper(bytes, editCode, (message) => core.identity.sign(message)))).toMatchObject({ ok: false, code: 'REPORT_MISMATCH' });
    const dropEntry = (bundle: Record<string, unknown>) => (bundle.log as { entries: unknown[] }).entries.splice(2, 1);
    expect(verifySupportBundle(tamper(bytes, dropEntry, (message) => core.identity.sign(message)))).toMatchObject({ ok: false, code: 'ENTRY_MISSING' });
    core.close();
  });
});
