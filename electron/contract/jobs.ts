/**
 * Jobs and engine sets: a workshop job (customer, vehicle, VIN, order number, notes) holds the injectors
 * coded for it, one per cylinder position of a 4-, 6- or 8-cylinder engine. The set view shows each
 * position's latest session and how far the set's corrections spread against the pack's matching limit.
 */
import { z } from 'zod';
import { sessionSummarySchema } from './coding-session';

export const jobIdSchema = z.string().regex(/^job-[0-9]{8}-[0-9a-f]{8}$/, 'expected a job id');
export const cylinderCounts = [4, 6, 8] as const;

const text = (max: number) => z.string().trim().max(max);
/** A VIN is 17 characters without I, O or Q (ISO 3779); older vehicles have shorter chassis numbers. */
const vinSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^$|^[A-HJ-NPR-Z0-9]{6,17}$/, 'a VIN is 6 to 17 letters and digits, without I, O or Q');

/** The facts of a job a technician types, and may correct later: validated the same way on create and on edit. */
const jobDetailFields = {
  customer: text(120).min(1, 'name the customer'),
  vehicle: text(120),
  vin: vinSchema,
  orderNumber: text(40),
  notes: text(2000),
};

export const jobInputSchema = z
  .object({
    customer: jobDetailFields.customer,
    vehicle: jobDetailFields.vehicle.default(''),
    vin: jobDetailFields.vin.default(''),
    orderNumber: jobDetailFields.orderNumber.default(''),
    notes: jobDetailFields.notes.default(''),
    cylinders: z.union([z.literal(4), z.literal(6), z.literal(8)]),
    partNumber: z.string().trim().regex(/^[A-Za-z0-9-]{3,40}$/, 'a part number is 3-40 letters, digits or dashes'),
  })
  .strict();
export type JobInput = z.input<typeof jobInputSchema>;

/**
 * An edit of an open job: the fields given replace the stored ones. Cylinders and part number stay as
 * opened, since the sessions already coded for the job were checked against them.
 */
export const jobEditSchema = z
  .object({
    jobId: jobIdSchema,
    customer: jobDetailFields.customer.optional(),
    vehicle: jobDetailFields.vehicle.optional(),
    vin: jobDetailFields.vin.optional(),
    orderNumber: jobDetailFields.orderNumber.optional(),
    notes: jobDetailFields.notes.optional(),
  })
  .strict()
  .refine((edit) => Object.keys(edit).length > 1, 'name at least one field to change');
export type JobEdit = z.output<typeof jobEditSchema>;
export const jobEditableFields = ['customer', 'vehicle', 'vin', 'orderNumber', 'notes'] as const;

/** Open jobs take injectors; a closed one is finished work and takes none until an admin reopens it. */
export const jobStates = ['open', 'closed'] as const;
export type JobState = (typeof jobStates)[number];

export const jobSchema = z.object({
  jobId: z.string(),
  customer: z.string(),
  vehicle: z.string(),
  vin: z.string(),
  orderNumber: z.string(),
  notes: z.string(),
  cylinders: z.number().int(),
  partNumber: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  state: z.enum(jobStates),
  /** When and by whom the job was closed; null while it is open. */
  closedAt: z.string().nullable(),
  closedBy: z.string().nullable(),
  /** The last edit of the job's facts, if any. */
  updatedAt: z.string().nullable(),
});
export type Job = z.infer<typeof jobSchema>;

export const jobSummarySchema = jobSchema.extend({ coded: z.number().int(), setVerdict: z.string() });
export type JobSummary = z.infer<typeof jobSummarySchema>;

export const positionSessionSchema = sessionSummarySchema.extend({ retestOf: z.string().nullable(), operatorName: z.string().nullable() });

export const jobPositionSchema = z.object({
  position: z.number().int().positive(),
  /** The session that counts for the position: its latest ended one. */
  latest: positionSessionSchema.nullable(),
  attempts: z.number().int().nonnegative(),
  /** Until when a retest of the injector in this position is free (the pack's window after its charged code). */
  freeRetestUntil: z.string().nullable(),
});
export type JobPosition = z.infer<typeof jobPositionSchema>;

export const setVerdicts = ['incomplete', 'matched', 'not_matched', 'no_limit'] as const;
export type SetVerdict = (typeof setVerdicts)[number];

export const setMatchSchema = z.object({
  verdict: z.enum(setVerdicts),
  /** Positions whose latest session passed and issued a code. */
  coded: z.number().int(),
  /** Positions whose latest session rejected the injector. */
  rejected: z.number().int(),
  /** Largest spread of one test point's correction across the coded injectors, in the code's steps. */
  spread: z.number().nullable(),
  /** The pack's matching limit on that spread (the strictest of the packs in the set). */
  limit: z.number().nullable(),
  steps: z.array(z.object({ stepId: z.string(), label: z.string(), min: z.number(), max: z.number(), spread: z.number() })),
});
export type SetMatch = z.infer<typeof setMatchSchema>;

export const jobViewSchema = z.object({ job: jobSchema, positions: z.array(jobPositionSchema), set: setMatchSchema });
export type JobView = z.infer<typeof jobViewSchema>;
