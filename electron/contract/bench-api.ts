/**
 * The BenchApi: every method the renderer may call and every event it may receive, with schemas.
 * One definition serves Electron IPC (preload + ipcMain) and workspace mode (HTTP + WebSocket).
 */
import { z } from 'zod';
import type { BenchEventName, BenchMethodName } from './channels';
import type { Result } from './envelope';
import { roles, type Role } from './roles';
import { codingSessionEventSchema, sessionReportSchema, sessionSummarySchema } from './coding-session';
import {
  creditsLedgerSchema,
  documentFileSchema,
  documentKinds,
  enrolmentSchema,
  grantImportSchema,
  labelSchema,
  sessionIdSchema,
  supportBundleFileSchema,
} from './documents';
import { jobEditSchema, jobIdSchema, jobInputSchema, jobStates, jobSummarySchema, jobViewSchema } from './jobs';
import { documentPrinterSchema, labelPrinterSchema, printOutcomeSchema, printRequestSchema } from './printing';
import { isKnownTimeZone } from './bench-time';

const partState = z.enum(['ok', 'not_configured', 'error']);

export const partStatusSchema = z.object({
  id: z.enum(['store', 'benchLink', 'packs', 'sync']),
  label: z.string(),
  state: partState,
  /** One line: what the part is doing, or what is missing and what to do. */
  detail: z.string(),
  facts: z.array(z.object({ label: z.string(), value: z.string() })),
});
export type PartStatus = z.infer<typeof partStatusSchema>;

export const benchLinkStatusSchema = z.enum(['disconnected', 'connecting', 'connected', 'reconnecting', 'error']);

/**
 * What a technician needs from the status, as facts the Status page words in the UI's language: is the
 * bench there and calibrated, which packs code, can the server be reached. The parts carry the rest for support.
 */
export const statusOverviewSchema = z.object({
  bench: z.object({
    status: benchLinkStatusSchema,
    model: z.string().nullable(),
    benchSerial: z.string().nullable(),
    /** YYYY-MM-DD, as the bench reports it. */
    calibrationDue: z.string().nullable(),
  }),
  packs: z.object({ state: partState, active: z.array(z.object({ family: z.string(), version: z.string() })) }),
  server: z.object({
    enrolled: z.boolean(),
    lastSuccessAt: z.string().nullable(),
    unsentEntries: z.number().int().nonnegative(),
    /** The last attempt to send failed (the outbox retries). */
    failing: z.boolean(),
    /** The server refused the log and retrying cannot help. */
    blocked: z.boolean(),
  }),
});
export type StatusOverview = z.infer<typeof statusOverviewSchema>;

export const statusSchema = z.object({
  app: z.object({
    name: z.string(),
    version: z.string(),
    mode: z.enum(['electron', 'workspace']),
    startedAt: z.string(),
    uptimeSeconds: z.number().int().nonnegative(),
    launchCount: z.number().int().nonnegative(),
  }),
  overview: statusOverviewSchema,
  parts: z.array(partStatusSchema),
  /** The bench's time zone (Settings), public so the sign-in screen shows a lock-out's end in it before anyone signs in. */
  timeZone: z.string(),
  generatedAt: z.string(),
});
export type BenchStatus = z.infer<typeof statusSchema>;

export const settingsSchema = z.object({
  /** Serial port path or tcp://host:port of a serial device server; null until configured. */
  benchPort: z.string().nullable(),
  /** Central server base URL; null while the bench runs offline. */
  serverUrl: z.string().nullable(),
  language: z.enum(['en', 'de', 'fr']),
  /** The release channel this bench follows when no signed directive says otherwise. */
  releaseChannel: z.enum(['canary', 'staged', 'stable', 'lts']),
  /** The bench header of job reports: the workshop's name and address. */
  workshopName: z.string(),
  workshopAddress: z.string(),
  /** The IANA time zone times are shown and printed in (Europe/Berlin); the machine's until set. */
  timeZone: z.string(),
  labelPrinter: labelPrinterSchema,
  documentPrinter: documentPrinterSchema,
});
export type BenchSettings = z.infer<typeof settingsSchema>;

const benchPortSchema = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .refine((value) => /^(tcp:\/\/[A-Za-z0-9.-]+:\d{1,5}|\/dev\/[A-Za-z0-9_./-]+|COM\d{1,3})$/.test(value), {
    message: 'expected a serial port path (/dev/ttyUSB0, COM3) or tcp://host:port',
  });

const serverUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => /^https?:\/\/[^\s]+$/.test(value), { message: 'expected an http:// or https:// URL' });

const noInput = z.union([z.undefined(), z.object({}).strict()]);

export const roleSchema = z.enum(roles);
export type { Role };

/** Who may call a method: anyone (before sign-in), any signed-in operator, or the listed roles. */
export type MethodAccess = 'public' | 'signedIn' | readonly Role[];

const operatorIdSchema = z.string().regex(/^op-[0-9a-f]{16}$/, 'expected an operator id');
const operatorNameSchema = z
  .string()
  .trim()
  .min(2, 'a name needs at least 2 characters')
  .max(40)
  .regex(/^[\p{L}\p{N} .'-]+$/u, 'letters, digits, spaces and . \' - only');
/** Digits only, so a PIN pad works with gloves; 4 to 12 long. */
export const pinSchema = z.string().regex(/^\d{4,12}$/, 'a PIN is 4 to 12 digits');

export const operatorSummarySchema = z.object({ id: operatorIdSchema, name: z.string(), role: roleSchema });
export type OperatorSummary = z.infer<typeof operatorSummarySchema>;

export const operatorDetailSchema = operatorSummarySchema.extend({
  disabled: z.boolean(),
  lockedUntil: z.string().nullable(),
  createdAt: z.string(),
});
export type OperatorDetail = z.infer<typeof operatorDetailSchema>;

export const sessionSchema = z.object({
  operator: operatorSummarySchema.nullable(),
  /** True until the first admin exists: the only thing the app offers then is creating one. */
  setupRequired: z.boolean(),
  idleTimeoutSeconds: z.number().int().positive(),
});
export type BenchSession = z.infer<typeof sessionSchema>;

export const evidenceEntrySchema = z.object({
  seq: z.number().int().positive(),
  recordedAt: z.string(),
  type: z.string(),
  payload: z.record(z.string(), z.unknown()),
  entryHash: z.string(),
});
export type EvidenceEntry = z.infer<typeof evidenceEntrySchema>;

export const evidencePageSchema = z.object({
  entries: z.array(evidenceEntrySchema),
  /** Entries up to this sequence number are sealed by a checkpoint signed with the bench key. */
  sealedThrough: z.number().int().nonnegative(),
  hasMore: z.boolean(),
});
export type EvidencePage = z.infer<typeof evidencePageSchema>;

export const logVerdictSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), entries: z.number().int(), headHash: z.string(), sealedThrough: z.number().int(), unsealedEntries: z.number().int() }),
  z.object({ ok: z.literal(false), code: z.string(), seq: z.number().int(), reason: z.string() }),
]);
export type LogVerdictView = z.infer<typeof logVerdictSchema>;

const isoTime = z.iso.datetime({ offset: true });

export const benchLinkStateSchema = z.object({
  status: benchLinkStatusSchema,
  target: z.string().nullable(),
  model: z.string().nullable(),
  benchSerial: z.string().nullable(),
  firmware: z.string().nullable(),
  benchState: z.string().nullable(),
  safeReason: z.string().nullable(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  calibrationDue: z.string().nullable(),
});
export type BenchLinkStateView = z.infer<typeof benchLinkStateSchema>;

export const activePackSchema = z.object({
  family: z.string(),
  version: z.string(),
  sha256: z.string(),
  releaseCounter: z.number().int(),
  lastKnownGood: z.object({ version: z.string(), sha256: z.string() }).nullable(),
});
export type ActivePack = z.infer<typeof activePackSchema>;

/** A part number the bench can code now: listed by an active pack, with the pack that codes it. */
export const knownPartSchema = z.object({ partNumber: z.string(), family: z.string(), version: z.string() });
export type KnownPart = z.infer<typeof knownPartSchema>;



/** Local pins are time-bounded: an end time is required and may be at most this far ahead. */
export const MAX_PIN_DAYS = 90;

const releaseChannelSchema = z.enum(['canary', 'staged', 'stable', 'lts']);
const familyIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a family id (a-z, 0-9, -)');
const releaseVersionNameSchema = z.string().regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/, 'expected a version like 1.2.3');
/** Why an admin changes the release of a bench, and the ticket that tracks it: both required, both recorded. */
const changeReasonSchema = z.string().trim().min(3, 'give a reason of at least 3 characters').max(500);
const ticketSchema = z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9._#/-]{1,63}$/, 'a ticket id like OPS-42');

