#!/usr/bin/env node
// Runs the built command line (dist/cli/main.mjs, `npm run build`): the bundle is what ships, and it starts
// without compiling anything. A checkout that has not been built says so instead of running stale sources.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli/main.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('injbench: NOT_BUILT: the command line is not built here: run "npm run build" (or "npm run build:cli") first.\n');
  process.exit(1);
}
await import(bundle.href);
