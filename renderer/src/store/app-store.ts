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
import { resolveLocale } from '../i18n/i18n';
import { createAdminSlice, type AdminSlice } from './admin-slice';
import { createDocumentsSlice, type DocumentsSlice, type SaveFile } from './documents-slice';
import { createLocaleSlice, type LocaleSlice } from './locale-slice';
import { createJobsSlice, type JobsSlice } from './jobs-slice';
import { createAppHoldSlice, type AppHoldSlice } from './app-hold-slice';

export type AppState = StatusSlice &
  SessionSlice &
  OperatorsSlice &
  EvidenceSlice &
  BenchSlice &
  CodingSlice &
  SettingsSlice &
  LocaleSlice &
  DocumentsSlice &
  AdminSlice &
  ReleasesSlice &
  JobsSlice &
  AppHoldSlice;
export type AppStore = StoreApi<AppState>;

export interface AppStoreOptions {
  /** Where finished files go (a browser download by default; tests pass a recorder). */
  saveFile?: SaveFile;
  /** Where the last language is remembered (localStorage by default). */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

const noSave: SaveFile = () => undefined;

export function createAppStore(bench: BenchApi, options: AppStoreOptions = {}): AppStore {
  const save = options.saveFile ?? noSave;
  const store = createStore<AppState>()((...args) => ({
    ...createStatusSlice(bench)(...args),
    ...createSessionSlice(bench)(...args),
    ...createOperatorsSlice(bench)(...args),
    ...createEvidenceSlice(bench)(...args),
    ...createBenchSlice(bench)(...args),
    ...createCodingSlice(bench)(...args),
    ...createSettingsSlice(bench)(...args),
    ...createReleasesSlice(bench)(...args),
    ...createLocaleSlice(options.storage)(...args),
    ...createDocumentsSlice(bench, save)(...args),
    ...createAdminSlice(bench, save)(...args),
    ...createJobsSlice(bench)(...args),
    ...createAppHoldSlice(bench)(...args),
  }));
  // The bench's language setting drives the UI language, live, whoever changed it.
  store.subscribe((state, previous) => {
    const language = state.settings?.language;
    if (language && language !== previous.settings?.language) state.setLocale(resolveLocale(language));
  });
  return store;
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
