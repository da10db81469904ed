/**
 * The renderer's state: one zustand store composed from slices. Service events are wired to the store
 * here and nowhere else.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BenchApi } from '../../../electron/contract/bench-api';
import { createStatusSlice, type StatusSlice } from './status-slice';

export type AppState = StatusSlice;
export type AppStore = StoreApi<AppState>;

export function createAppStore(bench: BenchApi): AppStore {
  return createStore<AppState>()((...args) => ({
    ...createStatusSlice(bench)(...args),
  }));
}

/** Subscribes the store to service events; returns the function that unsubscribes. */
export function connectEvents(bench: BenchApi, store: AppStore): () => void {
  const unsubscribers = [bench.on('status', (status) => store.getState().receiveStatus(status))];
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
