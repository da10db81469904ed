/** The typed failures of trust verification (docs/trust-packs.md); every check fails closed with one of them. */
export const trustErrorCodes = [
  'BAD_SIGNATURE',
  'THRESHOLD_NOT_MET',
  'EXPIRED',
  'ROLLBACK',
  'CLOCK_ROLLBACK',
  'DEV_KEY_IN_PROD',
  'HASH_MISMATCH',
  'LENGTH_MISMATCH',
  'OVERSIZE',
  'MALFORMED',
  'WRONG_TARGET',
  'INCOMPATIBLE',
  'REVOKED',
  'BELOW_FLOOR',
  'DOWNGRADE_REFUSED',
  'NOT_FOUND',
  'UNREACHABLE',
  'NOT_ACTIVE',
  'RELEASE_REFUSED',
  'STORAGE_FAILED',
  /** A directive skips seqs after the trusted one: the chain of previous_sha256 cannot be checked across the gap. */
  'DIRECTIVE_CHAIN_GAP',
  /** A listed public key is not a canonical Ed25519 point of prime order (small-order, mixed-order, y >= p). */
  'WEAK_KEY',
] as const;

export type TrustErrorCode = (typeof trustErrorCodes)[number];

export class TrustError extends Error {
  constructor(
    readonly code: TrustErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TrustError';
  }
}

export function isTrustError(error: unknown, code?: TrustErrorCode): error is TrustError {
  return error instanceof TrustError && (code === undefined || error.code === code);
}
