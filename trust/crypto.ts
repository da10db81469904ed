import { createHash } from 'node:crypto';
import { TrustError } from './errors';
import { generateKeyPair as generateEd25519KeyPair, keyPairFromSecretKey, signDetached, verifyDetached } from './ed25519';

/** Every signature covers this prefix, the document's role and its exact bytes. */
export const SIGNATURE_CONTEXT = 'injbench/1';

export type SigningRole = 'root' | 'index' | 'snapshot' | 'timestamp' | 'directive' | 'credit_grant' | 'app_release';

export interface KeyPair {
  keyid: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** A string is hashed as its UTF-8 bytes. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A key id is the SHA-256 of the raw public key, so one key can never appear under two ids. */
export function keyIdOf(publicKey: Uint8Array): string {
  return sha256Hex(publicKey);
}

export function generateKeyPair(): KeyPair {
  const pair = generateEd25519KeyPair();
  return { keyid: keyIdOf(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.secretKey };
}

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  const pair = keyPairFromSecretKey(secretKey);
  if (!pair) throw new TrustError('MALFORMED', 'an Ed25519 secret key is 64 bytes (seed, then public key).');
  return { keyid: keyIdOf(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.secretKey };
}

function signedMessage(role: SigningRole, payload: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(`${SIGNATURE_CONTEXT}:${role}:`, 'utf8'), payload]);
}

export function signPayload(role: SigningRole, payload: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return signDetached(signedMessage(role, payload), secretKey);
}

/** A wrong-sized key or signature is a failed check, never a crash and never a pass. */
export function verifyPayloadSignature(role: SigningRole, payload: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  return verifyDetached(signedMessage(role, payload), signature, publicKey);
}