export const releasePinSchema = z.object({
  kind: z.enum(['channel', 'version', 'rollback']),
  channel: releaseChannelSchema.nullable(),
  version: z.string().nullable(),
  actor: z.string(),
  reason: z.string(),
  ticket: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  /** The end time has passed; the next check removes the pin and records the expiry. */
  expired: z.boolean(),
});
export type ReleasePin = z.infer<typeof releasePinSchema>;

export const releaseVersionSchema = z.object({
  version: z.string(),
  releaseCounter: z.number().int(),
  sha256: z.string(),
  channels: z.array(releaseChannelSchema),
  revoked: z.boolean(),
  belowFloor: z.boolean(),
  publishedAt: z.string().nullable(),
  notes: z.string().nullable(),
});
export type ReleaseVersion = z.infer<typeof releaseVersionSchema>;

export const familyReleaseSchema = z.object({
  family: z.string(),
  /** The channel this family follows now (from the pin, the directive or the bench setting). */
  channel: releaseChannelSchema.nullable(),
  /** What decides the target: a directive pin, a local pin, a directive channel or the bench's channel (English, for the CLI and logs). */
  decidedBy: z.string(),
  /** The same decision as facts, for the screen to word in its language (a local pin's end is in `pin`, shown in the bench's zone). */
  decision: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('directivePin'), seq: z.number().int(), version: z.string() }),
    z.object({ kind: z.literal('localPin') }),
    z.object({ kind: z.literal('directiveChannel'), seq: z.number().int(), channel: releaseChannelSchema }),
    z.object({ kind: z.literal('benchChannel'), channel: releaseChannelSchema }),
  ]),
  pin: releasePinSchema.nullable(),
  active: z.object({ version: z.string(), sha256: z.string(), releaseCounter: z.number().int() }).nullable(),
  lastKnownGood: z.object({ version: z.string(), sha256: z.string(), releaseCounter: z.number().int() }).nullable(),
  securityFloor: z.number().int().nullable(),
  /** When the trusted index of this family expires; after it the bench refuses to code until refreshed. */
  indexExpires: z.string().nullable(),
  freshness: z.enum(['fresh', 'expiring', 'expired', 'unknown']),
  /** Versions the trusted index lists (empty for technicians). */
  available: z.array(releaseVersionSchema),
});
export type FamilyRelease = z.infer<typeof familyReleaseSchema>;

export const releaseSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('server') }).strict(),
  z.object({ kind: z.literal('directory'), path: z.string().trim().min(1).max(1024) }).strict(),
  z.object({ kind: z.literal('bundle'), path: z.string().trim().min(1).max(1024) }).strict(),
]);
export type ReleaseSourceInput = z.infer<typeof releaseSourceSchema>;

export const refreshOutcomeSchema = z.object({
  family: z.string(),
  outcome: z.enum(['activated', 'unchanged', 'refused', 'deferred']),
  version: z.string().nullable(),
  code: z.string().nullable(),
  message: z.string().nullable(),
});

export const refreshResultSchema = z.object({
  deferred: z.boolean(),
  at: z.string(),
  source: z.string().nullable(),
  families: z.array(refreshOutcomeSchema),
});
export type RefreshResult = z.infer<typeof refreshResultSchema>;

export const releasesSchema = z.object({
  families: z.array(familyReleaseSchema),
  source: z.object({ kind: z.enum(['server', 'directory', 'bundle']), location: z.string() }).nullable(),
  lastRefreshAt: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastRefresh: refreshResultSchema.nullable(),
  /** A refresh asked for while a coding session ran; it runs as soon as the session ends. */
  refreshPendingSince: z.string().nullable(),
  maxPinDays: z.number().int(),
});
export type ReleasesView = z.infer<typeof releasesSchema>;

const releaseChangeInput = { family: familyIdSchema, reason: changeReasonSchema, ticket: ticketSchema };

const partNumberSchema = z.string().trim().regex(/^[A-Za-z0-9-]{3,40}$/, 'a part number is 3-40 letters, digits or dashes');
const injectorSerialSchema = z.string().trim().regex(/^[A-Za-z0-9-]{1,32}$/, 'an injector serial is 1-32 letters, digits or dashes');

export const manualTestInputSchema = z
  .object({
    partNumber: partNumberSchema,
    serial: injectorSerialSchema,
    railBar: z.number().min(0).max(2500),
    energizingUs: z.number().int().min(0).max(5000),
    frequencyHz: z.number().min(1).max(100),
    strokes: z.number().int().min(10).max(2000).default(200),
  })
  .strict();
export type ManualTestInput = z.infer<typeof manualTestInputSchema>;

