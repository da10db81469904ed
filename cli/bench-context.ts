import { existsSync } from 'node:fs';
import path from 'node:path';
import { openBenchCore, type BenchCore } from '../electron/services/bench-core';
import { importCreditGrant, type GrantImport } from '../electron/services/credits/credit-service';
import { STORE_FILE_NAME } from '../electron/services/store/bench-store';
import { appVersion, projectRoot } from './paths';

export const bundledRootFile = path.join(projectRoot, 'resources', 'trust', 'root.json');

/** A command that works on an existing bench was pointed at a folder that holds none. */
export class NoBenchDataError extends Error {
  readonly code = 'NO_BENCH_DATA';
  constructor(readonly dataDir: string) {
    super(`${dataDir} holds no bench data (no ${STORE_FILE_NAME}). Check --data-dir; a bench is set up by "injbench packs update", "injbench sync enrol" or "injbench sync identity --create".`);
    this.name = 'NoBenchDataError';
  }
}

/**
 * The bench data directory a command works on, resolved. Only the commands that set a bench up (`create`)
 * may name a folder without one: every other command refuses it rather than create a new bench identity
 * in a mistyped path.
 */
export function benchDataDir(dataDir: string, { create = false }: { create?: boolean } = {}): string {
  const resolved = path.resolve(dataDir);
  if (!create && !existsSync(path.join(resolved, STORE_FILE_NAME))) throw new NoBenchDataError(resolved);
  return resolved;
}

/** Opens a bench data directory for a command (session run, credits import, packs). */
export function openBenchForCli(dataDir: string, options: { create?: boolean } = {}): BenchCore {
  return openBenchCore({ dataDir: benchDataDir(dataDir, options), bundledRootFile, appVersion: appVersion(), production: false });
}

export function appendCreditGrant(bench: BenchCore, bytes: Uint8Array): GrantImport {
  return importCreditGrant({ benchId: bench.identity.benchId, packs: bench.packs, sessions: bench.store.sessions, log: bench.log, now: bench.now }, bytes);
}
