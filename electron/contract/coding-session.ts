/**
 * The coding session as the contract carries it: the report of one session and the progress events
 * the UI follows live. The session engine (electron/services/session) produces exactly these types.
 */
import { z } from 'zod';
import { stepReportSchema } from '../../common/coding-session/step-report';

export const gateIds = ['pack', 'channel', 'hardware', 'calibration', 'oil', 'credits'] as const;

/** BenchErrorParams (envelope.ts) as a schema: the specifics a reason's catalog sentence fills in. */
export const errorParamsSchema = z.record(z.string(), z.union([z.string(), z.number().finite(), z.object({ instant: z.string() }).strict(), z.object({ day: z.string() }).strict()]));

export const gateResultSchema = z.object({
  id: z.enum(gateIds),
  label: z.string(),
  passed: z.boolean(),
  /** Pass: what was checked. Block: why, in words for the technician. */
  detail: z.string(),
  /** When blocked: what to do next. */
  action: z.string().optional(),
  code: z.string().optional(),
  params: errorParamsSchema.optional(),
});
export type GateResult = z.infer<typeof gateResultSchema>;
export type GateId = GateResult['id'];

export { stepReportSchema, stepVerdicts, type StepReport, type StepVerdict } from '../../common/coding-session/step-report';

export const sessionReportSchema = z.object({
  sessionId: z.string(),
  status: z.enum(['completed', 'aborted', 'refused']),
  /** For completed sessions: pass (code issued) or fail (injector rejected). */
  verdict: z.enum(['pass', 'fail']).nullable(),
  reason: z.object({ code: z.string(), message: z.string(), params: errorParamsSchema.optional() }).nullable(),
  partNumber: z.string(),
  serial: z.string(),
  operatorId: z.string().nullable(),
  bench: z.object({ model: z.string(), benchSerial: z.string(), firmware: z.string() }),
  pack: z.object({ family: z.string(), version: z.string(), sha256: z.string(), resolvedBy: z.string(), synthetic: z.boolean() }).nullable(),
  gates: z.array(gateResultSchema),
  electrical: z
    .object({
      coilResistanceOhm: z.number().nullable(),
      insulationMOhm: z.number(),
      passed: z.boolean(),
      limits: z.object({ minOhm: z.number(), maxOhm: z.number(), minInsulationMOhm: z.number() }),
    })
    .nullable(),
  leak: z.object({ backLeakMlPerMin: z.number(), limitMlPerMin: z.number(), railBar: z.number(), passed: z.boolean() }).nullable(),
  /** The test oil when measuring began, and how long the bench waited for the pack's window (absent in older reports). */
  oil: z.object({ startC: z.number(), oilTempC: z.number(), minC: z.number(), maxC: z.number(), waitedMs: z.number() }).nullable().optional(),
  steps: z.array(stepReportSchema),
  code: z.string().nullable(),
  codeFormat: z.string().nullable(),
  /** verified: written and read back identical; no_target: printed on the label only. */
  codeWrite: z.enum(['verified', 'no_target']).nullable(),
  creditsDebited: z.number().int().nonnegative(),
  startedAt: z.string(),
  endedAt: z.string(),
  logCheckpoint: z.object({ seq: z.number().int(), entryHash: z.string() }).nullable(),
  /** The job and cylinder position the injector was coded for (absent in reports from before jobs). */
  job: z.object({ jobId: z.string(), position: z.number().int() }).nullable().optional(),
  /** The charged session this one retested for free, within the pack's retest window. */
  retestOf: z.string().nullable().optional(),
  /** What the pack says beyond the test plan: set matching limit, free retest window, label QR content. */
  packRules: z
    .object({ maxCorrectionSpread: z.number().nullable(), retestWindowMin: z.number().int(), labelQr: z.enum(['code', 'code-part-serial']) })
    .nullable()
    .optional(),
});
export type SessionReport = z.infer<typeof sessionReportSchema>;

export const sessionPhases = ['preflight', 'electrical', 'leak', 'delivery', 'coding', 'writing', 'done'] as const;

/**
 * What the run screen draws before the first value arrives: each test point's tolerance band and the window
 * a correction code can cover (null for a point the code does not correct), and the test-oil window.
 */
export const runPlanStepSchema = z.object({
  id: z.string(),
  label: z.string(),
  railBar: z.number(),
  energizingUs: z.number(),
  strokes: z.number().int(),
  nominalMm3: z.number(),
  toleranceMm3: z.number(),
  codable: z.object({ minMm3: z.number(), maxMm3: z.number() }).nullable(),
});
export type RunPlanStep = z.infer<typeof runPlanStepSchema>;

export const sessionProgressSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('phase'), sessionId: z.string(), phase: z.enum(sessionPhases), stepId: z.string().optional() }),
  z.object({ type: z.literal('gate'), sessionId: z.string(), gate: gateResultSchema }),
  z.object({
    type: z.literal('live'),
    sessionId: z.string(),
    stepId: z.string().nullable(),
    phase: z.string(),
    railBar: z.number(),
    elapsedMs: z.number(),
    strokesDone: z.number(),
    deliveryMm3PerStroke: z.number().optional(),
    backLeakMlPerMin: z.number().optional(),
    oilTempC: z.number().optional(),
  }),
  z.object({ type: z.literal('step'), sessionId: z.string(), step: stepReportSchema }),
  z.object({ type: z.literal('plan'), sessionId: z.string(), steps: z.array(runPlanStepSchema), oil: z.object({ minC: z.number(), maxC: z.number() }) }),
]);
export type SessionProgress = z.infer<typeof sessionProgressSchema>;

/** What the UI receives: progress in batches (at most 20 a second), then the final report. */
export const codingSessionEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), sessionId: z.string(), events: z.array(sessionProgressSchema) }),
  z.object({ type: z.literal('finished'), report: sessionReportSchema }),
]);
export type CodingSessionEvent = z.infer<typeof codingSessionEventSchema>;

export const sessionSummarySchema = z.object({
  sessionId: z.string(),
  partNumber: z.string(),
  serial: z.string(),
  status: z.enum(['running', 'completed', 'aborted', 'refused']),
  verdict: z.enum(['pass', 'fail']).nullable(),
  code: z.string().nullable(),
  family: z.string().nullable(),
  packVersion: z.string().nullable(),
  creditsDebited: z.number().int(),
  reasonCode: z.string().nullable(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  operatorName: z.string().nullable().optional(),
  jobId: z.string().nullable().optional(),
  position: z.number().int().nullable().optional(),
  customer: z.string().nullable().optional(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;
