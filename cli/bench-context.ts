import path from 'node:path';
import { openBenchCore, type BenchCore } from '../electron/services/bench-core';
import { importCreditGrant, type GrantImport } from '../electron/services/credits/credit-service';
import { appVersion, projectRoot } from './paths';

export const bundledRootFile = path.join(projectRoot, 'resources', 'trust', 'root.json');

/** Opens a bench data directory for a command (session run, credits import). */
export function openBenchForCli(dataDir: string): BenchCore {
  return openBenchCore({ dataDir: path.resolve(dataDir), bundledRootFile, appVersion: appVersion(), production: false });
}

export function appendCreditGrant(bench: BenchCore, bytes: Uint8Array): GrantImport {
  return importCreditGrant({ benchId: bench.identity.benchId, packs: bench.packs, sessions: bench.store.sessions, log: bench.log, now: bench.now }, bytes);
}
