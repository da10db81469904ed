/**
 * Message layer of the bench protocol: command and event codes, typed NAK codes, and the zod schema of
 * every payload. Payloads are UTF-8 JSON inside the binary frame (docs/bench-protocol.md explains why).
 */
import { z } from 'zod';

/**
 * Every host and device understands version 1 frames: IDENT and the NAKs that refuse a version travel in
 * them. Version 2 adds test-oil temperature (STATUS, LIVE, RUN_STEP, CONDITION_OIL) and live delivery and
 * back-leak during a step; a version-1 device is still driven, without them.
 */
export const BASE_PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS = [1, 2] as const;
export type ProtocolVersion = (typeof SUPPORTED_VERSIONS)[number];

/** The highest version both sides list, or null: what IDENT settles for the rest of the link. */
export function negotiateVersion(offered: readonly number[], supported: readonly number[]): number | null {
  const common = offered.filter((version) => supported.includes(version));
  return common.length === 0 ? null : Math.max(...common);
}

export const Command = {
  IDENT: 0x01,
  STATUS: 0x02,
  HEARTBEAT: 0x03,
  SET_RAIL_PRESSURE: 0x10,
  SET_DRIVE: 0x11,
  RUN_STEP: 0x12,
  ABORT: 0x13,
  SELECT_INJECTOR: 0x14,
  ELECTRICAL_TEST: 0x20,
  LEAK_TEST: 0x21,
  CAL_CHECK: 0x22,
  CONDITION_OIL: 0x23,
  WRITE_CODE: 0x30,
  READ_CODE: 0x31,
  SAFE: 0x3f,
} as const;
export type CommandName = keyof typeof Command;

export const EventCode = {
  /** Live values of the request named by the frame's sequence number. */
  LIVE: 0x80,
  /** Unsolicited state change, e.g. SAFE after heartbeat loss. */
  STATE: 0x81,
} as const;
export type EventName = keyof typeof EventCode;

/** Commands a version-1 link does not know: the device answers UNKNOWN_COMMAND, the host never sends them. */
const commandSince: Partial<Record<CommandName, ProtocolVersion>> = { CONDITION_OIL: 2 };
export function commandAvailable(command: CommandName, version: number): boolean {
  return version >= (commandSince[command] ?? BASE_PROTOCOL_VERSION);
}

const commandNames = new Map<number, CommandName>(Object.entries(Command).map(([name, code]) => [code, name as CommandName]));
export function commandName(code: number): CommandName | undefined {
  return commandNames.get(code);
}

export const nakCodes = [
  'BAD_CRC',
  'BAD_PAYLOAD',
  'UNKNOWN_COMMAND',
  'UNSUPPORTED_VERSION',
  'BAD_STATE',
  'BUSY',
  'OUT_OF_RANGE',
  'INTERLOCK',
  'HARDWARE_FAULT',
  'ABORTED',
] as const;
export type NakCode = (typeof nakCodes)[number];
/** A retry of the same sequence may succeed: the device did not act on the request. */
export const retryableNakCodes: ReadonlySet<NakCode> = new Set(['BAD_CRC', 'BUSY']);

export const nakSchema = z.object({
  code: z.enum(nakCodes),
  message: z.string().max(200),
  supportedVersions: z.array(z.number().int().min(0).max(255)).max(16).optional(),
});
export type NakPayload = z.infer<typeof nakSchema>;

export const benchStates = ['idle', 'pressurizing', 'ready', 'running', 'safe'] as const;
export type BenchState = (typeof benchStates)[number];

const empty = z.object({}).strict();
const injectorSerial = z.string().regex(/^[A-Za-z0-9-]{1,32}$/);
/** Printable ASCII, the alphabet of every maker's printed code. */
export const injectorCodeSchema = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'expected 1-64 printable ASCII characters');

export const driveSchema = z.object({
  energizingTimeUs: z.number().int().min(0).max(5000),
  frequencyHz: z.number().min(1).max(100),
});
export type Drive = z.infer<typeof driveSchema>;

export const requestSchemas = {
  IDENT: z.object({ versions: z.array(z.number().int().min(0).max(255)).min(1).max(16) }).strict(),
  STATUS: empty,
  HEARTBEAT: empty,
  SET_RAIL_PRESSURE: z.object({ bar: z.number().min(0).max(2500) }).strict(),
  SET_DRIVE: driveSchema.strict(),
  RUN_STEP: z.object({ strokes: z.number().int().min(1).max(10_000), settleMs: z.number().int().min(0).max(60_000) }).strict(),
  ABORT: empty,
  SELECT_INJECTOR: z.object({ partNumber: z.string().regex(/^[A-Za-z0-9-]{3,40}$/), serial: injectorSerial }).strict(),
  ELECTRICAL_TEST: empty,
  LEAK_TEST: z.object({ bar: z.number().min(0).max(2500), durationMs: z.number().int().min(100).max(120_000) }).strict(),
  CAL_CHECK: empty,
  CONDITION_OIL: z
    .object({ minC: z.number().min(0).max(150), maxC: z.number().min(0).max(150), timeoutMs: z.number().int().min(1000).max(1_800_000) })
    .strict()
    .refine((window) => window.minC < window.maxC, 'minC must be below maxC'),
  WRITE_CODE: z.object({ code: injectorCodeSchema }).strict(),
  READ_CODE: empty,
  SAFE: z.object({ clear: z.boolean().optional() }).strict(),
} satisfies Record<CommandName, z.ZodType>;

