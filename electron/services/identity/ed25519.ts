/**
 * Ed25519 through tweetnacl, wrapped so that malformed keys or signatures are a failed check, never a
 * throw and never a pass (tweetnacl throws on wrong sizes and non-Uint8Array input).
 */
import nacl from 'tweetnacl';

export interface Ed25519KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export function generateKeyPair(): Ed25519KeyPair {
  return nacl.sign.keyPair();
}

export function keyPairFromSecretKey(secretKey: Uint8Array): Ed25519KeyPair | null {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== nacl.sign.secretKeyLength) return null;
  try {
    return nacl.sign.keyPair.fromSecretKey(secretKey);
  } catch {
    return null;
  }
}

export function signDetached(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return nacl.sign.detached(message, secretKey);
}

export function verifyDetached(message: Uint8Array, signature: unknown, publicKey: unknown): boolean {
  if (!(signature instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
  if (signature.length !== nacl.sign.signatureLength || publicKey.length !== nacl.sign.publicKeyLength) return false;
  try {
    return nacl.sign.detached.verify(message, signature, publicKey);
  } catch {
    return false;
  }
}

/** Strict base64 decoding: anything that does not round-trip is rejected rather than half-decoded. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : null;
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
