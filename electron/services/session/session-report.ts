/** The record of one coding session: what the UI shows, the runner prints and the log seals. */

export type GateId = 'pack' | 'channel' | 'hardware' | 'calibration' | 'credits';

export interface GateResult {
  id: GateId;
  label: string;
  passed: boolean;
  /** Pass: what was checked. Block: why, in words for the technician. */
  detail: string;
  /** When blocked: what to do next. */
  action?: string;
  code?: string;
}

export type StepVerdict = 'in_tolerance' | 'corrected' | 'not_codable';

export interface StepReport {
  id: string;
  label: string;
  railBar: number;
  energizingUs: number;
  nominalMm3: number;
  measuredMm3: number;
  /** Half-width of the tolerance band in mm³ around the nominal delivery. */
  toleranceMm3: number;
  deviationPct: number;
  backLeakMlPerMin: number;
  verdict: StepVerdict;
  correctionSteps: number | null;
}

export interface SessionReport {
  sessionId: string;
  status: 'completed' | 'aborted' | 'refused';
  /** For completed sessions: pass (code issued) or fail (injector rejected). */
  verdict: 'pass' | 'fail' | null;
  reason: { code: string; message: string } | null;
  partNumber: string;
  serial: string;
  operatorId: string | null;
  bench: { model: string; benchSerial: string; firmware: string };
  pack: { family: string; version: string; sha256: string; resolvedBy: string; synthetic: boolean } | null;
  gates: GateResult[];
  electrical: { coilResistanceOhm: number | null; insulationMOhm: number; passed: boolean; limits: { minOhm: number; maxOhm: number; minInsulationMOhm: number } } | null;
  leak: { backLeakMlPerMin: number; limitMlPerMin: number; railBar: number; passed: boolean } | null;
  steps: StepReport[];
  code: string | null;
  codeFormat: string | null;
  /** verified: written and read back identical; no_target: printed on the label only. */
  codeWrite: 'verified' | 'no_target' | null;
  creditsDebited: number;
  startedAt: string;
  endedAt: string;
  logCheckpoint: { seq: number; entryHash: string } | null;
}

export type SessionProgress =
  | { type: 'phase'; sessionId: string; phase: 'preflight' | 'electrical' | 'leak' | 'delivery' | 'coding' | 'writing' | 'done'; stepId?: string }
  | { type: 'gate'; sessionId: string; gate: GateResult }
  | { type: 'live'; sessionId: string; stepId: string | null; phase: string; railBar: number; elapsedMs: number; strokesDone: number }
  | { type: 'step'; sessionId: string; step: StepReport };
