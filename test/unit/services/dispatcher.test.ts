import { describe, expect, it, vi } from 'vitest';
import type { BenchSettings, BenchStatus } from '../../../electron/contract/bench-api';
import { benchMethodNames } from '../../../electron/contract/channels';
import { allowEveryone, createDispatcher, type BenchHandlers } from '../../../electron/services/dispatcher';
import { ServiceError } from '../../../electron/services/service-error';

const settings: BenchSettings = {
  benchPort: null,
  serverUrl: null,
  language: 'en',
  releaseChannel: 'stable',
  workshopName: '',
  workshopAddress: '',
  timeZone: 'UTC',
  labelPrinter: { kind: 'download' },
  documentPrinter: { kind: 'download' },
};

function handlers(overrides: Partial<BenchHandlers> = {}): BenchHandlers {
  const unused = Object.fromEntries(
    benchMethodNames.map((name) => [
      name,
      () => {
        throw new Error(`${name} is not used in this test`);
      },
    ]),
  ) as unknown as BenchHandlers;
  return {
    ...unused,
    getStatus: () => ({}) as BenchStatus,
    getSettings: () => settings,
    updateSettings: (input) => ({ ...settings, ...input }),
    ...overrides,
  };
}

describe('dispatcher', () => {
  const logger = { error: vi.fn() };

  it('answers a valid call with an ok envelope', async () => {
    const dispatch = createDispatcher(handlers(), logger, allowEveryone);
    await expect(dispatch('updateSettings', { benchPort: 'tcp://127.0.0.1:4001' })).resolves.toEqual({
      ok: true,
      value: { ...settings, benchPort: 'tcp://127.0.0.1:4001' },
    });
  });

  it.each([undefined, {}])('accepts %j for a method without arguments', async (input) => {
    const dispatch = createDispatcher(handlers(), logger, allowEveryone);
    await expect(dispatch('getSettings', input)).resolves.toMatchObject({ ok: true });
  });

  it.each([
    ['an unknown method', 'dropTables', undefined, 'UNKNOWN_METHOD'],
    ['a non-string method', 42, undefined, 'UNKNOWN_METHOD'],
    ['an inherited property name', 'constructor', undefined, 'UNKNOWN_METHOD'],
    ['extra fields', 'getSettings', { admin: true }, 'INVALID_ARGUMENT'],
    ['a wrong type', 'updateSettings', { language: 7 }, 'INVALID_ARGUMENT'],
    ['an unknown enum value', 'updateSettings', { language: 'xx' }, 'INVALID_ARGUMENT'],
    ['a shell string as port', 'updateSettings', { benchPort: '/dev/ttyUSB0; rm -rf /' }, 'INVALID_ARGUMENT'],
    ['a non-http server URL', 'updateSettings', { serverUrl: 'file:///etc/passwd' }, 'INVALID_ARGUMENT'],
    ['unknown keys in an update', 'updateSettings', { benchPort: null, isAdmin: true }, 'INVALID_ARGUMENT'],
    ['an array instead of an object', 'updateSettings', ['en'], 'INVALID_ARGUMENT'],
  ])('refuses %s with %s', async (_label, method, input, code) => {
    const handler = vi.fn();
    const dispatch = createDispatcher(handlers({ updateSettings: handler, getSettings: handler }), logger, allowEveryone);
    const result = await dispatch(method, input);
    expect(result).toMatchObject({ ok: false, error: { code } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('asks the authorizer before validating, and returns its refusal', async () => {
    const handler = vi.fn();
    const seen: unknown[] = [];
    const dispatch = createDispatcher(handlers({ updateSettings: handler }), logger, (method, access) => {
      seen.push([method, access]);
      return { code: 'FORBIDDEN', message: 'Only an admin may change settings.' };
    });
    await expect(dispatch('updateSettings', { language: 'not even valid' })).resolves.toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Only an admin may change settings.' },
    });
    expect(seen).toEqual([['updateSettings', ['admin']]]);
    expect(handler).not.toHaveBeenCalled();
  });

  it('passes the params of a ServiceError through for the catalog sentence', async () => {
    const params = { partNumber: '0445110', until: { instant: '2026-12-05T09:14:00.000Z' } };
    const dispatch = createDispatcher(
      handlers({
        getStatus: () => {
          throw new ServiceError('UNKNOWN_PART', 'No active pack lists part 0445110.', { params });
        },
      }),
      logger,
      allowEveryone,
    );
    await expect(dispatch('getStatus', undefined)).resolves.toEqual({ ok: false, error: { code: 'UNKNOWN_PART', message: 'No active pack lists part 0445110.', params } });
  });

  it('passes a ServiceError through as its code and message', async () => {
    const dispatch = createDispatcher(
      handlers({
        getStatus: () => {
          throw new ServiceError('NOT_CONFIGURED', 'No bench port set: open Settings.');
        },
      }),
      logger,
      allowEveryone,
    );
    await expect(dispatch('getStatus', undefined)).resolves.toEqual({
      ok: false,
      error: { code: 'NOT_CONFIGURED', message: 'No bench port set: open Settings.' },
    });
  });

  it('hides unexpected errors behind INTERNAL and logs them', async () => {
    const log = { error: vi.fn() };
    const dispatch = createDispatcher(
      handlers({
        getSettings: async () => {
          throw new Error('SQLITE_CORRUPT at /secret/path');
        },
      }),
      log,
      allowEveryone,
    );
    const result = await dispatch('getSettings', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain('/secret/path');
    expect(log.error).toHaveBeenCalledOnce();
  });
});
