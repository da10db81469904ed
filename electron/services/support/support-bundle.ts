/**
 * The support bundle: selected sessions' reports with the integrity-log segment that holds them and
 * the checkpoints that seal it, as one file signed with the bench key. Support verifies it offline:
 * the signature, the segment's chain up to a signed checkpoint, and that every report says exactly what
 * its sealed log entry says.
 */
import { z } from 'zod';
import { sessionReportSchema, type SessionReport } from '../../contract/coding-session';
import type { BenchCore } from '../bench-core';
import { decodeBase64, encodeBase64, verifyDetached } from '../../../trust/ed25519';
import { verifyIntegrityLog, type LogVerdict } from '../../../common/integrity-log/verify-log';
import { ServiceError } from '../service-error';
import type { LogEntryRecord } from '../../../common/integrity-log/records';

export const SUPPORT_BUNDLE_FORMAT = 'injbench-support-bundle/1';
const SIGNATURE_CONTEXT = 'injbench/1:support_bundle:';
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

const entrySchema = z.object({ seq: z.number().int().positive(), prevHash: z.string(), entryHash: z.string(), recordedAt: z.string(), type: z.string(), payloadJson: z.string() });
const checkpointSchema = z.object({ seq: z.number().int().positive(), entryHash: z.string(), signedAt: z.string(), signature: z.string() });

const bundleSchema = z.object({
  format: z.literal(SUPPORT_BUNDLE_FORMAT),
  benchId: z.string(),
  publicKey: z.string(),
  exportedAt: z.string(),
  appVersion: z.string(),
  sessions: z.array(sessionReportSchema),
  log: z.object({
    after: z.object({ seq: z.number().int().nonnegative(), entryHash: z.string() }).nullable(),
    entries: z.array(entrySchema),
    checkpoints: z.array(checkpointSchema),
  }),
});
export type SupportBundle = z.infer<typeof bundleSchema>;

const wrapperSchema = z.object({ bundle: z.string(), signature: z.string() });

function signedMessage(bytes: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(SIGNATURE_CONTEXT, 'utf8'), bytes]);
}

export interface ExportSelection {
  sessionIds?: readonly string[];
  from?: string;
  to?: string;
  limit?: number;
}

export function exportSupportBundle(core: BenchCore, selection: ExportSelection, appVersion: string): { bytes: Uint8Array; sessions: number; entries: number } {
  const records = selection.sessionIds?.length
    ? selection.sessionIds.map((id) => {
        const record = core.store.sessions.byId(id);
        if (!record) throw new ServiceError('NOT_FOUND', `No session ${id} on this bench.`);
        return record;
      })
    : core.store.sessions.search({ from: selection.from, to: selection.to, limit: selection.limit ?? 200 });
  const finished = records.filter((record) => record.reportJson !== null);
  if (finished.length === 0) throw new ServiceError('NOT_FOUND', 'No finished session matches the selection.');
  const reports = finished.map((record) => sessionReportSchema.parse(JSON.parse(record.reportJson ?? '{}')));
  // Seal everything written so far, so the whole segment ends under a signed checkpoint.
  core.log.checkpoint();

  const wanted = new Set(reports.map((report) => report.sessionId));
  const all = [...core.store.integrityLog.entries()];
  const first = all.findIndex((entry) => entry.type === 'session.started' && wanted.has(String((JSON.parse(entry.payloadJson) as { sessionId?: unknown }).sessionId)));
  const start = Math.max(0, first);
  const previous = start > 0 ? all[start - 1] : undefined;
  const entries = all.slice(start);
  const bundle: SupportBundle = {
    format: SUPPORT_BUNDLE_FORMAT,
    benchId: core.identity.benchId,
    publicKey: core.identity.publicKey,
    exportedAt: core.now().toISOString(),
    appVersion,
    sessions: reports,
    log: {
      after: previous ? { seq: previous.seq, entryHash: previous.entryHash } : null,
      entries,
      checkpoints: core.store.integrityLog.checkpoints().filter((checkpoint) => checkpoint.seq >= (entries[0]?.seq ?? 1)),
    },
  };
  const bundleBytes = Buffer.from(JSON.stringify(bundle), 'utf8');
  const signature = core.identity.sign(signedMessage(bundleBytes));
  core.log.append('support.bundle_exported', { sessions: reports.length, fromSeq: entries[0]?.seq ?? null, toSeq: entries.at(-1)?.seq ?? null });
  return { bytes: Buffer.from(JSON.stringify({ bundle: bundleBytes.toString('base64'), signature: encodeBase64(signature) })), sessions: reports.length, entries: entries.length };
}

