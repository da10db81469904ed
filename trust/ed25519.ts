/**
 * The one Ed25519 of the code base, libsodium's (sodium-native), strict: bench keys, log checkpoints, request
 * signatures and the signed release documents (trust/crypto.ts) are signed and verified here, on the bench, the
 * CLI and the central server (whose worker threads call the same libsodium verify, server/sync/signature-verifier.ts).
 * Malformed keys or signatures are a failed check, never a throw and never a pass.
 *
 * Strict means:
 * - a public key is a canonical encoding of a point of prime order L (`isStrictPublicKey`): no small-order key
 *   (the identity, the all-zero key: with OpenSSL's verify, R = identity and S = 0 pass for any message), no
 *   mixed-order key A + T (T a torsion point: listed beside A under its own key id, one secret would count twice
 *   toward a threshold), no y >= p;
 * - a signature has a canonical S < L and an R that is not of small order (crypto_sign_verify_detached).
 * Why libsodium: ~2x faster than OpenSSL's verify through node:crypto (bench/ed25519-verify.ts), the server already
 * needed it, and it refuses small-order keys and R; @noble/curves would be ~10x slower than either.
 */
import sodium from 'sodium-native';

export interface Ed25519KeyPair {
  publicKey: Uint8Array;
  /** 64 bytes: the 32-byte seed, then the public key. */
  secretKey: Uint8Array;
}

const PUBLIC_KEY_BYTES = 32;
const SECRET_KEY_BYTES = 64;
const SIGNATURE_BYTES = 64;

export function generateKeyPair(): Ed25519KeyPair {
  const pair = { publicKey: new Uint8Array(PUBLIC_KEY_BYTES), secretKey: new Uint8Array(SECRET_KEY_BYTES) };
  sodium.crypto_sign_keypair(pair.publicKey, pair.secretKey);
  return pair;
}

/** Deterministic keys from a 32-byte seed (development keys, test fixtures). */
export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  const pair = { publicKey: new Uint8Array(PUBLIC_KEY_BYTES), secretKey: new Uint8Array(SECRET_KEY_BYTES) };
  sodium.crypto_sign_seed_keypair(pair.publicKey, pair.secretKey, seed);
  return pair;
}

/** A 64-byte secret key whose second half is the public key of its seed; anything else is null. */
export function keyPairFromSecretKey(secretKey: Uint8Array): Ed25519KeyPair | null {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== SECRET_KEY_BYTES) return null;
  const pair = keyPairFromSeed(secretKey.subarray(0, 32));
  return Buffer.from(pair.publicKey).equals(Buffer.from(secretKey.subarray(32))) ? pair : null;
}

export function signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const signature = new Uint8Array(SIGNATURE_BYTES);
  sodium.crypto_sign_detached(signature, message, secretKey);
  return signature;
}

/** L - 1, little-endian: [L - 1]P = -P exactly when P has order L. */
const ORDER_MINUS_ONE = Buffer.from('ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');

function hasPrimeOrder(publicKey: Uint8Array): boolean {
  // libsodium's own point check: canonical y < p, on the curve, not of small order, and [L]P with X = 0. That last
  // test passes A + (0, -1), whose [L] multiple is the order-2 point (0, -1), so the order-2 component is refused
  // below: for such a point [L - 1]P is -A, not -P.
  if (!sodium.crypto_core_ed25519_is_valid_point(publicKey)) return false;
  const multiple = new Uint8Array(PUBLIC_KEY_BYTES);
  try {
    sodium.crypto_scalarmult_ed25519_noclamp(multiple, ORDER_MINUS_ONE, publicKey);
  } catch {
    return false;
  }
  // -P is P with the sign bit of x flipped (x is never 0 here: those points are of small order).
  const negated = Buffer.from(publicKey);
  negated[31] = (negated[31] as number) ^ 0x80;
  return negated.equals(Buffer.from(multiple));
}

const keyVerdicts = new Map<string, boolean>();
const MAX_CACHED_KEYS = 4096;

/**
 * A public key of 32 bytes that encodes a point of prime order canonically. Every key a root, a key file, an
 * enrolment or a verification names passes here. Verdicts are cached (a fleet's keys recur on every request;
 * the check costs two scalar multiplications); a flood of new keys only evicts.
 */
export function isStrictPublicKey(publicKey: unknown): publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  const cacheKey = Buffer.from(publicKey).toString('hex');
  let verdict = keyVerdicts.get(cacheKey);
  if (verdict === undefined) {
    verdict = hasPrimeOrder(publicKey);
    if (keyVerdicts.size >= MAX_CACHED_KEYS) keyVerdicts.clear();
    keyVerdicts.set(cacheKey, verdict);
  }
  return verdict;
}

/** A signature of Ed25519's size and a strict public key: anything else is a failed check without verifying. */
export function checkable(signature: unknown, publicKey: unknown): signature is Uint8Array {
  return signature instanceof Uint8Array && signature.length === SIGNATURE_BYTES && isStrictPublicKey(publicKey);
}

/** libsodium's verify: canonical S < L, R not of small order, the key canonical and not of small order. */
export function verifyCheckable(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey) === true;
  } catch {
    return false;
  }
}

export function verifyDetached(message: Uint8Array, signature: unknown, publicKey: unknown): boolean {
  return checkable(signature, publicKey) && verifyCheckable(message, signature, publicKey as Uint8Array);
}

export interface SignatureCheck {
  message: Uint8Array;
  /** Null when it did not decode: a failed check. */
  signature: Uint8Array | null;
  publicKey: Uint8Array;
}

/** Checks several signatures (the central server's implementation runs them in worker threads); one verdict per check, in order. */
export type VerifySignatures = (checks: readonly SignatureCheck[]) => Promise<boolean[]>;

/** VerifySignatures in this thread: the bench's own log checks; the central server brings its workers (server/sync/signature-verifier.ts). */
export const verifyMany: VerifySignatures = (checks) => Promise.resolve(checks.map((check) => verifyDetached(check.message, check.signature, check.publicKey)));

/** Strict base64 decoding: anything that does not round-trip is rejected rather than half-decoded. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
