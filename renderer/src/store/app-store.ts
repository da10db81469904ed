/**
 * The renderer's state: one zustand store composed from slices. Service events are wired to the store
 * here and nowhere else.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BenchApi } from '../../../electron/contract/bench-api';
import { createBenchSlice, type BenchSlice } from './bench-slice';
import { createCodingSlice, type CodingSlice } from './coding-slice';
import { createEvidenceSlice, type EvidenceSlice } from './evidence-slice';
import { createOperatorsSlice, type OperatorsSlice } from './operators-slice';
import { createReleasesSlice, type ReleasesSlice } from './releases-slice';
import { createSessionSlice, type SessionSlice } from './session-slice';
import { createSettingsSlice, type SettingsSlice } from './settings-slice';
import { createStatusSlice, type StatusSlice } from './status-slice';

export type AppState = StatusSlice & SessionSlice & OperatorsSlice & EvidenceSlice & BenchSlice & CodingSlice & SettingsSlice & ReleasesSlice;
export type AppStore = StoreApi<AppState>;

export function createAppStore(bench: BenchApi): AppStore {
  return createStore<AppState>()((...args) => ({
    ...createStatusSlice(bench)(...args),
    ...createSessionSlice(bench)(...args),
    ...createOperatorsSlice(bench)(...args),
    ...createEvidenceSlice(bench)(...args),
    ...createBenchSlice(bench)(...args),
    ...createCodingSlice(bench)(...args),
    ...createSettingsSlice(bench)(...args),
    ...createReleasesSlice(bench)(...args),
  }));
}

/** Subscribes the store to service events; returns the function that unsubscribes. */
export function connectEvents(bench: BenchApi, store: AppStore): () => void {
  const unsubscribers = [
    bench.on('status', (status) => store.getState().receiveStatus(status)),
    bench.on('session', (session) => store.getState().receiveSession(session)),
    bench.on('benchLink', (state) => store.getState().receiveBenchLink(state)),
    bench.on('codingSession', (event) => store.getState().receiveCodingEvent(event)),
    // Pins expire and deferred refreshes land on their own: a signed-in view reloads what it shows.
    bench.on('releases', () => {
      if (store.getState().session?.operator) void store.getState().loadReleases();
    }),
  ];
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
