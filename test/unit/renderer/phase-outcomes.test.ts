/**
 * Honest progress: what each phase of a finished session shows, from its report alone. A refused, aborted
 * or rejected session never shows a later phase as done.
 */
import { describe, expect, it } from 'vitest';
import type { SessionReport } from '../../../electron/contract/coding-session';
import { phaseOutcomes, sessionEnding } from '../../../renderer/src/session/phase-outcomes';

const passedGates: SessionReport['gates'] = [
  { id: 'pack', label: 'Calibration pack', passed: true, detail: 'verified now' },
  { id: 'credits', label: 'Credits', passed: true, detail: '60 left' },
];
const step = (verdict: SessionReport['steps'][number]['verdict']): SessionReport['steps'][number] => ({
  id: 'FL',
  label: 'Full load',
  railBar: 1600,
  energizingUs: 1000,
  nominalMm3: 50,
  measuredMm3: 51,
  toleranceMm3: 2,
  deviationPct: 2,
  backLeakMlPerMin: 20,
  verdict,
  correctionSteps: verdict === 'not_codable' ? null : 1,
});
const electrical = { coilResistanceOhm: 0.3, insulationMOhm: 500, passed: true, limits: { minOhm: 0.2, maxOhm: 0.5, minInsulationMOhm: 100 } };
const leak = { backLeakMlPerMin: 20, limitMlPerMin: 50, railBar: 1000, passed: true };

const passed: SessionReport = {
  sessionId: 'ses-20261205-0123456789ab',
  status: 'completed',
  verdict: 'pass',
  reason: null,
  partNumber: 'SYN-0445110-001',
  serial: 'INJ-0042',
  operatorId: null,
  bench: { model: 'virtual-bench', benchSerial: 'VB-0001', firmware: '1.0.0-sim' },
  pack: { family: 'bosch-like-cri', version: '1.0.0', sha256: 'ab'.repeat(32), resolvedBy: 'default channel stable', synthetic: true },
  gates: passedGates,
  electrical,
  leak,
  steps: [step('corrected'), step('in_tolerance')],
  code: 'RSTTAA6',
  codeFormat: 'bosch',
  codeWrite: 'verified',
  creditsDebited: 1,
  startedAt: '2026-12-05T08:00:00.000Z',
  endedAt: '2026-12-05T08:01:00.000Z',
  logCheckpoint: null,
};
const reason = { code: 'X', message: 'why' };

describe('phase outcomes of a finished session', () => {
  it('a passed session: every phase done', () => {
    expect(sessionEnding(passed)).toBe('passed');
    expect(phaseOutcomes(passed)).toEqual({ preflight: 'done', electrical: 'done', leak: 'done', delivery: 'done', coding: 'done', writing: 'done', done: 'done' });
  });

  it('a refused session: the gates failed, nothing after them ran', () => {
    const refused: SessionReport = { ...passed, status: 'refused', verdict: null, reason, gates: [...passedGates, { id: 'credits', label: 'Credits', passed: false, detail: 'none left' }], electrical: null, leak: null, steps: [], code: null, codeWrite: null, creditsDebited: 0 };
    expect(sessionEnding(refused)).toBe('refused');
    expect(phaseOutcomes(refused)).toEqual({ preflight: 'failed', electrical: 'skipped', leak: 'skipped', delivery: 'skipped', coding: 'skipped', writing: 'skipped', done: 'failed' });
  });

  it('rejected at the leak test: the leak failed, delivery and writing never ran', () => {
    const rejected: SessionReport = { ...passed, verdict: 'fail', reason, leak: { ...leak, backLeakMlPerMin: 62, passed: false }, steps: [], code: null, codeWrite: null, creditsDebited: 0 };
    expect(sessionEnding(rejected)).toBe('rejected');
    expect(phaseOutcomes(rejected)).toEqual({ preflight: 'done', electrical: 'done', leak: 'failed', delivery: 'skipped', coding: 'skipped', writing: 'skipped', done: 'failed' });
  });

  it('rejected in delivery: a step that cannot be coded fails the delivery phase', () => {
    const rejected: SessionReport = { ...passed, verdict: 'fail', reason, steps: [step('in_tolerance'), step('not_codable')], code: null, codeWrite: null, creditsDebited: 0 };
    expect(phaseOutcomes(rejected)).toMatchObject({ leak: 'done', delivery: 'failed', coding: 'skipped', writing: 'skipped', done: 'failed' });
  });

  it('aborted during the delivery steps: the phase it stopped in is marked, never "writing" as done', () => {
    const aborted: SessionReport = { ...passed, status: 'aborted', verdict: null, reason, steps: [step('in_tolerance')], code: null, codeWrite: null, creditsDebited: 0 };
    expect(sessionEnding(aborted)).toBe('aborted');
    expect(phaseOutcomes(aborted)).toEqual({ preflight: 'done', electrical: 'done', leak: 'done', delivery: 'failed', coding: 'skipped', writing: 'skipped', done: 'failed' });
  });

  it('aborted while writing the code: everything up to the code done, the write marked', () => {
    const aborted: SessionReport = { ...passed, status: 'aborted', verdict: null, reason, codeWrite: null, creditsDebited: 0 };
    expect(phaseOutcomes(aborted)).toMatchObject({ delivery: 'done', coding: 'done', writing: 'failed', done: 'failed' });
  });
});
