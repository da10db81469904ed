import { bundledRootFile } from '../../helpers/bundled-root';
import { describe, expect, it } from 'vitest';
import { createBenchServices, type BenchServices } from '../../../electron/services/bench-services';
import { hashPin, verifyPin } from '../../../common/pin-hash';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';

const cheapHash = (pin: string) => hashPin(pin, { N: 2 ** 10, r: 8, p: 1 });

describe('operators, sign-in and authorization', () => {
  const tempDir = useTempDirs();

  function bench(now: () => Date = () => new Date()) {
    return createBenchServices({
      dataDir: tempDir(),
      appVersion: '1.0.0',
      mode: 'workspace', bundledRootFile,
      logger: silentLogger(),
      statusIntervalMs: 0,
      hashPin: cheapHash,
      now,
      signInPolicy: { maxFailedAttempts: 3, lockoutSeconds: 60, idleTimeoutSeconds: 600 },
    });
  }

  async function call(services: BenchServices, method: string, input?: unknown) {
    const result = await services.dispatch(method, input);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code, params: result.error.params });
    return result.value as Record<string, unknown>;
  }

  async function withAdminAndTechnician(services: BenchServices) {
    await call(services, 'setupFirstAdmin', { name: 'Ana Admin', pin: '246810' });
    const technician = await call(services, 'createOperator', { name: 'Tom Tech', role: 'technician', pin: '1357' });
    await call(services, 'signOut');
    return { technicianId: String(technician.id) };
  }

  it('offers only first-admin setup on a new bench, once', async () => {
    const services = bench();
    expect(await call(services, 'getSession')).toMatchObject({ operator: null, setupRequired: true });
    await expect(call(services, 'listOperators')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const session = await call(services, 'setupFirstAdmin', { name: 'Ana Admin', pin: '246810' });
    expect(session).toMatchObject({ operator: { name: 'Ana Admin', role: 'admin' }, setupRequired: false });
    await call(services, 'signOut');
    await expect(call(services, 'setupFirstAdmin', { name: 'Mallory', pin: '0000' })).rejects.toMatchObject({ code: 'ALREADY_SET_UP' });
    await services.close();
  });

  it('lets a technician work but not administer, through the BenchApi', async () => {
    const services = bench();
    const { technicianId } = await withAdminAndTechnician(services);
    await call(services, 'signIn', { operatorId: technicianId, pin: '1357' });
    expect(await call(services, 'getSettings')).toMatchObject({ language: 'en' });
    for (const [method, input] of [
      ['updateSettings', { language: 'de' }],
      ['listOperators', undefined],
      ['createOperator', { name: 'Eve', role: 'admin', pin: '9999' }],
      ['updateOperator', { operatorId: technicianId, role: 'admin' }],
    ] as const) {
      await expect(call(services, method, input), method).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    await services.close();
  });

  it('locks an operator out after repeated wrong PINs, logs it, and lets an admin reset the PIN', async () => {
    let clock = new Date('2026-11-22T08:00:00Z');
    const services = bench(() => clock);
    const { technicianId } = await withAdminAndTechnician(services);
    await expect(call(services, 'signIn', { operatorId: technicianId, pin: '0000' })).rejects.toMatchObject({ code: 'BAD_CREDENTIALS', message: /2 tries left/, params: { triesLeft: 2 } });
    await expect(call(services, 'signIn', { operatorId: technicianId, pin: '1111' })).rejects.toMatchObject({ code: 'BAD_CREDENTIALS', params: { triesLeft: 1 } });
    // The lock-out instant travels as an instant, so the screen shows it in the bench's time zone.
    const lockedUntil = { instant: new Date(clock.getTime() + 60_000).toISOString() };
    await expect(call(services, 'signIn', { operatorId: technicianId, pin: '2222' })).rejects.toMatchObject({ code: 'LOCKED_OUT', params: { name: 'Tom Tech', until: lockedUntil } });
    // Even the right PIN is refused while locked.
    await expect(call(services, 'signIn', { operatorId: technicianId, pin: '1357' })).rejects.toMatchObject({ code: 'LOCKED_OUT', params: { until: lockedUntil } });
    const types = [...services.store.integrityLog.entries()].map((entry) => entry.type);
    expect(types.filter((type) => type === 'auth.sign_in_failed')).toHaveLength(3);
    expect(types).toContain('auth.sign_in_refused');
    expect(JSON.stringify([...services.store.integrityLog.entries()])).not.toContain('2222');

    clock = new Date(clock.getTime() + 61_000);
    expect(await call(services, 'signIn', { operatorId: technicianId, pin: '1357' })).toMatchObject({ operator: { role: 'technician' } });
    await services.close();
  });

  it('lets an admin lift a lockout or reset the PIN at once, recorded in the integrity log', async () => {
    const services = bench(() => new Date('2026-11-22T08:00:00Z'));
    const { technicianId } = await withAdminAndTechnician(services);
    const lockOut = async () => {
      for (const pin of ['0000', '1111', '2222']) await call(services, 'signIn', { operatorId: technicianId, pin }).catch(() => undefined);
      await expect(call(services, 'signIn', { operatorId: technicianId, pin: '1357' })).rejects.toMatchObject({ code: 'LOCKED_OUT' });
    };
    const asAdmin = async (input: Record<string, unknown>) => {
      const admin = (await call(services, 'listSignInOperators')) as unknown as { id: string; name: string }[];
      await call(services, 'signIn', { operatorId: admin.find((operator) => operator.name === 'Ana Admin')?.id, pin: '246810' });
      const detail = await call(services, 'updateOperator', { operatorId: technicianId, ...input });
      await call(services, 'signOut');
      return detail;
    };
    const lastUpdate = () => JSON.parse([...services.store.integrityLog.entries()].filter((entry) => entry.type === 'admin.operator_updated').at(-1)?.payloadJson ?? 'null') as Record<string, unknown>;

    await lockOut();
    expect(await asAdmin({ unlock: true })).toMatchObject({ lockedUntil: null });
    expect(lastUpdate()).toMatchObject({ operatorId: technicianId, pinReset: false, lockoutLifted: true });
    expect(await call(services, 'signIn', { operatorId: technicianId, pin: '1357' })).toMatchObject({ operator: { role: 'technician' } });
    await call(services, 'signOut');

    await lockOut();
    await asAdmin({ pin: '8642' });
    expect(lastUpdate()).toMatchObject({ pinReset: true, lockoutLifted: true });
    expect(JSON.stringify([...services.store.integrityLog.entries()])).not.toContain('8642');
    await expect(call(services, 'signIn', { operatorId: technicianId, pin: '1357' })).rejects.toMatchObject({ code: 'BAD_CREDENTIALS' });
    expect(await call(services, 'signIn', { operatorId: technicianId, pin: '8642' })).toMatchObject({ operator: { role: 'technician' } });
    await services.close();
  });

  it('signs out after the idle timeout', async () => {
    let clock = new Date('2026-11-22T08:00:00Z');
    const services = bench(() => clock);
    await call(services, 'setupFirstAdmin', { name: 'Ana Admin', pin: '246810' });
    clock = new Date(clock.getTime() + 601_000);
    await expect(call(services, 'listOperators')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await call(services, 'getSession')).toMatchObject({ operator: null });
    expect([...services.store.integrityLog.entries()].at(-1)).toMatchObject({ type: 'auth.signed_out', payloadJson: expect.stringContaining('"idle"') });
    await services.close();
  });

  it('never demotes or disables the last admin, and refuses duplicate names', async () => {
    const services = bench();
    await call(services, 'setupFirstAdmin', { name: 'Ana Admin', pin: '246810' });
    const [admin] = (await call(services, 'listOperators')) as unknown as Array<{ id: string }>;
    await expect(call(services, 'updateOperator', { operatorId: admin?.id, role: 'technician' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(call(services, 'updateOperator', { operatorId: admin?.id, disabled: true })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(call(services, 'createOperator', { name: 'ana admin', role: 'support', pin: '1234' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await services.close();
  });

  it('keeps disabled operators out', async () => {
    const services = bench();
    const { technicianId } = await withAdminAndTechnician(services);
    const adminId = String(((await call(services, 'listSignInOperators')) as unknown as Array<{ id: string; role: string }>).find((o) => o.role === 'admin')?.id);
    await call(services, 'signIn', { operatorId: adminId, pin: '246810' });
    await call(services, 'updateOperator', { operatorId: technicianId, disabled: true });
    await call(services, 'signOut');
    expect(((await call(services, 'listSignInOperators')) as unknown as unknown[]).length).toBe(1);
    await expect(call(services, 'signIn', { operatorId: technicianId, pin: '1357' })).rejects.toMatchObject({ code: 'BAD_CREDENTIALS' });
    await services.close();
  });
});

describe('PIN hashes', () => {
  it('verify the right PIN only, and reject malformed encodings', async () => {
    const encoded = await cheapHash('4711');
    expect(encoded).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await verifyPin('4711', encoded)).toBe(true);
    expect(await verifyPin('4712', encoded)).toBe(false);
    expect(await verifyPin('4711', 'plain$4711')).toBe(false);
    expect(await verifyPin('4711', 'scrypt$0$8$1$AAAA$AAAA')).toBe(false);
    expect(await cheapHash('4711')).not.toBe(encoded);
  });
});
