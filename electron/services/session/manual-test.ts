/**
 * Manual test mode: one delivery measurement at settings the technician chooses (rail pressure, energizing
 * time, frequency) on a clamped injector, bounded by what the part's pack tests it at. It issues no code and
 * charges nothing; every run is in the integrity log with who ran it, the settings and what was measured.
 */
import type { ManualTestInput, ManualTestResult } from '../../contract/bench-api';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import { ServiceError } from '../service-error';
import type { BenchPort, PackPort } from './ports';

/** The pack's own test points bound what a manual run may ask of the injector. */
export function manualTestLimits(plan: { steps: ReadonlyArray<{ rail_bar: number; energizing_us: number; frequency_hz: number }>; leak: { test_rail_bar: number } }) {
  return {
    maxRailBar: Math.max(plan.leak.test_rail_bar, ...plan.steps.map((step) => step.rail_bar)),
    maxEnergizingUs: Math.max(...plan.steps.map((step) => step.energizing_us)),
    maxFrequencyHz: Math.max(...plan.steps.map((step) => step.frequency_hz)),
  };
}

export async function runManualTest(deps: { bench: BenchPort; packs: PackPort; log: IntegrityLog }, input: ManualTestInput, operatorId: string | null): Promise<ManualTestResult> {
  const family = await deps.packs.familyForPart(input.partNumber);
  if (!family) throw new ServiceError('UNKNOWN_PART', `No active pack lists part ${input.partNumber}: a manual test runs within a pack's limits.`, { params: { partNumber: input.partNumber } });
  const pack = await deps.packs.preflight(family);
  const plan = pack.calibration.test_plans.find((candidate) => candidate.part_numbers.includes(input.partNumber));
  if (!plan) throw new ServiceError('UNKNOWN_PART', `${family} ${pack.version} has no test plan for part ${input.partNumber}.`, { params: { partNumber: input.partNumber } });
  const limits = manualTestLimits(plan);
  const over = [
    input.railBar > limits.maxRailBar ? `rail pressure ${input.railBar} bar (limit ${limits.maxRailBar})` : null,
    input.energizingUs > limits.maxEnergizingUs ? `energizing time ${input.energizingUs} µs (limit ${limits.maxEnergizingUs})` : null,
    input.frequencyHz > limits.maxFrequencyHz ? `frequency ${input.frequencyHz} Hz (limit ${limits.maxFrequencyHz})` : null,
  ].filter((text): text is string => text !== null);
  if (over.length > 0) {
    throw new ServiceError('OUT_OF_LIMITS', `Outside what ${family} ${pack.version} tests part ${input.partNumber} at: ${over.join(', ')}. Nothing was run.`, {
      params: { partNumber: input.partNumber, ...limits },
    });
  }
  const { bench } = deps;
  try {
    await bench.prepare();
    await bench.selectInjector(input.partNumber, input.serial);
    const measured = await bench.runDeliveryStep(
      { railBar: input.railBar, energizingTimeUs: input.energizingUs, frequencyHz: input.frequencyHz, strokes: input.strokes, settleMs: 1000 },
      () => undefined,
    );
    await bench.release();
    const result: ManualTestResult = {
      partNumber: input.partNumber,
      serial: input.serial,
      family,
      packVersion: pack.version,
      railBar: measured.railBar,
      energizingUs: input.energizingUs,
      frequencyHz: input.frequencyHz,
      strokes: input.strokes,
      deliveryMm3PerStroke: measured.deliveryMm3PerStroke,
      backLeakMlPerMin: measured.backLeakMlPerMin,
      oilTempC: measured.oilTempC ?? null,
      limits,
    };
    deps.log.append('manual.test', { operatorId, ...result, code: null, creditsDebited: 0 });
    return result;
  } catch (error) {
    await bench.safe('manual test ended by a fault');
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    deps.log.append('manual.test_failed', { operatorId, partNumber: input.partNumber, serial: input.serial, code: typeof code === 'string' ? code : 'INTERNAL' });
    throw new ServiceError('BENCH_FAULT', `The bench could not run the test (${message}). It was put in SAFE; check the injector and the bench, then try again.`);
  }
}
