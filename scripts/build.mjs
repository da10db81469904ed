// Builds the three deployables and the development entry:
//   the bench app       dist/electron/main.cjs + preload.cjs (Electron), dist/renderer/ (Vite)
//   the central server  dist/server/main.js (plain Node: `node dist/server/main.js --help`)
//   the CLI             dist/cli/main.mjs
//   development only    dist/development/main.cjs (the app plus the demo and workspace mode; npm start runs it)
//                       and dist/workspace-bridge/bridge.js (the browser twin of the preload)
// `deployableBuilds` is also what test/unit/layering reads the bundles' inputs from.
import { build as esbuild } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

// Native addons (and Electron) load at run time from node_modules, never bundled.
const nativeModules = ['better-sqlite3', 'serialport', '@serialport/*', 'sodium-native'];
// ES module bundles of CommonJS packages still call require() for Node's built-ins.
const requireShim = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** esbuild options of every bundle, by name; outfile relative to dist/. */
export const deployableBuilds = {
  electronMain: {
    entryPoints: ['electron/main/index.ts'],
    outfile: 'electron/main.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron', ...nativeModules],
  },
  electronPreload: {
    entryPoints: ['electron/preload/index.ts'],
    outfile: 'electron/preload.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'chrome120',
    external: ['electron'],
  },
  server: {
    entryPoints: ['server/main.ts'],
    outfile: 'server/main.js',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: requireShim },
    // pg asks for its optional native binding by name; the server uses the JavaScript client.
    external: [...nativeModules, 'pg-native'],
  },
  cli: {
    entryPoints: ['cli/main.ts'],
    outfile: 'cli/main.mjs',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: requireShim },
    // The workspace command builds the renderer with the project's own build tools when it is stale.
    external: [...nativeModules, 'pg-native', 'electron', 'esbuild', 'vite', '@vitejs/*'],
  },
  development: {
    entryPoints: ['electron/main/dev.ts'],
    outfile: 'development/main.cjs',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron', ...nativeModules, 'pg-native'],
  },
  workspaceBridge: {
    entryPoints: ['electron/workspace-bridge/bridge.ts'],
    outfile: 'workspace-bridge/bridge.js',
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
  },
};

/** One bundle, in memory, with its metafile: what went into it, for the layering tests. */
export async function bundleInputs(name) {
  const { outfile, ...options } = deployableBuilds[name];
  const result = await esbuild({ ...options, bundle: true, write: false, metafile: true, logLevel: 'silent', absWorkingDir: root, outfile: path.join(dist, outfile) });
  return Object.keys(result.metafile.inputs);
}

export async function buildAll({ quiet = false } = {}) {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'info' });
  await Promise.all(
    Object.values(deployableBuilds).map(({ outfile, ...options }) =>
      esbuild({ ...options, bundle: true, sourcemap: true, logLevel: quiet ? 'error' : 'info', absWorkingDir: root, outfile: path.join(dist, outfile) }),
    ),
  );
  // The server's folder can be copied out alone: it says itself that main.js is an ES module, and which
  // version it is (GET /version reads the nearest package.json, server/readiness.ts).
  mkdirSync(path.join(dist, 'server'), { recursive: true });
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  writeFileSync(path.join(dist, 'server', 'package.json'), `${JSON.stringify({ type: 'module', private: true, version }, null, 2)}\n`);
  return dist;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildAll();
}
