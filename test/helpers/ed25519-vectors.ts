/**
 * Weak-key and malleable-signature vectors for the strict Ed25519 (trust/ed25519.ts), built with plain BigInt
 * curve arithmetic so they do not depend on the library under test. The forgeries are real: each one passes a
 * lenient verifier (OpenSSL's for the small-order keys; a cofactorless check without the subgroup test for the
 * mixed-order keys), so refusing them proves the strict checks, not a wrong byte.
 */
import { createHash } from 'node:crypto';
import { generateKeyPair, type Ed25519KeyPair } from '../../trust/ed25519';

const p = 2n ** 255n - 19n;
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const mod = (a: bigint, m = p): bigint => ((a % m) + m) % m;
function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % p;
    b = (b * b) % p;
  }
  return result;
}
const inv = (a: bigint): bigint => pow(a, p - 2n);
const d = mod(-121665n * inv(121666n));
const sqrtMinusOne = pow(2n, (p - 1n) / 4n);
type Point = readonly [bigint, bigint];
const identity: Point = [0n, 1n];

function add([x1, y1]: Point, [x2, y2]: Point): Point {
  const t = mod(d * x1 * x2 * y1 * y2);
  return [mod((x1 * y2 + y1 * x2) * inv(1n + t)), mod((y1 * y2 + x1 * x2) * inv(1n - t))];
}
function multiply(point: Point, scalar: bigint): Point {
  let result = identity;
  let addend = point;
  for (let k = scalar; k > 0n; k >>= 1n) {
    if (k & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}
function xFor(y: bigint): bigint | null {
  const u = mod(y * y - 1n);
  const v = mod(d * y * y + 1n);
  let x = pow(u * inv(v), (p + 3n) / 8n);
  if (mod(x * x * v - u) !== 0n) x = mod(x * sqrtMinusOne);
  return mod(x * x * v - u) === 0n ? x : null;
}
const littleEndian = (value: bigint): Buffer => {
  const bytes = Buffer.alloc(32);
  for (let i = 0, v = value; i < 32; i += 1, v >>= 8n) bytes[i] = Number(v & 0xffn);
  return bytes;
};
const fromLittleEndian = (bytes: Uint8Array): bigint => [...bytes].reverse().reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
export function encode([x, y]: Point): Buffer {
  const bytes = littleEndian(y);
  if (x & 1n) bytes[31] = (bytes[31] as number) | 0x80;
  return bytes;
}
function decode(bytes: Uint8Array): Point {
  const y = fromLittleEndian(bytes) & (2n ** 255n - 1n);
  const x = xFor(y);
  if (x === null) throw new Error('not a point');
  return [((x & 1n) === BigInt((bytes[31] as number) >> 7)) ? x : mod(-x), y];
}

/** A point of order exactly 8 (found by clearing the prime-order part of curve points). */
function orderEightPoint(): Point {
  for (let y = 2n; ; y += 1n) {
    const x = xFor(y);
    if (x === null) continue;
    const torsion = multiply([x, y], L);
    const four = multiply(torsion, 4n);
    if (!(four[0] === 0n && four[1] === 1n)) return torsion;
  }
}
const order8 = orderEightPoint();
const order4 = multiply(order8, 2n);
const order2: Point = [0n, p - 1n];

const sha512 = (...parts: Uint8Array[]): bigint => fromLittleEndian(createHash('sha512').update(Buffer.concat(parts)).digest());
function secretScalar(pair: Ed25519KeyPair): { a: bigint; prefix: Buffer } {
  const h = createHash('sha512').update(pair.secretKey.subarray(0, 32)).digest();
  const scalarBytes = Buffer.from(h.subarray(0, 32));
  scalarBytes[0] = (scalarBytes[0] as number) & 248;
  scalarBytes[31] = ((scalarBytes[31] as number) & 127) | 64;
  return { a: fromLittleEndian(scalarBytes), prefix: Buffer.from(h.subarray(32)) };
}
const basePoint = decode(Buffer.from('5866666666666666666666666666666666666666666666666666666666666666', 'hex'));

/**
 * Signs `message` with A's secret for the public key `claimed` = A + T (T a torsion point): picks nonces until
 * the hash h = H(R, claimed, M) makes [h]T vanish, so a cofactorless verifier that skips the subgroup check of
 * the key accepts it. This is how one secret would sign for two key ids.
 */
export function signForMixedKey(pair: Ed25519KeyPair, claimed: Uint8Array, torsionOrder: bigint, message: Uint8Array): Buffer {
  const { a } = secretScalar(pair);
  for (let nonce = 1n; ; nonce += 1n) {
    const r = mod(sha512(littleEndian(nonce), message), L);
    const R = encode(multiply(basePoint, r));
    const h = mod(sha512(R, claimed, message), L);
    if (h % torsionOrder !== 0n) continue;
    return Buffer.concat([R, littleEndian(mod(r + h * a, L))]);
  }
}

/** A signature whose R is the identity (small order): S = h·a, valid in the group equation, refused by strict verify. */
export function signWithIdentityR(pair: Ed25519KeyPair, message: Uint8Array): Buffer {
  const { a } = secretScalar(pair);
  const R = encode(identity);
  const h = mod(sha512(R, pair.publicKey, message), L);
  return Buffer.concat([R, littleEndian(mod(h * a, L))]);
}

/** The signature with L added to S: the same group equation, S not canonical. */
export function withUnreducedS(signature: Uint8Array): Buffer {
  return Buffer.concat([signature.subarray(0, 32), littleEndian(fromLittleEndian(signature.subarray(32)) + L)]);
}

export interface WeakKeyVector {
  name: string;
  publicKey: Buffer;
  /** A signature over `message` that a lenient verifier accepts for this key (when one exists). */
  sign(message: Uint8Array): Buffer;
}

/** Keys a root, a key file or an enrolment must refuse; A is a real key, the base of the mixed-order ones. */
export function weakKeyVectors(A: Ed25519KeyPair = generateKeyPair()): WeakKeyVector[] {
  const universal = (): Buffer => Buffer.concat([encode(identity), Buffer.alloc(32)]);
  const mixed = (torsion: Point, order: bigint, name: string): WeakKeyVector => {
    const publicKey = encode(add(decode(A.publicKey), torsion));
    return { name, publicKey, sign: (message) => signForMixedKey(A, publicKey, order, message) };
  };
  return [
    { name: 'identity key', publicKey: encode(identity), sign: universal },
    { name: 'all-zero key', publicKey: Buffer.alloc(32), sign: universal },
    { name: 'order-2 key', publicKey: encode(order2), sign: universal },
    { name: 'order-4 key', publicKey: encode(order4), sign: universal },
    { name: 'order-8 key', publicKey: encode(order8), sign: universal },
    mixed(order2, 2n, 'mixed-order key A + order-2 point'),
    mixed(order8, 8n, 'mixed-order key A + order-8 point'),
    { name: 'non-canonical identity (y = p + 1)', publicKey: littleEndian(p + 1n), sign: universal },
    { name: 'non-canonical y = p', publicKey: littleEndian(p), sign: universal },
  ];
}