export const identSchema = z.object({
  protocolVersion: z.number().int(),
  model: z.string().max(64),
  benchSerial: z.string().max(64),
  firmware: z.string().max(32),
  /** Fixed at the device; the host sends heartbeats well inside it. */
  watchdogMs: z.number().int().positive(),
  injector: z
    .object({ serial: injectorSerial, family: z.string().max(64), kind: z.enum(['solenoid', 'piezo']) })
    .nullable(),
});
export type Ident = z.infer<typeof identSchema>;

export const statusSchema = z.object({
  state: z.enum(benchStates),
  safeReason: z.string().max(200).nullable(),
  railBar: z.number(),
  railTargetBar: z.number(),
  drive: driveSchema.nullable(),
  uptimeMs: z.number().int().nonnegative(),
  /** Version 2: test-oil temperature at the injector inlet. */
  oilTempC: z.number().optional(),
});
export type BenchStatusReply = z.infer<typeof statusSchema>;

export const stepResultSchema = z.object({
  railBar: z.number(),
  energizingTimeUs: z.number(),
  frequencyHz: z.number(),
  strokes: z.number().int(),
  deliveryMm3PerStroke: z.number(),
  backLeakMlPerMin: z.number(),
  /** Measurement time as the bench modeled it, at its speed factor. */
  durationMs: z.number().int().nonnegative(),
  /** Version 2: test-oil temperature over the step. */
  oilTempC: z.number().optional(),
});
export type StepResult = z.infer<typeof stepResultSchema>;

export const responseSchemas = {
  IDENT: identSchema,
  STATUS: statusSchema,
  HEARTBEAT: z.object({ uptimeMs: z.number().int().nonnegative() }),
  SET_RAIL_PRESSURE: z.object({ railBar: z.number(), durationMs: z.number().int().nonnegative() }),
  SET_DRIVE: driveSchema,
  RUN_STEP: stepResultSchema,
  ABORT: z.object({ aborted: z.boolean() }),
  SELECT_INJECTOR: z.object({ family: z.string().max(80), kind: z.enum(['solenoid', 'piezo']) }),
  ELECTRICAL_TEST: z.object({
    /** null: open circuit. */
    coilResistanceOhm: z.number().nullable(),
    insulationMOhm: z.number(),
    inductanceUH: z.number().nullable(),
    durationMs: z.number().int().nonnegative(),
  }),
  LEAK_TEST: z.object({ railBar: z.number(), backLeakMlPerMin: z.number(), durationMs: z.number().int().nonnegative() }),
  CAL_CHECK: z.object({ lastCheck: z.iso.date(), due: z.iso.date(), overdue: z.boolean(), referenceDeviationPct: z.number(), durationMs: z.number().int().nonnegative() }),
  CONDITION_OIL: z.object({ oilTempC: z.number(), durationMs: z.number().int().nonnegative() }),
  WRITE_CODE: z.object({ written: z.number().int().nonnegative(), durationMs: z.number().int().nonnegative() }),
  READ_CODE: z.object({ code: injectorCodeSchema.nullable() }),
  SAFE: z.object({ state: z.enum(benchStates), safeReason: z.string().max(200).nullable() }),
} satisfies Record<CommandName, z.ZodType>;

export type RequestOf<C extends CommandName> = z.infer<(typeof requestSchemas)[C]>;
export type ResponseOf<C extends CommandName> = z.infer<(typeof responseSchemas)[C]>;

export const livePhases = ['pressurizing', 'settling', 'injecting', 'leak', 'conditioning'] as const;
export const liveSchema = z.object({
  phase: z.enum(livePhases),
  railBar: z.number(),
  elapsedMs: z.number().int().nonnegative(),
  strokesDone: z.number().int().nonnegative(),
  /** Version 2: the delivery averaged over the strokes so far (injecting only). */
  deliveryMm3PerStroke: z.number().optional(),
  /** Version 2: back-leak now (injecting and leak). */
  backLeakMlPerMin: z.number().optional(),
  /** Version 2: test-oil temperature now. */
  oilTempC: z.number().optional(),
});
export type LiveValues = z.infer<typeof liveSchema>;

export const stateEventSchema = z.object({ state: z.enum(benchStates), safeReason: z.string().max(200).nullable() });
export type StateEvent = z.infer<typeof stateEventSchema>;

/** Host → device event: feeds the watchdog without occupying the one request slot. */
export const heartbeatEventSchema = empty;

export function encodePayload(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export type PayloadResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** Never throws: malformed UTF-8, JSON or shape all come back as { ok: false }. */
export function decodePayload<T>(schema: z.ZodType<T>, bytes: Uint8Array): PayloadResult<T> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    return { ok: false, message: `payload is not UTF-8 JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, message: z.prettifyError(parsed.error).replaceAll('\n', ' ') };
  return { ok: true, value: parsed.data };
}
