import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../trust/crypto';
import { signCreditGrant, verifyCreditGrant } from '../../../trust/credit-grant';
import { buildRootDocument } from '../../../trust/repository';
import { keyRoles, type KeyRole } from '../../../trust/schemas';

const keys = Object.fromEntries(keyRoles.map((role) => [role, generateKeyPair()])) as Record<KeyRole, ReturnType<typeof generateKeyPair>>;
const root = buildRootDocument(keys, { version: 1, expires: '2030-01-01T00:00:00Z', environment: 'production' });
const now = new Date('2026-06-01T00:00:00Z');
const grant = { bench_id: 'bench-0000000000000001', grant_id: 'g-1', credits: 30, issued_at: '2026-06-01T00:00:00Z', expires: '2026-07-01T00:00:00Z' };
const options = { root, benchId: 'bench-0000000000000001', now, lastTrustedTime: null, redeemedGrantIds: new Set<string>() };

describe('credit grants', () => {
  it('accept a grant signed by the credits key for this bench', () => {
    expect(verifyCreditGrant(signCreditGrant(grant, keys.credits), options)).toMatchObject({ credits: 30, grant_id: 'g-1' });
  });

  it('refuse another role key, another bench, a replay and an expired grant', () => {
    expect(() => verifyCreditGrant(signCreditGrant(grant, keys.director), options)).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    expect(() => verifyCreditGrant(signCreditGrant(grant, keys.credits), { ...options, benchId: 'bench-0000000000000002' })).toThrow(expect.objectContaining({ code: 'WRONG_TARGET' }));
    expect(() => verifyCreditGrant(signCreditGrant(grant, keys.credits), { ...options, redeemedGrantIds: new Set(['g-1']) })).toThrow(expect.objectContaining({ code: 'ROLLBACK' }));
    expect(() => verifyCreditGrant(signCreditGrant(grant, keys.credits), { ...options, now: new Date('2026-08-01T00:00:00Z') })).toThrow(expect.objectContaining({ code: 'EXPIRED' }));
  });

  it('refuse any grant while the clock reads earlier than the last trusted time', () => {
    expect(() => verifyCreditGrant(signCreditGrant(grant, keys.credits), { ...options, lastTrustedTime: '2026-06-02T00:00:00.000Z' })).toThrow(expect.objectContaining({ code: 'CLOCK_ROLLBACK' }));
    expect(verifyCreditGrant(signCreditGrant(grant, keys.credits), { ...options, lastTrustedTime: now.toISOString() })).toMatchObject({ grant_id: 'g-1' });
  });
});