export const manualTestResultSchema = z.object({
  partNumber: z.string(),
  serial: z.string(),
  family: z.string(),
  packVersion: z.string(),
  railBar: z.number(),
  energizingUs: z.number(),
  frequencyHz: z.number(),
  strokes: z.number().int(),
  deliveryMm3PerStroke: z.number(),
  backLeakMlPerMin: z.number(),
  oilTempC: z.number().nullable(),
  limits: z.object({ maxRailBar: z.number(), maxEnergizingUs: z.number(), maxFrequencyHz: z.number() }),
});
export type ManualTestResult = z.infer<typeof manualTestResultSchema>;

/** The admin's hold of the app at its installed version (electron/services/app-update/bench-ports.ts). */
export const appUpdateHoldSchema = z.object({
  actor: z.string(),
  reason: z.string(),
  ticket: z.string(),
  since: z.string(),
  until: z.string(),
});
export const appUpdateHoldViewSchema = z.object({
  /** The hold set in the app, if any: the one an admin can lift here. */
  hold: appUpdateHoldSchema.nullable(),
  /** A hold from the server's signed directive (app_update.hold_until): shown, lifted only by a new directive. */
  directiveHold: appUpdateHoldSchema.nullable(),
  maxHoldDays: z.number().int(),
});
export type AppUpdateHoldView = z.infer<typeof appUpdateHoldViewSchema>;

