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

/**
 * A specific an error message carries (a part number, a limit, a count, a time). The screen puts it into
 * the catalog sentence of its language; an instant (ISO 8601) is shown in the bench's time zone and a
 * calendar day (YYYY-MM-DD) in the language's form, both through Intl (bench-time.ts).
 */
export type BenchErrorParam = string | number | { instant: string } | { day: string };
export type BenchErrorParams = Readonly<Record<string, BenchErrorParam>>;

export interface BenchError {
  code: BenchErrorCode;
  /** The service's own sentence (English, for logs and support); the screen shows the catalog's words for the code. */
  message: string;
  /** The specifics the catalog's detail sentence for this code fills in (renderer/src/i18n/errors.*.ts). */
  params?: BenchErrorParams;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BenchError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: BenchErrorCode, message: string, params?: BenchErrorParams): { ok: false; error: BenchError } {
  return { ok: false, error: params ? { code, message, params } : { code, message } };
}

function isBenchErrorParam(value: unknown): value is BenchErrorParam {
  if (typeof value === 'string') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 1) return false;
  const mark = value as { instant?: unknown; day?: unknown };
  return typeof mark.instant === 'string' || typeof mark.day === 'string';
}

/** Checks params that crossed a transport: a flat object of strings, finite numbers and {instant} or {day} marks. */
export function isBenchErrorParams(value: unknown): value is BenchErrorParams {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isBenchErrorParam);
}

export function isBenchErrorCode(value: unknown): value is BenchErrorCode {
  return typeof value === 'string' && (benchErrorCodes as readonly string[]).includes(value);
}
