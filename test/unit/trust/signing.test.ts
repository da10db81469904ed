import { describe, expect, it } from 'vitest';
import { generateKeyPair, signPayload, verifyPayloadSignature } from '../../../trust/crypto';
import { developmentKeyIds, developmentKeyPair } from '../../../trust/dev-keys';
import { encodeEnvelope, openEnvelope, parsePayload, requireThreshold } from '../../../trust/envelope';
import { rootSchema, type RootDocument } from '../../../trust/schemas';
import { cohortBucket } from '../../../trust/target-policy';

const payload = Buffer.from('{"type":"index"}');

function keysOf(...pairs: ReturnType<typeof generateKeyPair>[]): RootDocument['keys'] {
  return Object.fromEntries(pairs.map((pair) => [pair.keyid, { scheme: 'ed25519' as const, public: Buffer.from(pair.publicKey).toString('hex') }]));
}

describe('Ed25519 over role-prefixed exact bytes', () => {
  it('verifies the role it was made for and no other', () => {
    const key = generateKeyPair();
    const signature = signPayload('index', payload, key.secretKey);
    expect(verifyPayloadSignature('index', payload, signature, key.publicKey)).toBe(true);
    expect(verifyPayloadSignature('snapshot', payload, signature, key.publicKey)).toBe(false);
    expect(verifyPayloadSignature('index', Buffer.concat([payload, Buffer.from(' ')]), signature, key.publicKey)).toBe(false);
  });

  it('turns wrong sizes into a failed check, never a throw', () => {
    const key = generateKeyPair();
    expect(verifyPayloadSignature('index', payload, new Uint8Array(3), key.publicKey)).toBe(false);
    expect(verifyPayloadSignature('index', payload, new Uint8Array(64), new Uint8Array(5))).toBe(false);
  });

  it('derives development keys from public seeds and recognises them', () => {
    expect(developmentKeyPair('root').keyid).toBe(developmentKeyPair('root').keyid);
    expect(developmentKeyIds.has(developmentKeyPair('index').keyid)).toBe(true);
    expect(developmentKeyIds.has(generateKeyPair().keyid)).toBe(false);
  });
});

describe('envelopes and thresholds', () => {
  it('refuses oversize, non-JSON, non-envelope and non-canonical base64 as typed errors', () => {
    const key = generateKeyPair();
    const bytes = encodeEnvelope('index', payload, [key]);
    expect(() => openEnvelope(bytes, bytes.length - 1, 'index')).toThrow(expect.objectContaining({ code: 'OVERSIZE' }));
    expect(() => openEnvelope(Buffer.from('{'), 100, 'index')).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(() => openEnvelope(Buffer.from('{"signed":"","signatures":[],"x":1}'), 100, 'index')).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    // "QQ==" and "QR==" decode to the same byte; only the canonical spelling is accepted.
    expect(() => openEnvelope(Buffer.from('{"signed":"QR==","signatures":[]}'), 100, 'index')).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
    expect(openEnvelope(Buffer.from('{"signed":"QQ==","signatures":[]}'), 100, 'index').payload).toEqual(Buffer.from('A'));
  });

  it('counts unique key ids, ignores keys outside the role, and tells BAD_SIGNATURE from THRESHOLD_NOT_MET', () => {
    const [a, b, outsider] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
    const keys = keysOf(a, b, outsider);
    const role = { keyids: [a.keyid, b.keyid], threshold: 2 };
    const open = (...signers: ReturnType<typeof generateKeyPair>[]) => openEnvelope(encodeEnvelope('index', payload, signers), 1 << 16, 'index');
    expect(requireThreshold('index', open(a, b), role, keys, 'index').size).toBe(2);
    expect(() => requireThreshold('index', open(a, a), role, keys, 'index')).toThrow(expect.objectContaining({ code: 'THRESHOLD_NOT_MET' }));
    expect(() => requireThreshold('index', open(a, outsider), role, keys, 'index')).toThrow(expect.objectContaining({ code: 'THRESHOLD_NOT_MET' }));
    expect(() => requireThreshold('index', open(outsider), role, keys, 'index')).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    expect(() => requireThreshold('index', open(a), { keyids: [a.keyid, a.keyid], threshold: 2 }, keys, 'index')).toThrow(expect.objectContaining({ code: 'THRESHOLD_NOT_MET' }));
  });

  it('parses payloads with zod and reports the failing path', () => {
    const envelope = openEnvelope(encodeEnvelope('root', Buffer.from('{"type":"root"}'), []), 1 << 16, 'root');
    expect(() => parsePayload(envelope, rootSchema, 'root')).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });

  it('refuses a root whose key id is not the hash of its key', () => {
    const key = generateKeyPair();
    const other = generateKeyPair();
    const role = { keyids: [other.keyid], threshold: 1 };
    const result = rootSchema.safeParse({
      type: 'root',
      spec: 'injbench/1',
      version: 1,
      expires: '2030-01-01T00:00:00Z',
      environment: 'production',
      keys: { [other.keyid]: { scheme: 'ed25519', public: Buffer.from(key.publicKey).toString('hex') } },
      roles: { root: role, index: role, timestamp: role, director: role, credits: role },
    });
    expect(result.success).toBe(false);
  });
});

describe('cohort buckets', () => {
  it('are stable per bench and family and spread over 0-99', () => {
    expect(cohortBucket('bench-0000000000000001', 'fam-a')).toBe(cohortBucket('bench-0000000000000001', 'fam-a'));
    const buckets = Array.from({ length: 1000 }, (_, i) => cohortBucket(`bench-${i}`, 'fam-a'));
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThan(100);
    const underHalf = buckets.filter((bucket) => bucket < 50).length;
    expect(underHalf).toBeGreaterThan(400);
    expect(underHalf).toBeLessThan(600);
  });
});
