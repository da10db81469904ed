/**
 * Exports of session traces, shared by the support CLI and the web view: JSON as the API returns it, and
 * CSV with one row per log entry (RFC 4180 quoting, formula-like text cells escaped; the payload stays the exact
 * JSON text that was hashed: it starts with `{`).
 */
import type { SessionTrace } from '../store/session-index-repository';

/**
 * A text cell a spreadsheet would run as a formula (OWASP "CSV Injection"): it starts with = + - @, or a tab
 * or carriage return that the spreadsheet strips before looking again. Bench data (serials, part numbers,
 * error classes) comes from benches and is not trusted.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell. A text that would start a formula gets a leading single quote (OWASP's mitigation: the
 * spreadsheet shows it as text); numbers are the server's own and stay as they are. Then RFC 4180: quote a
 * field when it holds a comma, quote or line break; double the quotes inside.
 */
export function csvField(value: string | number | boolean | null): string {
  const raw = value === null ? '' : String(value);
  const text = typeof value === 'string' && FORMULA_START.test(raw) ? `'${raw}` : raw;
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