export type BundleVerdict =
  | { ok: true; benchId: string; publicKey: string; sessions: number; log: Extract<LogVerdict, { ok: true }> }
  | { ok: false; code: 'MALFORMED' | 'BAD_SIGNATURE' | 'KEY_MISMATCH' | 'UNSEALED' | 'REPORT_MISMATCH' | LogVerdictCode; reason: string };

type LogVerdictCode = Extract<LogVerdict, { ok: false }>['code'];

/** The session's final log entry must say what its report says: no report edited after sealing. */
function reportMatchesLog(report: SessionReport, entries: readonly LogEntryRecord[]): boolean {
  const entry = entries.find((candidate) => candidate.type === `session.${report.status}` && candidate.payloadJson.includes(`"sessionId":"${report.sessionId}"`));
  if (!entry) return false;
  const sealed = JSON.parse(entry.payloadJson) as { verdict: unknown; code: unknown; creditsDebited: unknown; serial: unknown; partNumber: unknown; pack: { sha256?: unknown } | null };
  return (
    sealed.verdict === report.verdict &&
    sealed.code === report.code &&
    sealed.creditsDebited === report.creditsDebited &&
    sealed.serial === report.serial &&
    sealed.partNumber === report.partNumber &&
    (sealed.pack?.sha256 ?? null) === (report.pack?.sha256 ?? null)
  );
}

/** The verdict on a bundle of this many bytes before anything is read: too large, or null. */
export function oversizeBundleVerdict(length: number): BundleVerdict | null {
  return length > MAX_BUNDLE_BYTES ? { ok: false, code: 'MALFORMED', reason: `the bundle is larger than ${MAX_BUNDLE_BYTES} bytes` } : null;
}

export function verifySupportBundle(bytes: Uint8Array, options: { publicKey?: string } = {}): BundleVerdict {
  const oversize = oversizeBundleVerdict(bytes.length);
  if (oversize) return oversize;
  let wrapper: z.infer<typeof wrapperSchema>;
  let bundleBytes: Uint8Array;
  let bundle: SupportBundle;
  try {
    wrapper = wrapperSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    const decoded = decodeBase64(wrapper.bundle);
    if (!decoded) return { ok: false, code: 'MALFORMED', reason: 'the bundle payload is not canonical base64' };
    bundleBytes = decoded;
    bundle = bundleSchema.parse(JSON.parse(Buffer.from(bundleBytes).toString('utf8')));
  } catch {
    return { ok: false, code: 'MALFORMED', reason: 'not a support bundle' };
  }
  if (options.publicKey && options.publicKey !== bundle.publicKey) {
    return { ok: false, code: 'KEY_MISMATCH', reason: `the bundle is from key ${bundle.publicKey}, not the enrolled ${options.publicKey}` };
  }
  const publicKey = decodeBase64(bundle.publicKey);
  if (!publicKey || !verifyDetached(signedMessage(bundleBytes), decodeBase64(wrapper.signature), publicKey)) {
    return { ok: false, code: 'BAD_SIGNATURE', reason: 'the bundle is not signed by the bench key it names' };
  }
  const log = verifyIntegrityLog({ benchId: bundle.benchId, publicKey: bundle.publicKey, entries: bundle.log.entries, checkpoints: bundle.log.checkpoints, ...(bundle.log.after ? { after: bundle.log.after } : {}) });
  if (!log.ok) return { ok: false, code: log.code, reason: log.reason };
  // A segment proves itself only up to a signed checkpoint: entries after the last one could be anything.
  if (log.unsealedEntries > 0) return { ok: false, code: 'UNSEALED', reason: `${log.unsealedEntries} entries at the end are not sealed by a signed checkpoint` };
  for (const report of bundle.sessions) {
    if (!reportMatchesLog(report, bundle.log.entries)) return { ok: false, code: 'REPORT_MISMATCH', reason: `the report of session ${report.sessionId} does not match its sealed log entry` };
  }
  return { ok: true, benchId: bundle.benchId, publicKey: bundle.publicKey, sessions: bundle.sessions.length, log };
}
