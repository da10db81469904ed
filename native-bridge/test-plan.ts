/**
 * A synthetic test plan and the sequence that runs it through the driver: electrical test, calibration
 * check, static leak test, the delivery steps, then write the code and read it back. Values come back
 * exactly as the bench measured them, or the run ends with a typed error: never a guessed value.
 *
 * The run walks the coding session's states (common/coding-session/states.ts), so its sequence is the
 * session's: a diagnostic run has no gates, rejects nothing (it reports what is out of tolerance) and
 * charges nothing, so it only ever takes the normal path; a failure throws instead of ending it.
 */
import { codingSessionStartState, transition, type CodingSessionEvent, type CodingSessionState } from '../common/coding-session/states';
import { BenchLinkError, type BenchDriver } from './driver';
import type { LiveValues, ResponseOf, StepResult } from './protocol/messages';
import { nominalDelivery } from './synthetic-family';

export interface DeliveryStep {
  name: string;
  railBar: number;
  energizingTimeUs: number;
  frequencyHz: number;
  strokes: number;
  settleMs: number;
  nominalMm3: number;
  /** Relative tolerance (0.03 = ±3 %) or, when absolute is set, mm³. */
  tolerance: { relative?: number; absoluteMm3?: number };
}

export interface TestPlan {
  name: string;
  synthetic: true;
  leak: { bar: number; durationMs: number; limitMlPerMin: number };
  steps: DeliveryStep[];
}

function step(name: string, railBar: number, energizingTimeUs: number, tolerance: DeliveryStep['tolerance']): DeliveryStep {
  return {
    name,
    railBar,
    energizingTimeUs,
    frequencyHz: 20,
    strokes: 200,
    settleMs: 1000,
    nominalMm3: Math.round(nominalDelivery(railBar, energizingTimeUs) * 100) / 100,
    tolerance,
  };
}

/** The plan of docs/domain.md's synthetic family: full load, emission, idle, pilot. */
export const syntheticPlan: TestPlan = {
  name: 'SYN-CRI2 synthetic plan',
  synthetic: true,
  leak: { bar: 1000, durationMs: 3000, limitMlPerMin: 30 },
  steps: [
    step('VL', 1600, 1000, { relative: 0.03 }),
    step('EM', 800, 550, { relative: 0.1 }),
    step('LL', 300, 650, { relative: 0.05 }),
    step('VE', 800, 250, { absoluteMm3: 0.5 }),
  ],
};

export interface StepOutcome extends StepResult {
  name: string;
  nominalMm3: number;
  withinTolerance: boolean;
}

export interface PlanResult {
  plan: string;
  synthetic: true;
  injectorSerial: string | null;
  electrical: ResponseOf<'ELECTRICAL_TEST'>;
  calibration: ResponseOf<'CAL_CHECK'>;
  leak: ResponseOf<'LEAK_TEST'> & { withinLimit: boolean };
  steps: StepOutcome[];
  code: string;
  /** Bench time the plan modeled (sum of reported durations), to compare with wall time. */
  modeledMs: number;
}

export class PlanError extends Error {
  constructor(
    readonly code: 'CODE_READBACK_MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'PlanError';
  }
}

/** A stand-in correction code for the synthetic plan: real codes come from licensed packs. */
export function syntheticCode(steps: StepOutcome[]): string {
  return `SYN${steps.map((s) => Math.round((s.deliveryMm3PerStroke - s.nominalMm3) * 10).toString(36).replace('-', 'N').toUpperCase().padStart(2, '0')).join('')}`;
}

function withinTolerance(step: DeliveryStep, measured: number): boolean {
  const allowed = step.tolerance.absoluteMm3 ?? (step.tolerance.relative ?? 0) * step.nominalMm3;
  return Math.abs(measured - step.nominalMm3) <= allowed;
}

export async function runTestPlan(driver: BenchDriver, plan: TestPlan = syntheticPlan, onLive?: (step: string, values: LiveValues) => void): Promise<PlanResult> {
  let state: CodingSessionState = codingSessionStartState;
  const move = (...events: CodingSessionEvent[]): void => {
    for (const event of events) state = transition(state, event);
  };
  let modeledMs = 0;
  move('begin', 'gatesPassed');
  const electrical = await driver.electricalTest();
  modeledMs += electrical.durationMs;
  const calibration = await driver.calCheck();
  modeledMs += calibration.durationMs;
  move('electricalPassed');
  const leak = await driver.leakTest({ bar: plan.leak.bar, durationMs: plan.leak.durationMs }, (values) => onLive?.('leak', values));
  modeledMs += leak.durationMs;
  move('leakPassed');
  const steps: StepOutcome[] = [];
  for (const definition of plan.steps) {
    if (steps.length > 0) move('nextStep');
    const pressure = await driver.setRailPressure(definition.railBar, (values) => onLive?.(definition.name, values));
    modeledMs += pressure.durationMs;
    await driver.setDrive({ energizingTimeUs: definition.energizingTimeUs, frequencyHz: definition.frequencyHz });
    const result = await driver.runStep({ strokes: definition.strokes, settleMs: definition.settleMs }, (values) => onLive?.(definition.name, values));
    modeledMs += result.durationMs;
    steps.push({ ...result, name: definition.name, nominalMm3: definition.nominalMm3, withinTolerance: withinTolerance(definition, result.deliveryMm3PerStroke) });
  }
  move('stepsMeasured');
  const depressurize = await driver.setRailPressure(0);
  modeledMs += depressurize.durationMs;
  const code = syntheticCode(steps);
  move('codeEncoded');
  const written = await driver.writeCode(code);
  modeledMs += written.durationMs;
  const readBack = await driver.readCode();
  if (readBack.code !== code) {
    throw new PlanError('CODE_READBACK_MISMATCH', `the coding target reads back ${JSON.stringify(readBack.code)} after writing ${JSON.stringify(code)}`);
  }
  move('codeWritten');
  return {
    plan: plan.name,
    synthetic: true,
    injectorSerial: driver.ident?.injector?.serial ?? null,
    electrical,
    calibration,
    leak: { ...leak, withinLimit: leak.backLeakMlPerMin <= plan.leak.limitMlPerMin },
    steps,
    code,
    modeledMs,
  };
}

export function isTypedPlanFailure(error: unknown): error is BenchLinkError | PlanError {
  return error instanceof BenchLinkError || error instanceof PlanError;
}
