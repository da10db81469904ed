/**
 * Exports of session traces, shared by the support CLI and the web view: JSON as the API returns it, and
 * CSV with one row per log entry (RFC 4180 quoting; the payload stays the exact JSON text that was hashed).
 */
import type { SessionTrace } from '../store/session-index-repository';

/** RFC 4180: quote a field when it holds a comma, quote or line break; double the quotes inside. */
export function csvField(value: string | number | boolean | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const TRACE_CSV_HEADER = ['bench_id', 'session_id', 'serial', 'part_number', 'family', 'pack_version', 'outcome', 'error_class', 'integrity', 'seq', 'recorded_at', 'type', 'entry_hash', 'prev_hash', 'received_at', 'payload_json'] as const;

export function tracesToCsv(traces: readonly SessionTrace[]): string {
  const lines = [TRACE_CSV_HEADER.join(',')];
  for (const { session, integrity, entries } of traces) {
    for (const entry of entries) {
      lines.push(
        [session.benchId, session.sessionId, session.serial, session.partNumber, session.family, session.packVersion, session.outcome, session.errorClass, integrity.status, entry.seq, entry.recordedAt, entry.type, entry.entryHash, entry.prevHash, entry.receivedAt, entry.payloadJson]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
