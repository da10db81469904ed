import { describe, expect, it } from 'vitest';
import { openBenchCore } from '../../../electron/services/bench-core';
import { signCreditGrant } from '../../../trust/credit-grant';
import { importCreditGrant } from '../../../electron/services/credits/credit-service';
import { developmentKeys } from '../../../trust/demo-repository';
import { SPEC, type CreditGrant } from '../../../trust/schemas';
import { useTempDirs } from '../../helpers/temp-dir';

const keys = developmentKeys();

describe('credit grants', () => {
  const tempDir = useTempDirs();

  function bench() {
    const core = openBenchCore({ dataDir: tempDir(), bundledRootFile: 'resources/trust/root.json', appVersion: '0.1.0', production: false });
    const grant = (overrides: Partial<CreditGrant> = {}): CreditGrant => ({
      type: 'credit_grant',
      spec: SPEC,
      bench_id: core.identity.benchId,
      grant_id: 'grant-1',
      credits: 12,
      issued_at: '2026-11-01T00:00:00Z',
      expires: '2030-01-01T00:00:00Z',
      ...overrides,
    });
    const importBytes = (bytes: Uint8Array) =>
      importCreditGrant({ benchId: core.identity.benchId, packs: core.packs, sessions: core.store.sessions, log: core.log, now: () => new Date('2026-11-22T00:00:00Z') }, bytes);
    return { core, grant, importBytes };
  }

  it('books a grant signed by the credits key once, and logs it', () => {
    const { core, grant, importBytes } = bench();
    const bytes = signCreditGrant(grant(), keys.credits);
    expect(importBytes(bytes)).toMatchObject({ added: true, balance: 12 });
    expect(importBytes(bytes)).toMatchObject({ added: false, balance: 12 });
    expect([...core.store.integrityLog.entries()].filter((entry) => entry.type === 'credits.grant_imported')).toHaveLength(1);
    core.close();
  });

  it.each([
    ['signed with another role key', () => [{}, keys.index] as const, 'BAD_SIGNATURE'],
    ['for another bench', () => [{ bench_id: 'bench-ffffffffffffffff' }, keys.credits] as const, 'WRONG_TARGET'],
    ['expired', () => [{ expires: '2026-11-01T00:00:00Z' }, keys.credits] as const, 'EXPIRED'],
  ])('refuses a grant %s and books nothing', (_label, make, code) => {
    const { core, grant, importBytes } = bench();
    const [overrides, signers] = make();
    expect(() => importBytes(signCreditGrant(grant(overrides), signers))).toThrow(expect.objectContaining({ code }));
    expect(core.store.sessions.balance()).toBe(0);
    expect([...core.store.integrityLog.entries()].at(-1)?.type).toBe('credits.grant_refused');
    core.close();
  });

  it('refuses a grant whose signed bytes were changed', () => {
    const { core, grant, importBytes } = bench();
    const envelope = JSON.parse(Buffer.from(signCreditGrant(grant(), keys.credits)).toString('utf8')) as { signed: string };
    const payload = JSON.parse(Buffer.from(envelope.signed, 'base64').toString('utf8')) as CreditGrant;
    payload.credits = 1200;
    envelope.signed = Buffer.from(JSON.stringify(payload)).toString('base64');
    expect(() => importBytes(Buffer.from(JSON.stringify(envelope)))).toThrow(expect.objectContaining({ code: 'BAD_SIGNATURE' }));
    expect(core.store.sessions.balance()).toBe(0);
    core.close();
  });
});
