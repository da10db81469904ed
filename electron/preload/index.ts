/**
 * The preload: the only bridge between the sandboxed renderer and main. It exposes exactly one global,
 * `window.bench`, built from the contract; raw ipcRenderer never reaches the page.
 * Bundled to one CommonJS file because sandboxed preloads cannot load modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, ipcChannelFor, isBenchEventName } from '../contract/channels';
import { createBenchClient } from '../contract/client';

const bench = createBenchClient({
  invoke: (method, input) => ipcRenderer.invoke(ipcChannelFor(method), input),
  subscribe(listener) {
    const onEvent = (_event: IpcRendererEvent, message: unknown): void => {
      const { event, payload } = (message ?? {}) as { event?: unknown; payload?: unknown };
      if (isBenchEventName(event)) listener(event, payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, onEvent);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, onEvent);
    };
  },
});

contextBridge.exposeInMainWorld('bench', bench);
