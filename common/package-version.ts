/**
 * The version of the package this code was built from: the nearest package.json above a folder (the
 * checkout's when run from source; the one the build writes beside dist/server/main.js for the server's
 * bundle). The server reports it at /version, the CLI at --version.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** This module's folder in ES modules, and in the development app's CommonJS bundle, where import.meta is empty. */
const moduleDir = (): string => (typeof __dirname === 'string' ? __dirname : import.meta.dirname);

export function packageVersion(from: string = moduleDir()): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No package.json here (or not readable): look further up.
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
