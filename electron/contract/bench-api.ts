/**
 * The BenchApi: every method the renderer may call and every event it may receive, with schemas.
 * One definition serves Electron IPC (preload + ipcMain) and workspace mode (HTTP + WebSocket).
 */
import { z } from 'zod';
import type { BenchEventName, BenchMethodName } from './channels';
import type { Result } from './envelope';

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

export const statusSchema = z.object({
  app: z.object({
    name: z.string(),
    version: z.string(),
    mode: z.enum(['electron', 'workspace']),
    startedAt: z.string(),
    uptimeSeconds: z.number().int().nonnegative(),
    launchCount: z.number().int().nonnegative(),
  }),
  parts: z.array(partStatusSchema),
  generatedAt: z.string(),
});
export type BenchStatus = z.infer<typeof statusSchema>;

export const settingsSchema = z.object({
  /** Serial port path or tcp://host:port of a serial device server; null until configured. */
  benchPort: z.string().nullable(),
  /** Central server base URL; null while the bench runs offline. */
  serverUrl: z.string().nullable(),
  language: z.enum(['en', 'de', 'fr']),
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

export const benchApiSchema = {
  getStatus: { input: noInput, output: statusSchema },
  getSettings: { input: noInput, output: settingsSchema },
  updateSettings: {
    input: z
      .object({
        benchPort: benchPortSchema.nullable().optional(),
        serverUrl: serverUrlSchema.nullable().optional(),
        language: settingsSchema.shape.language.optional(),
      })
      .strict(),
    output: settingsSchema,
  },
} satisfies Record<BenchMethodName, { input: z.ZodType; output: z.ZodType }>;

export const benchEventSchema = {
  status: statusSchema,
} satisfies Record<BenchEventName, z.ZodType>;

type MethodSchemas = typeof benchApiSchema;
export type MethodInput<M extends BenchMethodName> = z.input<MethodSchemas[M]['input']>;
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
