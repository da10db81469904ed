/**
 * The integrity-log entries a coding session writes on the bench (electron/services/session/session-engine.ts)
 * and the central server indexes (server/store/session-indexer.ts). Both sides read these declarations,
 * so a field renamed on the bench is a type error on the server rather than a silently empty index column.
 *
 * Every payload starts with `sessionId`: the server reads it from the front of the JSON without parsing the
 * rest (session-indexer's fast path), so the engine writes it first. Payloads come from benches and are
 * untrusted on the server: the schemas are there for tools and tests that want the whole check; the ingest
 * path reads only the fields it indexes.
 *
 * Runtime-neutral: zod only.
 */
import { z } from 'zod';
import { stepReportSchema } from '../coding-session/step-report';

const benchSchema = z.object({ model: z.string(), benchSerial: z.string(), firmware: z.string() });

export const sessionStartedPayloadSchema = z.object({
  sessionId: z.string(),
  partNumber: z.string(),
  serial: z.string(),
  operatorId: z.string().nullable(),
  bench: benchSchema,
  /** The job and cylinder position the injector is coded for. */
  job: z.object({ jobId: z.string(), position: z.number().int() }).optional(),
  /** The charged session this free retest repeats. */
  retestOf: z.string().optional(),
});

export const sessionPreflightPayloadSchema = z.object({
  sessionId: z.string(),
  gates: z.array(z.object({ id: z.string(), passed: z.boolean(), code: z.string().optional() })),
});

/** A SAFE state left over from before the session, cleared when the bench was prepared. */
export const benchSafeClearedPayloadSchema = z.object({ sessionId: z.string(), reason: z.string() });

export const sessionElectricalPayloadSchema = z.object({
  sessionId: z.string(),
  coilResistanceOhm: z.number().nullable(),
  insulationMOhm: z.number(),
  limits: z.object({ minOhm: z.number(), maxOhm: z.number(), minInsulationMOhm: z.number() }),
  passed: z.boolean(),
});

export const sessionLeakPayloadSchema = z.object({
  sessionId: z.string(),
  backLeakMlPerMin: z.number(),
  railBar: z.number(),
  limitMlPerMin: z.number(),
  passed: z.boolean(),
});

/** The test oil brought into the pack's window before anything was measured. */
export const sessionOilPayloadSchema = z.object({
  sessionId: z.string(),
  oilTempC: z.number(),
  minC: z.number(),
  maxC: z.number(),
  startC: z.number(),
  waitedMs: z.number().int().nonnegative(),
});

// sessionId first: the order the engine writes and the server's fast path reads.
export const sessionStepPayloadSchema = z.object({ sessionId: z.string(), ...stepReportSchema.shape });

/**
 * The settlement trace that ends every session: what was coded, on which pack, and what it cost. A session
 * closed after a crash names its pack by family, version and hash only (what was recorded at preflight).
 */
export const sessionEndedPayloadSchema = z.object({
  sessionId: z.string(),
  verdict: z.enum(['pass', 'fail']).nullable(),
  /** The reason code (ELECTRICAL_FAIL, PREFLIGHT_BLOCKED, INTERRUPTED, …); null for a pass. */
  reason: z.string().nullable(),
  partNumber: z.string(),
  serial: z.string(),
  pack: z
    .object({ family: z.string(), version: z.string(), sha256: z.string(), resolvedBy: z.string().optional(), synthetic: z.boolean().optional() })
    .nullable(),
  code: z.string().nullable(),
  codeWrite: z.enum(['verified', 'no_target']).nullable(),
  creditsDebited: z.number().int().nonnegative(),
  /** A free retest names the charged session it repeats, so 0 credits for a code is explained. */
  retestOf: z.string().optional(),
});

/** The session completed but the pack's last-known-good pointer could not move to its pack. */
export const packsLkgNotUpdatedPayloadSchema = z.object({ sessionId: z.string(), family: z.string(), code: z.string() });

export const sessionEndedEntryTypes = ['session.completed', 'session.aborted', 'session.refused'] as const;
export type SessionEndedEntryType = (typeof sessionEndedEntryTypes)[number];

export const sessionLogEntrySchemas = {
  'session.started': sessionStartedPayloadSchema,
  'session.preflight': sessionPreflightPayloadSchema,
  'bench.safe_cleared': benchSafeClearedPayloadSchema,
  'session.electrical': sessionElectricalPayloadSchema,
  'session.leak': sessionLeakPayloadSchema,
  'session.oil': sessionOilPayloadSchema,
  'session.step': sessionStepPayloadSchema,
  'session.completed': sessionEndedPayloadSchema,
  'session.aborted': sessionEndedPayloadSchema,
  'session.refused': sessionEndedPayloadSchema,
  'packs.lkg_not_updated': packsLkgNotUpdatedPayloadSchema,
} as const;

export type SessionLogEntryType = keyof typeof sessionLogEntrySchemas;
export type SessionLogEntryPayload<T extends SessionLogEntryType> = z.infer<(typeof sessionLogEntrySchemas)[T]>;

export type SessionStartedPayload = SessionLogEntryPayload<'session.started'>;
export type SessionEndedPayload = SessionLogEntryPayload<SessionEndedEntryType>;
