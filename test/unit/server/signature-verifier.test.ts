/**
 * The central server's signature workers: verdicts come back in order, per request, and anything
 * malformed is a failed check, never a pass or a throw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, signDetached, verifyDetached, type SignatureCheck } from '../../../trust/ed25519';
import { SignatureVerifier } from '../../../server/sync/signature-verifier';

const bench = generateKeyPair();
const other = generateKeyPair();
const message = (n: number) => new TextEncoder().encode(`checkpoint ${n}`);
const signed = (n: number, keys = bench): SignatureCheck => ({ message: message(n), signature: signDetached(message(n), keys.secretKey), publicKey: bench.publicKey });

describe('SignatureVerifier', () => {
  let verifier: SignatureVerifier | null = null;
  afterEach(async () => {
    await verifier?.close();
    verifier = null;
  });

  it('returns one verdict per check, in order, failing forged, altered and malformed ones', async () => {
    verifier = new SignatureVerifier(2);
    const altered = { ...signed(2), message: message(3) };
    const checks: SignatureCheck[] = [
      signed(1),
      signed(2, other),
      altered,
      { ...signed(4), signature: null },
      { ...signed(5), signature: new Uint8Array(10) },
      { ...signed(6), publicKey: new Uint8Array(0) },
      signed(7),
    ];
    expect(await verifier.verify(checks)).toEqual([true, false, false, false, false, false, true]);
    expect(await verifier.verify([])).toEqual([]);
  });

  it('keeps each request\'s verdicts together when many requests are in flight across workers', async () => {
    verifier = new SignatureVerifier(2);
    const requests = Array.from({ length: 40 }, (_, r) => Array.from({ length: 5 }, (_, i) => (i === r % 5 ? signed(r * 10 + i, other) : signed(r * 10 + i))));
    const verdicts = await Promise.all(requests.map((checks) => verifier?.verify(checks)));
    verdicts.forEach((list, r) => expect(list).toEqual(Array.from({ length: 5 }, (_, i) => i !== r % 5)));
  });

});

describe('SignatureVerifier (libsodium) against the bench\'s verifier (OpenSSL, through Node\'s crypto)', () => {
  it('agrees on canonical and non-canonical signatures, and alone refuses a small-order key', async () => {
    const verifier = new SignatureVerifier(1);
    try {
      const good = signed(1);
      // S + L: the same point equation, but S is not reduced; RFC 8032 requires refusing it, and both do.
      const unreduced = { ...good, signature: addGroupOrderToS(good.signature ?? new Uint8Array(64)) };
      const checks = [good, unreduced, { ...good, message: message(2) }, signed(3, other)];
      const bench = checks.map((c) => verifyDetached(c.message, c.signature, c.publicKey));
      expect(bench).toEqual([true, false, false, false]);
      expect(await verifier.verify(checks)).toEqual(bench);
      // The identity point as the key, R the identity and S = 0: OpenSSL 3.0 (Node 20) accepts it for any
      // message, OpenSSL 3.5 (Node 24) refuses it; libsodium refuses small-order keys on every Node, so nobody
      // can enrol, or speak for, a bench with a key like that.
      const identity = new Uint8Array(32);
      identity[0] = 1;
      const universal = { message: message(9), signature: Uint8Array.from([...identity, ...new Uint8Array(32)]), publicKey: identity };
      const opensslAcceptsSmallOrderKeys = Number(process.versions.openssl.split('.')[0]) === 3 && Number(process.versions.openssl.split('.')[1]) < 5;
      expect(verifyDetached(universal.message, universal.signature, universal.publicKey)).toBe(opensslAcceptsSmallOrderKeys);
      expect(await verifier.verify([universal])).toEqual([false]);
    } finally {
      await verifier.close();
    }
  });
});

/** The signature with L (the order of the base point) added to its scalar S, little-endian in bytes 32..63. */
function addGroupOrderToS(signature: Uint8Array): Uint8Array {
  const order = 2n ** 252n + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 63; i >= 32; i -= 1) s = (s << 8n) | BigInt(signature[i] ?? 0);
  let sum = s + order;
  const out = Uint8Array.from(signature);
  for (let i = 32; i < 64; i += 1) {
    out[i] = Number(sum & 0xffn);
    sum >>= 8n;
  }
  return out;
}
