import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCorrectionCode, encodeCorrectionCode, nominalSlope, type StepMeasurement } from '../../../electron/services/session/correction-code';
import { calibrationSchema, type Calibration } from '../../../trust/pack-content';

function demoCalibration(family: string): Calibration {
  return calibrationSchema.parse(JSON.parse(readFileSync(`resources/demo-source/${family}/calibration.json`, 'utf8')));
}

function measurements(calibration: Calibration, deviationFor: (stepId: string, nominal: number) => number = () => 0): Map<string, StepMeasurement> {
  const plan = calibration.test_plans[0];
  if (!plan) throw new Error('no plan');
  return new Map(plan.steps.map((step) => [step.id, { railBar: step.rail_bar, nominalMm3: step.nominal_mm3, measuredMm3: step.nominal_mm3 + deviationFor(step.id, step.nominal_mm3) }]));
}

const families = ['bosch-like-cri', 'denso-like-g3', 'delphi-like-c2i'] as const;

describe('correction codes from pack data', () => {
  it.each([
    // Worked by hand from the formats: every correction zero, constant fields zero.
    ['bosch-like-cri', 'TTTTAAA'], // offset 15 → 'T'; checksum (4·15) mod 30 = 0 → 'A'
    ['denso-like-g3', `00${'80'.repeat(13)}80`], // 13 slots of 0x80; XOR of thirteen 0x80 = 0x80
    ['delphi-like-c2i', '8008008008000010'], // 0x800 per point; byte sum 0x110 & 0xff = 0x10
  ])('codes a nominal %s injector as %s', (family, expected) => {
    const calibration = demoCalibration(family);
    const result = encodeCorrectionCode(calibration, measurements(calibration));
    expect(result.code).toBe(expected);
    expect(result.code).toHaveLength(calibration.coding.length);
    expect(result.corrections.every((correction) => correction.steps === 0)).toBe(true);
  });

  it.each(families)('round-trips real deviations through decode for %s', (family) => {
    const calibration = demoCalibration(family);
    const deviations: Record<string, number> = {};
    const result = encodeCorrectionCode(
      calibration,
      measurements(calibration, (stepId, nominal) => {
        deviations[stepId] = nominal * 0.012 * (stepId.length % 2 === 0 ? 1 : -1);
        return deviations[stepId] ?? 0;
      }),
    );
    const decoded = decodeCorrectionCode(calibration.coding, result.code);
    expect(decoded?.checksumValid).toBe(true);
    for (const correction of result.corrections) expect(decoded?.steps[correction.step]).toBe(correction.steps);
    expect(result.corrections.filter((correction) => correction.steps !== 0).length).toBeGreaterThan(0);
  });

  it('turns a delivery shortfall into a longer energizing time for µs formats', () => {
    const calibration = demoCalibration('denso-like-g3');
    const result = encodeCorrectionCode(calibration, measurements(calibration, (stepId) => (stepId === 'VL' ? -0.6 : 0)));
    const vl = result.corrections.find((correction) => correction.step === 'VL');
    // Δt = 0.6 mm³ / k(1600 bar) = 0.6 / 0.06 = 10 µs
    expect(vl?.value).toBeCloseTo(10, 6);
    expect(vl?.steps).toBe(10);
  });

  it('interpolates the nominal slope between curve points and clamps outside', () => {
    const curve = demoCalibration('bosch-like-cri').nominal_curve;
    expect(nominalSlope(curve, 550)).toBeCloseTo((0.011 + 0.05) / 2, 9);
    expect(nominalSlope(curve, 100)).toBe(0.011);
    expect(nominalSlope(curve, 2500)).toBe(0.065);
  });

  it.each(families)('refuses a %s injector outside the codable window and names the step', (family) => {
    const calibration = demoCalibration(family);
    // Half the nominal delivery at the largest point is beyond every demo format's window.
    const largest = [...(calibration.test_plans[0]?.steps ?? [])].sort((a, b) => b.nominal_mm3 - a.nominal_mm3)[0];
    const far = largest?.id ?? '';
    expect(() => encodeCorrectionCode(calibration, measurements(calibration, (stepId, nominal) => (stepId === far ? -nominal / 2 : 0)))).toThrow(
      expect.objectContaining({ code: 'NOT_CODABLE', step: far }),
    );
  });

  it.each(families)('detects every single-character typo in a %s code', (family) => {
    const calibration = demoCalibration(family);
    const { code } = encodeCorrectionCode(calibration, measurements(calibration, (stepId, nominal) => nominal * 0.01));
    const alphabet = calibration.coding.alphabet;
    let typos = 0;
    for (let position = 0; position < code.length; position += 1) {
      for (const replacement of alphabet) {
        if (replacement === code[position]) continue;
        const typo = code.slice(0, position) + replacement + code.slice(position + 1);
        expect(decodeCorrectionCode(calibration.coding, typo)?.checksumValid, `${typo}`).toBe(false);
        typos += 1;
      }
    }
    expect(typos).toBe(code.length * (alphabet.length - 1));
  });

  it('reports a measurement missing for a coded step', () => {
    const calibration = demoCalibration('bosch-like-cri');
    const partial = measurements(calibration);
    partial.delete('LL');
    expect(() => encodeCorrectionCode(calibration, partial)).toThrow(expect.objectContaining({ code: 'MISSING_MEASUREMENT', step: 'LL' }));
  });

  it('refuses codes of the wrong length or with characters outside the alphabet', () => {
    const format = demoCalibration('bosch-like-cri').coding;
    expect(decodeCorrectionCode(format, 'TTTTAA')).toBeNull();
    expect(decodeCorrectionCode(format, 'TTTTAA0')).toBeNull();
  });
});
