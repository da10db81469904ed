/**
 * The one Ed25519 of the code base: bench keys, log checkpoints, request signatures and the signed
 * release documents (trust/crypto.ts) all go through here. Malformed keys or signatures are a failed
 * check, never a throw and never a pass. Signing and verification run through Node's OpenSSL: the central
 * server checks every request and checkpoint of a fleet, and tweetnacl's pure-JS code was most of its
 * ingest time (see bench/server-ingest.ts). Key generation and the key format (64-byte secret = seed then
 * public key) stay tweetnacl's.
 */
import { createPrivateKey, createPublicKey, sign as opensslSign, verify as opensslVerify, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';

export interface Ed25519KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function generateKeyPair(): Ed25519KeyPair {
  return nacl.sign.keyPair();
}

/** Deterministic keys from a 32-byte seed (development keys, test fixtures). */
export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  return nacl.sign.keyPair.fromSeed(seed);
}

export function keyPairFromSecretKey(secretKey: Uint8Array): Ed25519KeyPair | null {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== nacl.sign.secretKeyLength) return null;
  try {
    return nacl.sign.keyPair.fromSecretKey(secretKey);
  } catch {
    return null;
  }
}

const privateKeyObjects = new WeakMap<Uint8Array, KeyObject>();

/** `secretKey` is tweetnacl's 64 bytes: the 32-byte seed, then the public key. */
export function signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  let key = privateKeyObjects.get(secretKey);
  if (!key) {
    const d = Buffer.from(secretKey.subarray(0, 32)).toString('base64url');
    const x = Buffer.from(secretKey.subarray(32, 64)).toString('base64url');
    key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d, x }, format: 'jwk' });
    privateKeyObjects.set(secretKey, key);
  }
  return new Uint8Array(opensslSign(null, message, key));
}

const publicKeyObjects = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 4096;

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const x = Buffer.from(publicKey).toString('base64url');
  let key = publicKeyObjects.get(x);
  if (!key) {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    // A bounded cache: a fleet's keys are reused on every request; a flood of new keys only evicts.
    if (publicKeyObjects.size >= MAX_CACHED_KEYS) publicKeyObjects.clear();
    publicKeyObjects.set(x, key);
  }
  return key;
}

/** A signature and a public key of Ed25519's sizes: anything else is a failed check without verifying. */
export function wellFormed(signature: unknown, publicKey: unknown): signature is Uint8Array {
  return (
    signature instanceof Uint8Array &&
    publicKey instanceof Uint8Array &&
    signature.length === nacl.sign.signatureLength &&
    publicKey.length === nacl.sign.publicKeyLength
  );
}

export function verifyDetached(message: Uint8Array, signature: unknown, publicKey: unknown): boolean {
  if (!wellFormed(signature, publicKey)) return false;
  try {
    return opensslVerify(null, message, publicKeyObject(publicKey as Uint8Array), signature);
  } catch {
    return false;
  }
}

/**
 * The same check on libuv's thread pool: a verification costs ~120 µs of CPU, which the central server
 * would otherwise spend on its one event loop for every request and checkpoint of the fleet.
 */
export function verifyDetachedOffThread(message: Uint8Array, signature: unknown, publicKey: unknown): Promise<boolean> {
  if (!wellFormed(signature, publicKey)) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      opensslVerify(null, message, publicKeyObject(publicKey as Uint8Array), signature, (error, valid) => resolve(!error && valid));
    } catch {
      resolve(false);
    }
  });
}

export interface SignatureCheck {
  message: Uint8Array;
  /** Null when it did not decode: a failed check. */
  signature: Uint8Array | null;
  publicKey: Uint8Array;
}

/** Checks several signatures off the event loop; one verdict per check, in order. */
export type VerifySignatures = (checks: readonly SignatureCheck[]) => Promise<boolean[]>;

/** VerifySignatures on libuv's thread pool; the central server brings its own workers (server/sync/signature-verifier.ts). */
export const verifyManyOffThread: VerifySignatures = (checks) =>
  Promise.all(checks.map((check) => verifyDetachedOffThread(check.message, check.signature, check.publicKey)));

/** Strict base64 decoding: anything that does not round-trip is rejected rather than half-decoded. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
