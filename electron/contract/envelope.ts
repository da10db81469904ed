/**
 * The result envelope every BenchApi call returns, across Electron IPC and workspace HTTP alike.
 * Errors travel as data: an Error thrown through ipcMain.handle loses everything but its message.
 */

/** Error codes shared by every transport. Later parts add their own domain codes to this list. */
export const benchErrorCodes = [
  'INVALID_ARGUMENT',
  'UNKNOWN_METHOD',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'BAD_CREDENTIALS',
  'LOCKED_OUT',
  'ALREADY_SET_UP',
  'NOT_FOUND',
  'CONFLICT',
  'NOT_CONFIGURED',
  'STORE_ERROR',
  'STORE_TOO_NEW',
  'TRANSPORT_ERROR',
  'INTERNAL',
  // Release decisions (docs/trust-packs.md): the policy gates by name; any other failed check is VERIFICATION_FAILED.
  'BELOW_FLOOR',
  'DOWNGRADE_REFUSED',
  'REVOKED',
  'EXPIRED',
  'UNREACHABLE',
  'VERIFICATION_FAILED',
  'SERVER_UNREACHABLE',
  'SERVER_REFUSED',
  'GRANT_REFUSED',
  // Manual test mode (electron/services/session/manual-test.ts).
  'UNKNOWN_PART',
  'OUT_OF_LIMITS',
  'BENCH_FAULT',
  // Printing (electron/services/printing): what went wrong says what to do.
  'PRINTER_NOT_SET',
  'PRINTER_UNREACHABLE',
  'PRINT_QUEUE_NOT_FOUND',
  'PRINT_QUEUE_REFUSED',
  'PRINT_SYSTEM_UNAVAILABLE',
  'PRINT_FAILED',
  // Jobs (electron/services/jobs): a closed job takes no injectors, retests or edits until an admin reopens it.
  'JOB_CLOSED',
] as const;

export type BenchErrorCode = (typeof benchErrorCodes)[number];

export interface BenchError {
  code: BenchErrorCode;
  /** One sentence for the operator: what happened and what to do next. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BenchError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: BenchErrorCode, message: string): { ok: false; error: BenchError } {
  return { ok: false, error: { code, message } };
}

export function isBenchErrorCode(value: unknown): value is BenchErrorCode {
  return typeof value === 'string' && (benchErrorCodes as readonly string[]).includes(value);
}
