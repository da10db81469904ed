/**
 * The parts of a bench that everything else stands on: its store, identity, integrity log and packs.
 * The app's services and the command line (session run, credits import) open a data directory the
 * same way through this one function.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { benchTrustProfile } from '../../trust/bench-trust';
import { loadOrCreateBenchIdentity, type BenchIdentity } from './identity/bench-identity';
import { IntegrityLog } from './integrity-log/integrity-log';
import { PackManager, removePackLeftovers } from './packs/pack-manager';
import { removeBundleLeftovers } from './releases/release-source';
import type { ReportedHardware } from './store/bench-hardware-repository';
import { openBenchStore, type BenchStore } from './store/bench-store';

export interface BenchCoreOptions {
  dataDir: string;
  /** The root of trust shipped with the app (resources/trust/root.json). */
  bundledRootFile: string;
  appVersion: string;
  /** A packaged production build refuses development roots and keys. */
  production: boolean;
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

/**
 * Records what a bench reported in IDENT when it connects (the app's bench link, `session run`): the model
 * packs are then checked against, at activation and at every preflight. A report without a model is not
 * recorded (nothing to check against); the session gate still compares the pack with the live IDENT.
 */
export function recordBenchHardware(core: Pick<BenchCore, 'store' | 'log' | 'now'>, ident: ReportedHardware): void {
  if (ident.model.length === 0) return;
  const previous = core.store.hardware.get();
  core.store.hardware.record(ident, core.now());
  if (previous?.model !== ident.model) core.log.append('bench.hardware_recorded', { model: ident.model, benchSerial: ident.benchSerial, firmware: ident.firmware, previousModel: previous?.model ?? null });
}

/**
 * Every start (the app, the workspace, each command that opens a bench, through openBenchCore or not): what
 * a killed process left in staging, half-written state temporaries and unpacked bundles go before anything
 * else runs, and the integrity log says what went.
 */
export function removeStartLeftovers(dataDir: string, log: Pick<IntegrityLog, 'append'>): void {
  const leftovers = [...removePackLeftovers(path.join(dataDir, 'packs')).map((file) => path.join('packs', file)), ...removeBundleLeftovers(dataDir)];
  if (leftovers.length > 0) log.append('packs.leftovers_removed', { files: leftovers });
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
        // The model the connected bench reported in IDENT (recorded by recordBenchHardware), never a constant;
        // null until a bench has identified itself, and then compatibility waits for the session gate.
        hardware: () => store.hardware.get()?.model ?? null,
        appVersion: options.appVersion,
        // Read at each decision, so a channel an admin sets applies to the next refresh.
        defaultChannel: () => store.settings.get().releaseChannel,
        production: options.production,
      }),
      now,
      // Every activation, refusal, fallback and last-known-good change goes into the signed log.
      evidence: ({ event, ...details }) => log.append(`packs.${event.replace(/-/g, '_')}`, details),
    });
    removeStartLeftovers(options.dataDir, log);
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
