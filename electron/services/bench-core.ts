/**
 * The parts of a bench that everything else stands on: its store, identity, integrity log and packs.
 * The app's services and the command line (session run, credits import) open a data directory the
 * same way through this one function.
 */
import { readFileSync } from 'node:fs';
import { benchTrustProfile } from '../../trust/bench-trust';
import { loadOrCreateBenchIdentity, type BenchIdentity } from './identity/bench-identity';
import { IntegrityLog } from './integrity-log/integrity-log';
import { PackManager } from './packs/pack-manager';
import { openBenchStore, type BenchStore } from './store/bench-store';

export interface BenchCoreOptions {
  dataDir: string;
  /** The root of trust shipped with the app (resources/trust/root.json). */
  bundledRootFile: string;
  appVersion: string;
  /** A packaged production build refuses development roots and keys. */
  production: boolean;
  /** Hardware model packs must list as compatible. */
  hardware?: string;
  now?: () => Date;
}

export interface BenchCore {
  readonly dataDir: string;
  readonly store: BenchStore;
  readonly identity: BenchIdentity;
  readonly log: IntegrityLog;
  readonly packs: PackManager;
  readonly now: () => Date;
  close(): void;
}

export function openBenchCore(options: BenchCoreOptions): BenchCore {
  const now = options.now ?? (() => new Date());
  const store = openBenchStore(options.dataDir);
  try {
    const identity = loadOrCreateBenchIdentity(options.dataDir, store, now);
    const log = new IntegrityLog(store.integrityLog, identity, now);
    const packs = new PackManager({
      dataDir: options.dataDir,
      bundledRoot: readFileSync(options.bundledRootFile),
      // The one bench trust configuration (trust/bench-trust.ts): no option in it can weaken a check.
      bench: benchTrustProfile({
        benchId: identity.benchId,
        hardware: options.hardware ?? 'virtual-bench',
        appVersion: options.appVersion,
        // Read at each decision, so a channel an admin sets applies to the next refresh.
        defaultChannel: () => store.settings.get().releaseChannel,
        production: options.production,
      }),
      now,
      // Every activation, refusal, fallback and last-known-good change goes into the signed log.
      evidence: ({ event, ...details }) => log.append(`packs.${event.replace(/-/g, '_')}`, details),
    });
    return {
      dataDir: options.dataDir,
      store,
      identity,
      log,
      packs,
      now,
      close: () => {
        log.checkpoint();
        store.close();
      },
    };
  } catch (error) {
    store.close();
    throw error;
  }
}
