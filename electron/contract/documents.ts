/**
 * What the bench hands out as documents and admin facts: the injector label (with its QR matrix, made
 * once in the services so the on-screen preview and the printed PDF carry the same content), files
 * (PDF label, PDF report, support bundle), the enrolment with the central server and the credits ledger.
 */
import { z } from 'zod';

export const sessionIdSchema = z.string().regex(/^ses-[0-9]{8}-[0-9a-f]{12}$/, 'expected a session id');

/**
 * Where everything sits on the label, in millimetres from the top left: one layout that the on-screen
 * preview (SVG), the PDF and the ZPL for label printers all draw, so none of them wraps on its own.
 */
export const labelLayoutSchema = z.object({
  widthMm: z.number().positive(),
  heightMm: z.number().positive(),
  items: z.array(
    z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('text'),
        role: z.enum(['code', 'fact', 'note']),
        /** Left edge and baseline, in mm from the top left. */
        xMm: z.number(),
        baselineMm: z.number(),
        /** Font size (em height) in mm. */
        sizeMm: z.number().positive(),
        font: z.enum(['mono', 'sans', 'bold']),
        text: z.string(),
      }),
      z.object({ kind: z.literal('qr'), xMm: z.number(), yMm: z.number(), sideMm: z.number().positive() }),
    ]),
  ),
});
export type LabelLayout = z.infer<typeof labelLayoutSchema>;
export type LabelLayoutItem = LabelLayout['items'][number];

export const labelSchema = z.object({
  sessionId: z.string(),
  code: z.string(),
  codeFormat: z.string().nullable(),
  partNumber: z.string(),
  serial: z.string(),
  family: z.string().nullable(),
  packVersion: z.string().nullable(),
  /** Day the session ended, YYYY-MM-DD. */
  date: z.string(),
  benchSerial: z.string(),
  synthetic: z.boolean(),
  qr: z.object({
    /** Exactly the text encoded in the QR code. */
    text: z.string(),
    size: z.number().int().positive(),
    /** One string per row, '1' for a dark module, '0' for a light one. */
    rows: z.array(z.string()),
  }),
  /** The code in groups of 4–5 characters, as people read it. */
  codeGrouped: z.string(),
  layout: labelLayoutSchema,
});
export type InjectorLabel = z.infer<typeof labelSchema>;

export const documentKinds = ['label', 'report'] as const;
export type DocumentKind = (typeof documentKinds)[number];

export const documentFileSchema = z.object({
  fileName: z.string(),
  mediaType: z.enum(['application/pdf', 'application/json', 'application/gzip']),
  base64: z.string(),
  bytes: z.number().int().nonnegative(),
});
export type DocumentFile = z.infer<typeof documentFileSchema>;

export const supportBundleFileSchema = documentFileSchema.extend({
  sessions: z.number().int().nonnegative(),
  entries: z.number().int().nonnegative(),
});
export type SupportBundleFile = z.infer<typeof supportBundleFileSchema>;

export const enrolmentSchema = z.object({
  benchId: z.string(),
  publicKey: z.string(),
  serverUrl: z.string().nullable(),
  enrolledAt: z.string().nullable(),
  backlog: z.object({
    headSeq: z.number().int().nonnegative(),
    ackedEntrySeq: z.number().int().nonnegative(),
    unsentEntries: z.number().int().nonnegative(),
    unsentCheckpoints: z.number().int().nonnegative(),
    lastSuccessAt: z.string().nullable(),
    lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
    blocked: z.boolean(),
  }),
});
export type EnrolmentView = z.infer<typeof enrolmentSchema>;

export const creditGrantViewSchema = z.object({
  grantId: z.string(),
  credits: z.number().int(),
  issuedAt: z.string(),
  expires: z.string(),
  importedAt: z.string(),
});
export type CreditGrantView = z.infer<typeof creditGrantViewSchema>;

export const ledgerEntryViewSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  /** grant: credits from the server to the bench; spend: one issued code. */
  kind: z.enum(['grant', 'spend']),
  amount: z.number().int(),
  grantId: z.string().nullable(),
  sessionId: z.string().nullable(),
  /** The bench balance right after this entry. */
  balanceAfter: z.number().int(),
});
export type LedgerEntryView = z.infer<typeof ledgerEntryViewSchema>;

export const creditsLedgerSchema = z.object({
  benchId: z.string(),
  balance: z.number().int(),
  grants: z.array(creditGrantViewSchema),
  /** Newest first, at most the last 200. */
  entries: z.array(ledgerEntryViewSchema),
});
export type CreditsLedgerView = z.infer<typeof creditsLedgerSchema>;

export const grantImportSchema = z.object({
  grantId: z.string(),
  credits: z.number().int(),
  added: z.boolean(),
  balance: z.number().int(),
});
export type GrantImportView = z.infer<typeof grantImportSchema>;
