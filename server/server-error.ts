import type { ServerErrorCode } from '../common/central-api/protocol';

const statusByCode: Record<ServerErrorCode, number> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_BENCH: 401,
  BENCH_REVOKED: 403,
  BAD_SIGNATURE: 401,
  STALE_REQUEST: 401,
  REPLAYED_REQUEST: 409,
  ENROLMENT_CODE_UNKNOWN: 403,
  ENROLMENT_CODE_EXPIRED: 403,
  ENROLMENT_CODE_USED: 403,
  ALREADY_ENROLLED: 409,
  LOG_GAP: 409,
  LOG_FORK: 409,
  LOG_INVALID: 422,
  PROMOTION_GATED: 409,
  CONFLICT: 409,
  ROLLBACK: 409,
  HASH_MISMATCH: 422,
  METADATA_REFUSED: 422,
  UNTRUSTED_ROOT: 422,
  MISSING_PACK: 409,
  OVERSIZE: 413,
  NOT_CONFIGURED: 503,
  OVERLOADED: 429,
  INTERNAL: 500,
};

/** A refusal the caller should see as it is: the HTTP layer sends `{ ok: false, error: { code, message } }`. */
export class ServerError extends Error {
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServerError';
  }

  get httpStatus(): number {
    return statusByCode[this.code];
  }
}

/** A start-up setting the server cannot run with; nothing has been opened when it is thrown. */
export class ServerConfigurationError extends Error {
  constructor(
    readonly code: 'UNAUTHORIZED' | 'BLOB_DIR_REQUIRED' | 'INVALID_CONFIGURATION' | 'DATABASE_IN_USE',
    message: string,
  ) {
    super(message);
    this.name = 'ServerConfigurationError';
  }
}
