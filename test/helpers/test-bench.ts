import { loadOrCreateBenchIdentity, type BenchIdentity } from '../../electron/services/identity/bench-identity';
import { IntegrityLog } from '../../electron/services/integrity-log/integrity-log';
import { SyncOutbox, type SyncOutboxOptions } from '../../electron/services/sync/sync-outbox';
import { openBenchStore, type BenchStore } from '../../electron/services/store/bench-store';
import { silentLogger } from './silent-logger';
import type { CheckpointRecord, LogEntryRecord } from '../../common/integrity-log/records';

/** A bench as the app runs it: its own data dir, store, key, integrity log and sync outbox. */
export interface TestBench {
  dataDir: string;
  store: BenchStore;
  identity: BenchIdentity;
  log: IntegrityLog;
  outbox: SyncOutbox;
  /** Appends `count` entries, sealing with a checkpoint every `sealEvery` entries (0: never). */
  append(count: number, sealEvery?: number): void;
  localEntries(): LogEntryRecord[];
  localCheckpoints(): CheckpointRecord[];
  close(): void;
}

export function openTestBench(dataDir: string, outboxOptions: Partial<SyncOutboxOptions> = {}): TestBench {
  const store = openBenchStore(dataDir);
  const identity = loadOrCreateBenchIdentity(dataDir, store);
  const log = new IntegrityLog(store.integrityLog, identity);
  const outbox = new SyncOutbox({ store, identity, logger: silentLogger(), baseDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 5000, ...outboxOptions });
  let counter = 0;
  return {
    dataDir,
    store,
    identity,
    log,
    outbox,
    append(count, sealEvery = 0) {
      for (let i = 0; i < count; i += 1) {
        counter += 1;
        const entry = log.append('test.step', { n: counter, note: `step ${counter}, with "quotes", commas and\nline breaks` });
        if (sealEvery > 0 && entry.seq % sealEvery === 0) log.checkpoint();
      }
    },
    localEntries: () => [...store.integrityLog.entries()],
    localCheckpoints: () => store.integrityLog.checkpoints(),
    close: () => store.close(),
  };
}