export const benchApiSchema = {
  getStatus: { access: 'public', input: noInput, output: statusSchema },
  getSettings: { access: 'signedIn', input: noInput, output: settingsSchema },
  updateSettings: {
    access: ['admin'],
    input: z
      .object({
        benchPort: benchPortSchema.nullable().optional(),
        serverUrl: serverUrlSchema.nullable().optional(),
        language: settingsSchema.shape.language.optional(),
        releaseChannel: settingsSchema.shape.releaseChannel.optional(),
        workshopName: z.string().trim().max(120).optional(),
        workshopAddress: z.string().trim().max(400).optional(),
        timeZone: z.string().trim().refine(isKnownTimeZone, { message: 'expected a time zone name like Europe/Berlin' }).optional(),
        labelPrinter: labelPrinterSchema.optional(),
        documentPrinter: documentPrinterSchema.optional(),
      })
      .strict(),
    output: settingsSchema,
  },
  getSession: { access: 'public', input: noInput, output: sessionSchema },
  listSignInOperators: { access: 'public', input: noInput, output: z.array(operatorSummarySchema) },
  setupFirstAdmin: { access: 'public', input: z.object({ name: operatorNameSchema, pin: pinSchema }).strict(), output: sessionSchema },
  signIn: { access: 'public', input: z.object({ operatorId: operatorIdSchema, pin: z.string().max(64) }).strict(), output: sessionSchema },
  signOut: { access: 'signedIn', input: noInput, output: sessionSchema },
  listOperators: { access: ['admin'], input: noInput, output: z.array(operatorDetailSchema) },
  createOperator: {
    access: ['admin'],
    input: z.object({ name: operatorNameSchema, role: roleSchema, pin: pinSchema }).strict(),
    output: operatorDetailSchema,
  },
  updateOperator: {
    access: ['admin'],
    input: z
      .object({
        operatorId: operatorIdSchema,
        role: roleSchema.optional(),
        /** A new PIN set by the admin; it also lifts a lockout. */
        pin: pinSchema.optional(),
        disabled: z.boolean().optional(),
        /** Lifts a lockout without changing the PIN (the operator remembered it after all). */
        unlock: z.literal(true).optional(),
      })
      .strict(),
    output: operatorDetailSchema,
  },
  listEvidence: {
    access: ['admin', 'support'],
    input: z
      .object({
        typePrefix: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/).optional(),
        from: isoTime.optional(),
        to: isoTime.optional(),
        beforeSeq: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict()
      .default({ limit: 50 }),
    output: evidencePageSchema,
  },
  verifyEvidenceLog: { access: ['admin', 'support'], input: noInput, output: logVerdictSchema },
  getBenchLink: { access: 'signedIn', input: noInput, output: benchLinkStateSchema },
  listBenchPorts: {
    access: 'signedIn',
    input: noInput,
    output: z.array(z.object({ path: z.string(), vendorId: z.string().nullable(), productId: z.string().nullable(), manufacturer: z.string().nullable(), serialNumber: z.string().nullable() })),
  },
  /** Without a target, the bench port from the settings. */
  connectBench: { access: 'signedIn', input: z.object({ target: benchPortSchema.optional() }).strict().default({}), output: benchLinkStateSchema },
  disconnectBench: { access: 'signedIn', input: noInput, output: benchLinkStateSchema },
  startCodingSession: {
    access: ['technician', 'admin'],
    input: z
      .object({
        partNumber: partNumberSchema,
        serial: injectorSerialSchema,
        /** The job and cylinder position the injector is coded for; a retest of its injector within the pack's window is free. */
        job: z.object({ jobId: jobIdSchema, position: z.number().int().min(1).max(8) }).strict().optional(),
      })
      .strict(),
    output: z.object({ sessionId: z.string(), retestOf: z.string().nullable().optional() }),
  },
  abortCodingSession: { access: 'signedIn', input: noInput, output: z.object({ aborted: z.boolean() }) },
  getCodingSession: { access: 'signedIn', input: z.object({ sessionId: z.string().regex(/^ses-[0-9]{8}-[0-9a-f]{12}$/) }).strict(), output: sessionReportSchema },
  listCodingSessions: {
    access: 'signedIn',
    input: z
      .object({
        serial: injectorSerialSchema.optional(),
        /** Part of a serial, a job id, customer, VIN or order number; any of them matches. */
        text: z.string().trim().min(1).max(60).optional(),
        /** Part of the operator's name. */
        operator: z.string().trim().min(1).max(40).optional(),
        from: isoTime.optional(),
        to: isoTime.optional(),
        beforeStartedAt: isoTime.optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict()
      .default({ limit: 50 }),
    output: z.array(sessionSummarySchema),
  },
  getCredits: { access: 'signedIn', input: noInput, output: z.object({ balance: z.number().int() }) },
  listPacks: { access: 'signedIn', input: noInput, output: z.array(activePackSchema) },
  listKnownParts: { access: 'signedIn', input: noInput, output: z.array(knownPartSchema) },
  /** One measurement at chosen settings within the part's pack limits: no code, no charge, logged. */
  runManualTest: { access: ['technician', 'admin'], input: manualTestInputSchema, output: manualTestResultSchema },
  /** Per family: channel, pin, active, last-known-good, freshness; admins and support also see the available versions. */
  getReleases: { access: 'signedIn', input: noInput, output: releasesSchema },
  pinRelease: {
    access: ['admin'],
    input: z
      .object({
        ...releaseChangeInput,
        target: z.union([z.object({ channel: releaseChannelSchema }).strict(), z.object({ version: releaseVersionNameSchema }).strict()]),
        endsAt: isoTime,
      })
      .strict(),
    output: familyReleaseSchema,
  },
  unpinRelease: { access: ['admin'], input: z.object(releaseChangeInput).strict(), output: familyReleaseSchema },
  /** Back to the last-known-good pack, held there by a pin until endsAt. */
  rollbackRelease: { access: ['admin'], input: z.object({ ...releaseChangeInput, endsAt: isoTime }).strict(), output: familyReleaseSchema },
  refreshReleases: {
    access: ['admin'],
    input: z.object({ reason: changeReasonSchema, ticket: ticketSchema, source: releaseSourceSchema.optional() }).strict(),
    output: refreshResultSchema,
  },
  /** The label of a passed session: code, part, serial, date and the QR matrix the PDF prints too. */
  getSessionLabel: { access: 'signedIn', input: z.object({ sessionId: sessionIdSchema }).strict(), output: labelSchema },
  /** The label or the session report as a PDF made by the services. */
  exportSessionDocument: {
    access: 'signedIn',
    input: z.object({ sessionId: sessionIdSchema, kind: z.enum(documentKinds) }).strict(),
    output: documentFileSchema,
  },
  createJob: { access: ['technician', 'admin'], input: jobInputSchema, output: jobViewSchema },
  /** Jobs newest first; the text matches customer, vehicle, VIN, order number or job id; `state` keeps open or closed ones. */
  listJobs: {
    access: 'signedIn',
    input: z
      .object({ text: z.string().trim().min(1).max(60).optional(), state: z.enum(jobStates).optional(), limit: z.number().int().min(1).max(200).default(50) })
      .strict()
      .default({ limit: 50 }),
    output: z.array(jobSummarySchema),
  },
  /** The set view: each position's latest session, free retests, and the matched-set verdict. */
  getJob: { access: 'signedIn', input: z.object({ jobId: jobIdSchema }).strict(), output: jobViewSchema },
  /** Corrects an open job's customer, vehicle, VIN, order number or notes; the roles that open jobs may correct them. */
  editJob: { access: ['technician', 'admin'], input: jobEditSchema, output: jobViewSchema },
  /**
   * Closes a finished job: no injectors, retests or edits until it is reopened. Closing only takes
   * abilities away, so the roles that open jobs may close them.
   */
  closeJob: { access: ['technician', 'admin'], input: z.object({ jobId: jobIdSchema }).strict(), output: jobViewSchema },
  /**
   * Reopens a closed job, admins only: it lets a delivered set take injectors (and credits) again and
   * changes what its report said, so it is the workshop's decision, with a reason in the integrity log.
   */
  reopenJob: { access: ['admin'], input: z.object({ jobId: jobIdSchema, reason: changeReasonSchema }).strict(), output: jobViewSchema },
  /** One A4 PDF for the whole job: workshop header, job facts, every position, the set verdict; the technician on every page. */
  exportJobReport: { access: 'signedIn', input: z.object({ jobId: jobIdSchema }).strict(), output: documentFileSchema },
  /** Prints a label, a session report or a job report on the printer chosen in Settings. */
  printDocument: { access: 'signedIn', input: printRequestSchema, output: printOutcomeSchema },
  getEnrolment: { access: ['admin'], input: noInput, output: enrolmentSchema },
  enrolBench: {
    access: ['admin'],
    input: z.object({ serverUrl: serverUrlSchema, code: z.string().trim().min(8, 'an enrolment code has at least 8 characters').max(128) }).strict(),
    output: enrolmentSchema,
  },
  getCreditsLedger: { access: ['admin'], input: noInput, output: creditsLedgerSchema },
  /** The contents of a signed grant file, verified against the bench's root of trust and booked once. */
  importCreditGrant: { access: ['admin'], input: z.object({ grant: z.string().min(2).max(64 * 1024) }).strict(), output: grantImportSchema },
  exportSupportBundle: {
    access: ['admin', 'support'],
    input: z
      .object({ sessionIds: z.array(sessionIdSchema).max(200).optional(), from: isoTime.optional(), to: isoTime.optional(), limit: z.number().int().min(1).max(200).optional() })
      .strict()
      .default({}),
    output: supportBundleFileSchema,
  },
  /** Logs, versions and settings without secrets, as a .tar.gz (electron/services/diagnostics/). */
  exportDiagnostics: { access: ['admin'], input: noInput, output: documentFileSchema },
  getAppUpdateHold: { access: ['admin'], input: noInput, output: appUpdateHoldViewSchema },
  holdAppUpdates: {
    access: ['admin'],
    input: z.object({ hours: z.number().positive().max(MAX_PIN_DAYS * 24), reason: changeReasonSchema, ticket: ticketSchema }).strict(),
    output: appUpdateHoldViewSchema,
  },
  releaseAppUpdateHold: { access: ['admin'], input: z.object({ reason: changeReasonSchema, ticket: ticketSchema }).strict(), output: appUpdateHoldViewSchema },
} satisfies Record<BenchMethodName, { access: MethodAccess; input: z.ZodType; output: z.ZodType }>;

export const benchEventSchema = {
  status: statusSchema,
  session: sessionSchema,
  benchLink: benchLinkStateSchema,
  codingSession: codingSessionEventSchema,
  /** The releases changed (pin, expiry, rollback, refresh): views reload them with getReleases. */
  releases: z.object({ at: z.string() }),
} satisfies Record<BenchEventName, z.ZodType>;

type MethodSchemas = typeof benchApiSchema;
export type MethodInput<M extends BenchMethodName> = z.input<MethodSchemas[M]['input']>;
/** The argument after validation, as a handler receives it. */
export type MethodParsedInput<M extends BenchMethodName> = z.output<MethodSchemas[M]['input']>;
export type MethodOutput<M extends BenchMethodName> = z.output<MethodSchemas[M]['output']>;
export type EventPayload<E extends BenchEventName> = z.output<(typeof benchEventSchema)[E]>;

/** What `window.bench` is, in Electron and in the workspace browser alike. */
export type BenchApi = {
  [M in BenchMethodName]: undefined extends MethodInput<M>
    ? (input?: MethodInput<M>) => Promise<Result<MethodOutput<M>>>
    : (input: MethodInput<M>) => Promise<Result<MethodOutput<M>>>;
} & {
  on<E extends BenchEventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** A message on the event stream (IPC event channel or workspace WebSocket). */
export interface BenchEventMessage {
  event: BenchEventName;
  payload: unknown;
}
