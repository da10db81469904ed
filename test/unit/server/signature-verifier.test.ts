/**
 * The central server's signature workers: verdicts come back in order, per request, and anything
 * malformed is a failed check, never a pass or a throw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, signDetached, type SignatureCheck } from '../../../trust/ed25519';
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
