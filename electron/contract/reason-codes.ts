/**
 * The codes a coding session shows the technician beyond the bench error codes (envelope.ts): why it ended
 * (SessionReport.reason, SessionSummary.reasonCode) and why a gate blocked (GateResult.code). A session
 * that fails on the bench link or a pack check passes the typed code of that failure through, so the link's
 * and the trust verification's codes are listed here too (test/unit/contract/reason-codes.test.ts keeps
 * the lists in step with native-bridge/driver.ts and trust/errors.ts). Zod-free: the renderer imports it.
 */
export const sessionReasonCodes = [
  // How a session ends (electron/services/session/session-engine.ts).
  'PREFLIGHT_BLOCKED',
  'ELECTRICAL_FAIL',
  'LEAK_FAIL',
  'NOT_CODABLE',
  'ABORTED_BY_OPERATOR',
  'INTERRUPTED',
  'OIL_NOT_CONDITIONED',
  'CODE_READBACK_MISMATCH',
  'SESSION_RUNNING',
  // Gates that block a start.
  'NO_VERIFIED_PACK',
  'INCOMPATIBLE',
  'CALIBRATION_OVERDUE',
  'INSUFFICIENT_CREDITS',
  'OIL_TEMPERATURE_UNKNOWN',
  // The correction code (electron/services/session/correction-code.ts).
  'BAD_FORMAT',
  'MISSING_MEASUREMENT',
  // The bench link (native-bridge/driver.ts, BenchLinkErrorCode).
  'TIMEOUT',
  'DISCONNECTED',
  'NAK',
  'BAD_REPLY',
  'CLOSED',
  'UNSUPPORTED_VERSION',
  'OPEN_FAILED',
  'BAD_TARGET',
  'DISCOVERY_UNAVAILABLE',
  // Pack verification (trust/errors.ts) not already a bench error code.
  'BAD_SIGNATURE',
  'THRESHOLD_NOT_MET',
  'ROLLBACK',
  'CLOCK_ROLLBACK',
  'DEV_KEY_IN_PROD',
  'HASH_MISMATCH',
  'LENGTH_MISMATCH',
  'OVERSIZE',
  'MALFORMED',
  'WRONG_TARGET',
  'NOT_ACTIVE',
  'RELEASE_REFUSED',
  'STORAGE_FAILED',
  'DIRECTIVE_CHAIN_GAP',
  'WEAK_KEY',
] as const;

export type SessionReasonCode = (typeof sessionReasonCodes)[number];

/**
 * Why the bench's log could not reach the central server (EnrolmentView.backlog.lastError): the central
 * server's refusals and the client's own failures (common/central-api/client.ts, SyncErrorCode) that are not
 * already a bench error code or a session reason.
 */
export const syncErrorCodes = [
  'INVALID_REQUEST',
  'UNKNOWN_BENCH',
  'BENCH_REVOKED',
  'STALE_REQUEST',
  'REPLAYED_REQUEST',
  'ENROLMENT_CODE_UNKNOWN',
  'ENROLMENT_CODE_EXPIRED',
  'ENROLMENT_CODE_USED',
  'ALREADY_ENROLLED',
  'LOG_GAP',
  'LOG_FORK',
  'LOG_INVALID',
  'PROMOTION_GATED',
  'METADATA_REFUSED',
  'UNTRUSTED_ROOT',
  'MISSING_PACK',
  'OVERLOADED',
  'NETWORK_ERROR',
  'BAD_RESPONSE',
  'NOT_ENROLLED',
] as const;

export type SyncErrorWordCode = (typeof syncErrorCodes)[number];

/**
 * Where a verification of the bench's integrity log finds it broken (common/integrity-log/verify-log.ts,
 * LogFaultCode; test/unit/renderer/error-words.test.ts keeps the two in step): the Evidence and Support
 * views word each for people instead of showing the verifier's English reason.
 */
export const logFaultCodes = ['ENTRY_ALTERED', 'ENTRY_MISSING', 'CHAIN_BROKEN', 'CHECKPOINT_MISMATCH', 'BAD_CHECKPOINT_SIGNATURE', 'TRUNCATED'] as const;

export type LogFaultWordCode = (typeof logFaultCodes)[number];
