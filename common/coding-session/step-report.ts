/**
 * One measured delivery step of a coding session: what the technician sees in the report and the chart
 * (through electron/contract) and what the bench writes to its integrity log (common/central-api's
 * session.step entry). Runtime-neutral: zod only, so the contract may carry it to the renderer's types.
 */
import { z } from 'zod';

export const stepVerdicts = ['in_tolerance', 'corrected', 'not_codable'] as const;
export type StepVerdict = (typeof stepVerdicts)[number];

export const stepReportSchema = z.object({
  id: z.string(),
  label: z.string(),
  railBar: z.number(),
  energizingUs: z.number(),
  nominalMm3: z.number(),
  measuredMm3: z.number(),
  /** Half-width of the tolerance band in mm³ around the nominal delivery. */
  toleranceMm3: z.number(),
  deviationPct: z.number(),
  backLeakMlPerMin: z.number(),
  verdict: z.enum(stepVerdicts),
  correctionSteps: z.number().int().nullable(),
  /** Test-oil temperature over the step, from benches that report it. */
  oilTempC: z.number().optional(),
});
export type StepReport = z.infer<typeof stepReportSchema>;
