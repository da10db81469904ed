/**
 * Composition root of the plain-Node bench services. Electron main and the workspace host both call
 * createBenchServices and put their own transport in front of the returned dispatcher and event bus.
 */
import type { BenchStatus, PartStatus } from '../contract/bench-api';
import { createDispatcher, type Dispatch } from './dispatcher';
import { BenchEventBus } from './event-bus';
import type { Logger } from './logger';
import { openBenchStore, type BenchStore } from './store/bench-store';
import type { LaunchMode } from './store/launch-repository';

export interface BenchServicesOptions {
  dataDir: string;
  mode: LaunchMode;
  appVersion: string;
  logger: Logger;
  now?: () => Date;
  /** How often the status event is published to connected views; 0 turns it off. */
  statusIntervalMs?: number;
}

export interface BenchServices {
  readonly dispatch: Dispatch;
  readonly events: BenchEventBus;
  readonly store: BenchStore;
  status(): BenchStatus;
  close(): void;
}

function storePart(store: BenchStore): PartStatus {
  const info = store.info();
  return {
    id: 'store',
    label: 'Store',
    state: 'ok',
    detail: `SQLite database open, schema version ${info.schemaVersion}.`,
    facts: [
      { label: 'File', value: info.file },
      { label: 'Schema version', value: String(info.schemaVersion) },
      { label: 'Journal', value: info.journalMode.toUpperCase() },
      { label: 'Synchronous', value: info.synchronous },
    ],
  };
}

function notYetBuilt(id: PartStatus['id'], label: string, detail: string): PartStatus {
  return { id, label, state: 'not_configured', detail, facts: [] };
}

export function createBenchServices(options: BenchServicesOptions): BenchServices {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const store = openBenchStore(options.dataDir);
  store.launches.record(startedAt, options.mode, options.appVersion);
  const events = new BenchEventBus();

  function status(): BenchStatus {
    const current = now();
    const settings = store.settings.get();
    return {
      app: {
        name: 'Injector Bench',
        version: options.appVersion,
        mode: options.mode,
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.max(0, Math.floor((current.getTime() - startedAt.getTime()) / 1000)),
        launchCount: store.launches.count(),
      },
      parts: [
        storePart(store),
        notYetBuilt(
          'benchLink',
          'Bench link',
          settings.benchPort
            ? `Port ${settings.benchPort} is configured; the bench driver is not part of this build yet.`
            : 'Not configured: the bench driver is not part of this build yet.',
        ),
        notYetBuilt('packs', 'Calibration packs', 'Not configured: pack verification is not part of this build yet.'),
        notYetBuilt(
          'sync',
          'Sync',
          settings.serverUrl
            ? `Server ${settings.serverUrl} is configured; sync is not part of this build yet.`
            : 'Not configured: no central server set, and sync is not part of this build yet.',
        ),
      ],
      generatedAt: current.toISOString(),
    };
  }

  const dispatch = createDispatcher(
    {
      getStatus: () => status(),
      getSettings: () => store.settings.get(),
      updateSettings: (input) => {
        const updated = store.settings.update(input ?? {});
        events.publish('status', status());
        return updated;
      },
    },
    options.logger,
  );

  const intervalMs = options.statusIntervalMs ?? 2000;
  const ticker =
    intervalMs > 0
      ? setInterval(() => {
          if (events.size > 0) events.publish('status', status());
        }, intervalMs)
      : null;
  ticker?.unref();

  return {
    dispatch,
    events,
    store,
    status,
    close: () => {
      if (ticker) clearInterval(ticker);
      store.close();
    },
  };
}
