import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVersion } from '../common/package-version';

/** The checkout the command runs from: cli/ when run through tsx, dist/cli/ when bundled. */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'resources'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

export function appVersion(): string {
  return packageVersion(projectRoot);
}

/** Where a bench keeps its database and keys when no --data-dir is given (XDG on Linux). */
export function defaultDataDir(): string {
  if (process.env.INJBENCH_DATA_DIR) return path.resolve(process.env.INJBENCH_DATA_DIR);
  if (process.platform === 'win32' && process.env.APPDATA) return path.join(process.env.APPDATA, 'Injector Bench');
  const base = process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'injector-bench');
}
