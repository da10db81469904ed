import { describe, expect, it } from 'vitest';
import { creditsLedgerSchema, enrolmentSchema } from '../../../electron/contract/documents';
import { createBenchServices } from '../../../electron/services/bench-services';
import { hashPin } from '../../../common/pin-hash';
import { issueCreditGrant } from '../../../trust/credit-grant';
import { developmentKeys } from '../../../trust/demo-repository';
import { bundledRootFile } from '../../helpers/bundled-root';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';

function grant(benchId: string, grantId: string, credits: number): string {
  return Buffer.from(issueCreditGrant({ benchId, grantId, credits, validDays: 1, issuedAt: new Date() }, developmentKeys().credits).bytes).toString('utf8');
}

describe('admin and support methods of the BenchApi', () => {
  const tempDir = useTempDirs();

  async function adminBench() {
    const services = createBenchServices({ dataDir: tempDir(), appVersion: '1.0.0', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0, hashPin: (pin) => hashPin(pin, { N: 2 ** 10, r: 8, p: 1 }) });
    expect(await services.dispatch('setupFirstAdmin', { name: 'Ana', pin: '2468' })).toMatchObject({ ok: true });
    return services;
  }

  it('credits: a signed grant is booked once, shown in grants and ledger with running balance; a foreign or broken one is refused', async () => {
    const services = await adminBench();
    const benchId = services.identity.benchId;
    expect(await services.dispatch('importCreditGrant', { grant: grant(benchId, 'g-1', 10) })).toEqual({ ok: true, value: { grantId: 'g-1', credits: 10, added: true, balance: 10 } });
    expect(await services.dispatch('importCreditGrant', { grant: grant(benchId, 'g-2', 5) })).toMatchObject({ ok: true, value: { balance: 15 } });
    expect(await services.dispatch('importCreditGrant', { grant: grant(benchId, 'g-1', 10) })).toMatchObject({ ok: true, value: { added: false, balance: 15 } });
    const foreign = await services.dispatch('importCreditGrant', { grant: grant('bench-0000000000000000', 'g-3', 5) });
    expect(foreign).toMatchObject({ ok: false, error: { code: 'GRANT_REFUSED' } });
    expect(foreign.ok ? '' : foreign.error.message).toContain(`ask for a grant signed for bench ${benchId}`);
    expect(await services.dispatch('importCreditGrant', { grant: '{"not":"a grant"}' })).toMatchObject({ ok: false, error: { code: 'GRANT_REFUSED' } });

    const ledger = await services.dispatch('getCreditsLedger', undefined);
    if (!ledger.ok) throw new Error(ledger.error.message);
    const view = creditsLedgerSchema.parse(ledger.value);
    expect(view.balance).toBe(15);
    expect(view.grants.map((g) => g.grantId).sort()).toEqual(['g-1', 'g-2']);
    expect(view.entries.map((entry) => [entry.kind, entry.amount, entry.grantId, entry.balanceAfter])).toEqual([
      ['grant', 5, 'g-2', 15],
      ['grant', 10, 'g-1', 10],
    ]);
    await services.close();
  });

  it('enrolment: shows the bench identity and backlog; an unreachable server is a typed error that says what to do', async () => {
    const services = await adminBench();
    const before = await services.dispatch('getEnrolment', undefined);
    if (!before.ok) throw new Error(before.error.message);
    expect(enrolmentSchema.parse(before.value)).toMatchObject({ benchId: services.identity.benchId, serverUrl: null, enrolledAt: null });
    expect(before.value).toMatchObject({ backlog: { unsentEntries: expect.any(Number) } });
    const refused = await services.dispatch('enrolBench', { serverUrl: 'http://127.0.0.1:1', code: 'abcdefgh1234' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
    expect(refused.ok ? '' : refused.error.message).toContain('Check the server address and the network');
    expect(await services.dispatch('enrolBench', { serverUrl: 'ftp://x', code: 'abcdefgh1234' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    await services.close();
  });

  it('support bundle, label and documents: a bench without finished sessions says so instead of failing', async () => {
    const services = await adminBench();
    const bundle = await services.dispatch('exportSupportBundle', {});
    expect(bundle).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(bundle.ok ? '' : bundle.error.message).toContain('run one first, then export');
    expect(await services.dispatch('getSessionLabel', { sessionId: 'ses-20261122-0123456789ab' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await services.dispatch('exportSessionDocument', { sessionId: 'ses-20261122-0123456789ab', kind: 'pdf' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    await services.close();
  });

  it('only admins enrol and manage credits; support exports bundles; a technician does neither', async () => {
    const services = await adminBench();
    for (const [name, role, pin] of [
      ['Tom', 'technician', '1357'],
      ['Sue', 'support', '8642'],
    ] as const) {
      expect(await services.dispatch('createOperator', { name, role, pin })).toMatchObject({ ok: true });
    }
    const operators = await services.dispatch('listSignInOperators', undefined);
    const idOf = (name: string) => (operators.ok ? (operators.value as Array<{ id: string; name: string }>).find((o) => o.name === name)?.id : undefined);
    await services.dispatch('signOut', undefined);
    expect(await services.dispatch('signIn', { operatorId: idOf('Tom'), pin: '1357' })).toMatchObject({ ok: true });
    for (const method of ['getEnrolment', 'getCreditsLedger', 'exportSupportBundle'] as const) {
      expect(await services.dispatch(method, undefined)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    expect(await services.dispatch('importCreditGrant', { grant: 'x' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await services.dispatch('signOut', undefined);
    expect(await services.dispatch('signIn', { operatorId: idOf('Sue'), pin: '8642' })).toMatchObject({ ok: true });
    expect(await services.dispatch('exportSupportBundle', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await services.dispatch('getCreditsLedger', undefined)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await services.close();
  });
});
