import { describe, expect, it } from 'vitest';
import type { BenchApi } from '../../../electron/contract/bench-api';
import { IPC_EVENT_CHANNEL, benchMethodNames } from '../../../electron/contract/channels';
import { contextBridge, ipcRenderer } from '../../fakes/electron';

describe('preload', async () => {
  await import('../../../electron/preload/index');
  const bench = contextBridge.exposed.get('bench') as BenchApi;

  it('exposes exactly one global, window.bench, with every contract method', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['bench']);
    for (const method of benchMethodNames) expect(typeof bench[method]).toBe('function');
    expect(Object.isFrozen(bench)).toBe(true);
    expect(Object.keys(bench)).not.toContain('invoke');
  });

  it('invokes prefixed channels and passes the envelope through', async () => {
    ipcRenderer.reply = (channel) => ({ ok: true, value: { channel } });
    await expect(bench.getSettings()).resolves.toEqual({ ok: true, value: { channel: 'bench:getSettings' } });
    expect(ipcRenderer.invocations.at(-1)).toEqual({ channel: 'bench:getSettings', input: undefined });
  });

  it('turns a malformed reply or a rejected invoke into a TRANSPORT_ERROR envelope', async () => {
    ipcRenderer.reply = () => 'not an envelope';
    await expect(bench.getStatus()).resolves.toMatchObject({ ok: false, error: { code: 'TRANSPORT_ERROR' } });
    ipcRenderer.reply = () => {
      throw new Error('main process gone');
    };
    await expect(bench.getStatus()).resolves.toMatchObject({ ok: false, error: { code: 'TRANSPORT_ERROR', message: expect.stringContaining('main process gone') } });
  });

  it('delivers known events to listeners and stops after unsubscribe', () => {
    const received: unknown[] = [];
    const unsubscribe = bench.on('status', (payload) => received.push(payload));
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, { event: 'status', payload: { n: 1 } });
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, { event: 'not-an-event', payload: { n: 2 } });
    unsubscribe();
    ipcRenderer.emit(IPC_EVENT_CHANNEL, {}, { event: 'status', payload: { n: 3 } });
    expect(received).toEqual([{ n: 1 }]);
    expect(ipcRenderer.listenerCount(IPC_EVENT_CHANNEL)).toBe(0);
  });
});
