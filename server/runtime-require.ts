/**
 * A `require` for packages the server resolves at run time (a native addon a worker thread loads by path),
 * both where it runs as ES modules (the command line, through tsx) and inside the Electron main process's
 * CommonJS bundle, where esbuild leaves `import.meta` empty and `__filename` is the bundle's own path.
 */
import { createRequire } from 'node:module';

export function runtimeRequire(): NodeJS.Require {
  return createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
}
