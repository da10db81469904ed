// Builds the three deployables and the development entry:
//   the bench app       dist/electron/main.cjs + preload.cjs (Electron), dist/renderer/ (Vite)
//   the central server  dist/server/main.js (plain Node: `node dist/server/main.js --help`)
//   the CLI             dist/cli/main.mjs and its lazily loaded chunks (bin/injbench.mjs runs it)
//   development only    dist/development/main.cjs (the app plus the demo and workspace mode; npm start runs it)
//                       and dist/workspace-bridge/bridge.js (the browser twin of the preload)
// `deployableBuilds` is also what test/unit/layering reads the bundles' inputs from.
import { build as esbuild } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

// Native addons (and Electron) load at run time from node_modules, never bundled. The bench app loads
// SQLite and the serial port; the server SQLite and libsodium. Everything else is in the bundles, which is
// why package.json lists only the app's native modules as dependencies (what electron-builder packs).
const appNativeModules = ['better-sqlite3', 'serialport', '@serialport/*'];
const serverNativeModules = ['better-sqlite3', 'sodium-native'];
const nativeModules = [...new Set([...appNativeModules, ...serverNativeModules])];
// Loaded by a path resolved at run time (server/runtime-require.ts), which esbuild cannot see.
const resolvedAtRunTime = { server: ['sodium-native'] };
// Asked for by name inside a try/catch (pg's native client, ws's speed-ups): absent is fine.
const optionalPackages = new Set(['pg-native', 'bufferutil', 'utf-8-validate']);
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
    external: ['electron', ...appNativeModules],
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
    external: [...serverNativeModules, 'pg-native'],
  },
  cli: {
    // Split: main.mjs holds commander and the command table only; each command group is a chunk loaded
    // when that command runs, so --help and --version start without the server, the trust code or SQLite.
    entryPoints: { main: 'cli/main.ts' },
    outdir: 'cli',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
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

/** esbuild's options for one deployable, writing under `into` (dist/ unless a test builds elsewhere). */
export function esbuildOptions(name, { into = dist, quiet = true } = {}) {
  const { outfile, outdir, ...options } = deployableBuilds[name];
  const target = outfile ? { outfile: path.join(into, outfile) } : { outdir: path.join(into, outdir) };
  return { ...options, ...target, bundle: true, logLevel: quiet ? 'error' : 'info', absWorkingDir: root };
}

/** One bundle, in memory, with its metafile: what went into it and what it loads at run time. */
export async function bundleMetafile(name) {
  const result = await esbuild({ ...esbuildOptions(name), write: false, metafile: true, logLevel: 'silent' });
  return result.metafile;
}

/** The source files and packages a bundle is made of, for the layering tests. */
export async function bundleInputs(name) {
  return Object.keys((await bundleMetafile(name)).inputs);
}

const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * The packages a bundle requires from node_modules at run time (its externals, less Node's built-ins,
 * Electron and optional packages): what must be installed beside it.
 */
export async function bundleRuntimePackages(name) {
  const metafile = await bundleMetafile(name);
  const imported = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((entry) => entry.external).map((entry) => entry.path));
  const packages = [...imported, ...(resolvedAtRunTime[name] ?? [])].map(packageName);
  const required = packages.filter((name) => !name.startsWith('node:') && !builtinModules.includes(name) && name !== 'electron' && !optionalPackages.has(name));
  return [...new Set(required)].sort();
}

/** The version range of a package as the checkout's package.json pins it (dependencies or devDependencies). */
function pinnedRange(manifest, name) {
  const range = manifest.dependencies?.[name] ?? manifest.devDependencies?.[name];
  if (!range) throw new Error(`${name} is loaded at run time but package.json does not list it.`);
  return range;
}

/**
 * dist/server/package.json: the server's folder can be copied out alone. It says that main.js is an ES
 * module, which version it is (GET /version reads the nearest package.json), and which packages it loads
 * at run time, the only ones not in its bundle: `npm install --omit=dev` in that folder installs them.
 */
export async function serverPackageJson() {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const runtime = await bundleRuntimePackages('server');
  const dependencies = Object.fromEntries(runtime.map((name) => [name, pinnedRange(manifest, name)]));
  return { name: 'injector-bench-server', version: manifest.version, private: true, type: 'module', main: 'main.js', engines: manifest.engines, dependencies };
}

/**
 * The CLI alone (bin/injbench.mjs runs it; test/global-setup-cli.ts builds it before the suites). Chunks of
 * an earlier build that this one no longer writes are removed; the names are content hashes, so two builds
 * of the same sources at once write the same files and remove none of each other's.
 */
export async function buildCli({ quiet = true } = {}) {
  const { metafile } = await esbuild({ ...esbuildOptions('cli', { quiet }), sourcemap: true, metafile: true });
  const written = new Set(Object.keys(metafile.outputs).map((file) => path.resolve(root, file)));
  const folder = path.join(dist, deployableBuilds.cli.outdir);
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !written.has(file)) rmSync(file, { force: true });
  }
}

/**
 * The development entry again, for Electron: each ABI-bound native module (better-sqlite3) is loaded from
 * its Electron build (scripts/electron-native.mjs) instead of the checkout's node_modules, which keeps the
 * Node build for tests and the CLI. `modulePaths`: package name → folder of its Electron build.
 */
export async function buildDevelopmentForElectron(modulePaths, { into = dist } = {}) {
  const options = esbuildOptions('development', { into });
  const redirect = {
    name: 'electron-native-modules',
    setup(build) {
      for (const [name, folder] of Object.entries(modulePaths)) {
        build.onResolve({ filter: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')}$`) }, () => ({ path: folder, external: true }));
      }
    },
  };
  await esbuild({ ...options, external: options.external.filter((name) => !(name in modulePaths)), plugins: [redirect], sourcemap: true });
}

export async function buildAll({ quiet = false } = {}) {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'info' });
  const bundles = Object.keys(deployableBuilds).filter((name) => name !== 'cli');
  await Promise.all([buildCli({ quiet }), ...bundles.map((name) => esbuild({ ...esbuildOptions(name, { quiet }), sourcemap: true }))]);
  mkdirSync(path.join(dist, 'server'), { recursive: true });
  writeFileSync(path.join(dist, 'server', 'package.json'), `${JSON.stringify(await serverPackageJson(), null, 2)}\n`);
  return dist;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildAll();
}
