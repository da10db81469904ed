/**
 * Where the bench prints, chosen by an admin in Settings: labels to a label printer over raw TCP (port
 * 9100, ZPL) or to a queue of the operating system's print system; reports (A4) to a system queue. The
 * PDF download is always there too.
 */
import { z } from 'zod';

/** A host name or IPv4 address of a label printer on the workshop network. */
const printerHostSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, 'a printer host is a name like zebra-1.local or an address like 192.168.1.50');
/** A CUPS queue name: printable characters without space, slash, # or quotes. */
const queueNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.@-]{1,127}$/, 'a printer queue name is letters, digits and _ . @ - (as lpstat -e lists it)');

export const downloadTargetSchema = z.object({ kind: z.literal('download') }).strict();
export const zplTargetSchema = z.object({ kind: z.literal('zpl'), host: printerHostSchema, port: z.number().int().min(1).max(65535).default(9100) }).strict();
export const systemTargetSchema = z.object({ kind: z.literal('system'), queue: queueNameSchema }).strict();

export const labelPrinterSchema = z.discriminatedUnion('kind', [downloadTargetSchema, zplTargetSchema, systemTargetSchema]);
export type LabelPrinter = z.infer<typeof labelPrinterSchema>;
/** A4 reports need a page printer: a system queue (a label printer cannot print them). */
export const documentPrinterSchema = z.discriminatedUnion('kind', [downloadTargetSchema, systemTargetSchema]);
export type DocumentPrinter = z.infer<typeof documentPrinterSchema>;

export const printRequestSchema = z.discriminatedUnion('document', [
  z.object({ document: z.literal('label'), sessionId: z.string().regex(/^ses-[0-9]{8}-[0-9a-f]{12}$/, 'expected a session id') }).strict(),
  z.object({ document: z.literal('report'), sessionId: z.string().regex(/^ses-[0-9]{8}-[0-9a-f]{12}$/, 'expected a session id') }).strict(),
  z.object({ document: z.literal('jobReport'), jobId: z.string().regex(/^job-[0-9]{8}-[0-9a-f]{8}$/, 'expected a job id') }).strict(),
]);
export type PrintRequest = z.infer<typeof printRequestSchema>;

export const printOutcomeSchema = z.object({
  /** Where it went, in words ("label printer 192.168.1.50:9100", "queue Office_A4"). */
  printer: z.string(),
  kind: z.enum(['zpl', 'system']),
  /** The print system's job id when it gave one (CUPS request id). */
  jobRef: z.string().nullable(),
  bytes: z.number().int().nonnegative(),
});
export type PrintOutcome = z.infer<typeof printOutcomeSchema>;
