import { describe, expect, it, vi } from 'vitest';
import type { BenchEventName } from '../../../electron/contract/channels';
import { createBenchClient, type BenchTransport } from '../../../electron/contract/client';

function fakeTransport(reply: (method: string, input: unknown) => unknown) {
  let deliver: ((event: BenchEventName, payload: unknown) => void) | null = null;
  const unsubscribe = vi.fn(() => {
    deliver = null;
  });
  const transport: BenchTransport = {
    invoke: async (method, input) => reply(method, input),
    subscribe: (listener) => {
      deliver = listener;
      return unsubscribe;
    },
  };
  return { transport, unsubscribe, emit: (event: BenchEventName, payload: unknown) => deliver?.(event, payload) };
}

describe('bench client', () => {
  it('returns envelopes as they come', async () => {
    const { transport } = fakeTransport(() => ({ ok: false, error: { code: 'NOT_CONFIGURED', message: 'set a port' } }));
    await expect(createBenchClient(transport).getStatus()).resolves.toEqual({ ok: false, error: { code: 'NOT_CONFIGURED', message: 'set a port' } });
  });

  it('keeps the params an error carries for the catalog sentence', async () => {
    const error = { code: 'LOCKED_OUT', message: 'locked', params: { name: 'Anna', until: { instant: '2026-12-05T09:14:00.000Z' }, triesLeft: 0 } };
    const { transport } = fakeTransport(() => ({ ok: false, error }));
    await expect(createBenchClient(transport).getSettings()).resolves.toEqual({ ok: false, error });
  });

  it.each([
    null,
    'text',
    { ok: true },
    { ok: false },
    { ok: false, error: { code: 1 } },
    { ok: false, error: { code: 'LOCKED_OUT', message: 'm', params: 'Anna' } },
    { ok: false, error: { code: 'LOCKED_OUT', message: 'm', params: { until: { instant: 1 } } } },
    { ok: false, error: { code: 'LOCKED_OUT', message: 'm', params: { until: { instant: 'x', extra: 1 } } } },
    { ok: false, error: { code: 'LOCKED_OUT', message: 'm', params: { until: { instant: 'x', day: 'y' } } } },
    { ok: false, error: { code: 'CALIBRATION_OVERDUE', message: 'm', params: { due: { day: 20270301 } } } },
    { ok: false, error: { code: 'LOCKED_OUT', message: 'm', params: { left: null } } },
  ])('turns the reply %j into TRANSPORT_ERROR', async (reply) => {
    const { transport } = fakeTransport(() => reply);
    await expect(createBenchClient(transport).getSettings()).resolves.toMatchObject({ ok: false, error: { code: 'TRANSPORT_ERROR' } });
  });

  it('subscribes the transport once and releases it when the last listener leaves', () => {
    const { transport, unsubscribe, emit } = fakeTransport(() => null);
    const client = createBenchClient(transport);
    const first = vi.fn();
    const second = vi.fn();
    const offFirst = client.on('status', first);
    const offSecond = client.on('status', second);
    emit('status', { tick: 1 });
    offFirst();
    emit('status', { tick: 2 });
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(2);
    expect(unsubscribe).not.toHaveBeenCalled();
    offSecond();
    expect(unsubscribe).toHaveBeenCalledOnce();
  });

  it('ignores subscriptions to events the contract does not define', () => {
    const { transport } = fakeTransport(() => null);
    const off = createBenchClient(transport).on('bogus' as BenchEventName, vi.fn());
    expect(off()).toBeUndefined();
  });
});
