/**
 * Composition root of the plain-Node bench services. Electron main and the workspace host both call
 * createBenchServices and put their own transport in front of the returned dispatcher and event bus.
 */
import type { BenchStatus, EvidenceEntry, PartStatus } from '../contract/bench-api';
import { createDispatcher, type Dispatch } from './dispatcher';
import { BenchEventBus } from './event-bus';
import { loadOrCreateBenchIdentity, type BenchIdentity } from './identity/bench-identity';
import { IntegrityLog } from './integrity-log/integrity-log';
import { verifyIntegrityLog } from './integrity-log/verify-log';
import type { LogEntryRecord } from './store/integrity-log-repository';
import type { Logger } from './logger';
import { OperatorService, type SignInPolicy } from './operators/operator-service';
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
  signInPolicy?: SignInPolicy;
  /** Tests pass a cheap hash; production uses scrypt at full cost. */
  hashPin?: (pin: string) => Promise<string>;
}

export interface BenchServices {
  readonly dispatch: Dispatch;
  readonly events: BenchEventBus;
  readonly store: BenchStore;
  readonly identity: BenchIdentity;
  readonly integrityLog: IntegrityLog;
  readonly operators: OperatorService;
  status(): BenchStatus;
  close(): void;
}

function storePart(store: BenchStore, identity: BenchIdentity): PartStatus {
  const info = store.info();
  const head = store.integrityLog.head();
  const sealed = store.integrityLog.lastCheckpoint()?.seq ?? 0;
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
      { label: 'Bench ID', value: identity.benchId },
      { label: 'Integrity log', value: `${head?.seq ?? 0} entries, sealed through ${sealed}` },
    ],
  };
}

function toEvidenceEntry(entry: LogEntryRecord): EvidenceEntry {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(entry.payloadJson) as Record<string, unknown>;
  } catch {
    // The verifier reports the altered entry; the list still shows that something is there.
    payload = { unreadable: entry.payloadJson.slice(0, 200) };
  }
  return { seq: entry.seq, recordedAt: entry.recordedAt, type: entry.type, payload, entryHash: entry.entryHash };
}

function notYetBuilt(id: PartStatus['id'], label: string, detail: string): PartStatus {
  return { id, label, state: 'not_configured', detail, facts: [] };
}

export function createBenchServices(options: BenchServicesOptions): BenchServices {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const store = openBenchStore(options.dataDir);
  let identity: BenchIdentity;
  try {
    identity = loadOrCreateBenchIdentity(options.dataDir, store, now);
  } catch (error) {
    store.close();
    throw error;
  }
  const integrityLog = new IntegrityLog(store.integrityLog, identity, now);
  store.launches.record(startedAt, options.mode, options.appVersion);
  integrityLog.append('app.started', { mode: options.mode, appVersion: options.appVersion });
  const events = new BenchEventBus();
  const operators = new OperatorService(
    store.operators,
    integrityLog,
    now,
    (session) => events.publish('session', session),
    options.signInPolicy,
    options.hashPin,
  );

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
        storePart(store, identity),
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
        integrityLog.append('admin.settings_changed', { by: operators.session().operator?.id, changed: Object.keys(input ?? {}) });
        events.publish('status', status());
        return updated;
      },
      getSession: () => operators.session(),
      listSignInOperators: () => operators.signInChoices(),
      setupFirstAdmin: (input) => operators.setupFirstAdmin(input.name, input.pin),
      signIn: (input) => operators.signIn(input.operatorId, input.pin),
      signOut: () => operators.signOut(),
      listOperators: () => operators.listOperators(),
      createOperator: (input) => operators.createOperator(input),
      updateOperator: (input) => operators.updateOperator(input),
      listEvidence: (query) => {
        const found = store.integrityLog.search({ ...query, limit: query.limit + 1 });
        return {
          entries: found.slice(0, query.limit).map(toEvidenceEntry),
          sealedThrough: store.integrityLog.lastCheckpoint()?.seq ?? 0,
          hasMore: found.length > query.limit,
        };
      },
      verifyEvidenceLog: () =>
        verifyIntegrityLog({ benchId: identity.benchId, publicKey: identity.publicKey, entries: store.integrityLog.entries(), checkpoints: store.integrityLog.checkpoints() }),
    },
    options.logger,
    operators.authorize,
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
    identity,
    integrityLog,
    operators,
    status,
    close: () => {
      if (ticker) clearInterval(ticker);
      // A clean shutdown seals the chain so nothing before it can be cut away unnoticed.
      integrityLog.append('app.stopped', {});
      integrityLog.checkpoint();
      store.close();
    },
  };
}
