/**
 * What the packaged bench app carries besides its bundles: the node_modules electron-builder copies, as the
 * pinned electron-builder resolves them (its own npm production-dependency collector, the one `npm run
 * package` uses), against what dist/electron/main.cjs loads at run time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PM, getCollectorByPackageManager } from 'app-builder-lib/out/node-module-collector';
import { TmpDir } from 'builder-util';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleRuntimePackages, serverPackageJson } from '../../scripts/build.mjs';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

const rendererLibraries = ['react', 'react-dom', 'scheduler', 'zustand', 'uplot'];
const toolsOnly = ['tsx', 'esbuild', 'vite', 'typescript', 'vitest', 'electron', 'electron-builder', 'playwright-core'];
const serverOnly = ['fastify', '@fastify/cookie', '@fastify/static', '@fastify/websocket', 'kysely', 'pg', 'sodium-native', 'range-parser', 'ws', 'prom-client'];
// Bundled into main.cjs, so a copy in node_modules would be dead weight.
const bundledInMain = ['electron-updater', 'pino', 'zod', 'commander', 'pdf-lib', 'qrcode', 'tar', 'semver', 'crc'];

describe('the node_modules electron-builder packs with the app', () => {
  let packaged: string[];
  let mainLoads: string[];

  beforeAll(async () => {
    const tempDirs = new TmpDir('packaged-app-test');
    try {
      const collector = getCollectorByPackageManager(PM.NPM, projectRoot, tempDirs);
      const { nodeModules } = await collector.getNodeModules({ packageName: manifest.name });
      packaged = nodeModules.map((module) => module.name).sort();
    } finally {
      await tempDirs.cleanup();
    }
    mainLoads = await bundleRuntimePackages('electronMain');
  }, 120_000);

  it("are the packages dist/electron/main.cjs loads at run time and their dependencies, nothing else of package.json's", () => {
    expect(mainLoads).toEqual(['better-sqlite3', 'serialport']);
    expect(Object.keys(manifest.dependencies).sort()).toEqual(mainLoads);
    for (const name of mainLoads) expect(packaged).toContain(name);
  });

  it('hold no renderer library, no build or test tool and no server-only package', () => {
    expect(packaged.length).toBeGreaterThan(2);
    expect(packaged.filter((name) => rendererLibraries.includes(name))).toEqual([]);
    expect(packaged.filter((name) => toolsOnly.includes(name))).toEqual([]);
    expect(packaged.filter((name) => serverOnly.includes(name) || name.startsWith('@fastify/'))).toEqual([]);
  });

  it('hold none of the libraries the main bundle already contains', () => {
    // semver comes in once more, as a dependency of better-sqlite3's prebuild-install (node-abi), not the bundle's.
    expect(packaged.filter((name) => bundledInMain.includes(name) && name !== 'semver')).toEqual([]);
  });
});

describe("the central server's own package.json (dist/server/package.json)", () => {
  it('lists exactly the packages its bundle loads at run time, at the versions the checkout pins', async () => {
    const server = await serverPackageJson();
    expect(Object.keys(server.dependencies).sort()).toEqual(['better-sqlite3', 'sodium-native']);
    for (const [name, range] of Object.entries(server.dependencies)) expect(range).toBe(manifest.dependencies[name] ?? manifest.devDependencies[name]);
    expect(server).toMatchObject({ type: 'module', main: 'main.js', private: true });
  });
});
