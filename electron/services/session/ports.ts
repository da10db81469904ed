/**
 * What the coding session needs from the rest of the bench, as small ports: the bench link, the
 * verified pack, the credits ledger and the session record. Adapters bind them to the real driver
 * (driver-bench-port.ts), the pack manager and the store; unit tests bind them to fakes.
 */
import type { Calibration } from '../../../trust/pack-content';

export interface BenchIdentity {
  model: string;
  benchSerial: string;
  firmware: string;
}

export interface LiveSample {
  phase: 'pressurizing' | 'settling' | 'injecting' | 'leak' | 'conditioning';
  railBar: number;
  elapsedMs: number;
  strokesDone: number;
  /** Benches that report them (protocol 2): the running delivery of a step, back-leak and test-oil temperature. */
  deliveryMm3PerStroke?: number;
  backLeakMlPerMin?: number;
  oilTempC?: number;
}

export interface BenchPort {
  identity(): BenchIdentity;
  /**
   * Brings the bench to a clean start: a SAFE state left by an earlier session is cleared (starting a
   * session is the technician's acknowledgement) and the rail is depressurised for the electrical test.
   * Returns whether a SAFE state was cleared, for the log.
   */
  prepare(): Promise<{ clearedSafe: string | null }>;
  /** Tells the controller which injector is clamped (drive profile, adapter). */
  selectInjector(partNumber: string, serial: string): Promise<void>;
  calibrationCheck(): Promise<{ overdue: boolean; due: string; lastCheck: string }>;
  /** Test-oil temperature now, °C; null when the bench cannot report it (protocol 1 firmware). */
  oilTemperature(): Promise<number | null>;
  /** Waits, heater on, until the test oil is inside the window; a bench that cannot get there fails typed. */
  conditionOil(window: { minC: number; maxC: number }, onLive: (sample: LiveSample) => void): Promise<{ oilTempC: number; waitedMs: number }>;
  electricalTest(): Promise<{ coilResistanceOhm: number | null; insulationMOhm: number }>;
  leakTest(railBar: number, durationMs: number, onLive: (sample: LiveSample) => void): Promise<{ backLeakMlPerMin: number; railBar: number }>;
  runDeliveryStep(
    step: { railBar: number; energizingTimeUs: number; frequencyHz: number; strokes: number; settleMs: number },
    onLive: (sample: LiveSample) => void,
  ): Promise<{ deliveryMm3PerStroke: number; backLeakMlPerMin: number; railBar: number; durationMs: number; oilTempC?: number }>;
  /** Null when the bench has no coding target attached. */
  writeCode(code: string): Promise<'written' | 'no_target'>;
  readCode(): Promise<string | null>;
  /** After a completed session: rail depressurised, drive off, ready for the next injector. */
  release(): Promise<void>;
  /** Rail depressurised, drivers off. Must not throw: it is the way out of every failure. */
  safe(reason: string): Promise<void>;
}

export interface VerifiedPackForSession {
  family: string;
  version: string;
  sha256: string;
  releaseCounter: number;
  compatibleHardware: readonly string[];
  calibration: Calibration;
  resolvedBy: string;
}

export interface PackPort {
  /** The family whose active pack lists the part number, or null. */
  familyForPart(partNumber: string): Promise<string | null>;
  /** Re-verifies from disk and re-hashes the active pack (docs/trust-packs.md step 10: TrustClient.recheckInstalled); throws a typed error. */
  preflight(family: string): Promise<VerifiedPackForSession>;
  /** The session completed cleanly on this pack: it becomes last-known-good. */
  markSessionCompleted(family: string): void;
}

export interface CreditsPort {
  balance(): number;
}
