import { createHash } from 'node:crypto';
import nacl from 'tweetnacl';

/** Every signature covers this prefix, the document's role and its exact bytes. */
export const SIGNATURE_CONTEXT = 'injbench/1';

export type SigningRole = 'root' | 'index' | 'snapshot' | 'timestamp' | 'directive' | 'credit_grant';

export interface KeyPair {
  keyid: string;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A key id is the SHA-256 of the raw public key, so one key can never appear under two ids. */
export function keyIdOf(publicKey: Uint8Array): string {
  return sha256Hex(publicKey);
}

export function generateKeyPair(): KeyPair {
  const pair = nacl.sign.keyPair();
  return { keyid: keyIdOf(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.secretKey };
}

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  const pair = nacl.sign.keyPair.fromSecretKey(secretKey);
  return { keyid: keyIdOf(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.secretKey };
}

function signedMessage(role: SigningRole, payload: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(`${SIGNATURE_CONTEXT}:${role}:`, 'utf8'), payload]);
}

export function signPayload(role: SigningRole, payload: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return nacl.sign.detached(signedMessage(role, payload), secretKey);
}

/**
 * tweetnacl throws on a wrong-sized key or signature: a throw here is a failed check, never a crash
 * and never a pass.
 */
export function verifyPayloadSignature(role: SigningRole, payload: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return nacl.sign.detached.verify(signedMessage(role, payload), signature, publicKey) === true;
  } catch {
    return false;
  }
}
