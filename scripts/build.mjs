// Builds everything the app runs from: the renderer (Vite), the Electron main and preload bundles and
// the workspace browser bridge (esbuild). `node scripts/build.mjs --renderer-only` skips the Electron side.
import { build as esbuild } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

export async function buildAll({ quiet = false } = {}) {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: quiet ? 'error' : 'info' });
  const common = { bundle: true, sourcemap: true, logLevel: quiet ? 'error' : 'info', absWorkingDir: root };
  await Promise.all([
    esbuild({
      ...common,
      entryPoints: ['electron/main/index.ts'],
      outfile: path.join(dist, 'electron', 'main.cjs'),
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // Native and Electron modules load at run time, never bundled.
      external: ['electron', 'better-sqlite3', 'serialport', '@serialport/*'],
    }),
    esbuild({
      ...common,
      entryPoints: ['electron/preload/index.ts'],
      outfile: path.join(dist, 'electron', 'preload.cjs'),
      platform: 'node',
      format: 'cjs',
      target: 'chrome120',
      external: ['electron'],
    }),
    esbuild({
      ...common,
      entryPoints: ['electron/workspace-bridge/bridge.ts'],
      outfile: path.join(dist, 'workspace-bridge', 'bridge.js'),
      platform: 'browser',
      format: 'iife',
      target: 'chrome120',
    }),
  ]);
  return dist;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildAll();
}
