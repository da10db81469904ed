import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { ICON_SIZE, drawIcon } from '../../../scripts/draw-app-icon.mjs';
import { ELECTRON_BUILDER_VERSION, electronBuilderArguments } from '../../../scripts/package-app.mjs';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

const configSchema = z.object({
  directories: z.object({ buildResources: z.string() }),
  files: z.array(z.string()),
  asar: z.boolean(),
  asarUnpack: z.array(z.string()),
  extraResources: z.array(z.object({ from: z.string(), to: z.string(), filter: z.array(z.string()) })),
  npmRebuild: z.boolean(),
  buildDependenciesFromSource: z.boolean(),
  electronFuses: z.record(z.string(), z.boolean()),
  publish: z.object({ provider: z.string(), url: z.string(), channel: z.string() }),
  linux: z.object({ target: z.array(z.string()) }),
  win: z.object({ target: z.array(z.string()) }),
  nsis: z.object({ perMachine: z.boolean(), allowElevation: z.boolean(), differentialPackage: z.boolean() }),
});
const configFile = parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
const config = configSchema.parse(configFile);
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  allowScripts: Record<string, boolean>;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

/** electron-builder's reading of `files`: patterns in order, a later `!pattern` takes a match back out. */
function packaged(file: string, patterns: readonly string[]): boolean {
  let included = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (minimatch(file, negated ? pattern.slice(1) : pattern, { dot: true })) included = !negated;
  }
  return included;
}

/** Every file of the checkout (without node_modules and git data), plus what a build writes to dist/. */
function checkoutFiles(): string[] {
  const skipped = new Set(['node_modules', '.git', 'release', 'test-results']);
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (skipped.has(entry.name)) continue;
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(relative);
      else found.push(relative);
    }
  };
  walk('');
  const built = [
    'dist/electron/main.cjs',
    'dist/electron/main.cjs.map',
    'dist/electron/preload.cjs',
    'dist/electron/preload.cjs.map',
    'dist/renderer/index.html',
    'dist/renderer/assets/index-abc123.js',
    'dist/workspace-bridge/bridge.js',
    'dist/workspace-bridge/bridge.js.map',
  ];
  return [...new Set([...found, ...built])];
}

describe("electron-builder.yml as electron-builder's own loader reads it", () => {
  it('is found, read and accepted by the schema of the pinned electron-builder', async () => {
    const loaded = await getConfig(root, null, null);
    // What the loader read is the file this suite checks below, key for key (it wraps `files` in one filter set).
    expect(loaded).toEqual({ ...configFile, files: [{ filter: config.files }] });
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('would refuse a misspelt key or a wrong type, so the acceptance above means something', async () => {
    const loaded = await getConfig(root, null, null);
    await expect(validateConfiguration({ ...loaded, asarUnpacked: ['**/*.node'] } as typeof loaded, new DebugLogger(false))).rejects.toThrow(/asarUnpacked/);
    await expect(validateConfiguration({ ...loaded, npmRebuild: 'yes' } as unknown as typeof loaded, new DebugLogger(false))).rejects.toThrow(/npmRebuild/);
  });
});

describe('electron-builder.yml', () => {
  it('sets every Electron fuse explicitly, each to its hardened value', () => {
    expect(config.electronFuses).toStrictEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: false,
    });
  });

  it('packs into asar and keeps native modules unpacked', () => {
    expect(config.asar).toBe(true);
    const unpacked = (file: string) => config.asarUnpack.some((pattern) => minimatch(file, pattern, { dot: true }));
    expect(unpacked('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(unpacked('node_modules/better-sqlite3/lib/database.js')).toBe(true);
    expect(unpacked('node_modules/@serialport/bindings-cpp/prebuilds/linux-x64/node.napi.glibc.node')).toBe(true);
    expect(unpacked('node_modules/some-future-addon/build/Release/addon.node')).toBe(true);
    expect(unpacked('dist/electron/main.cjs')).toBe(false);
  });

  it('packages the built app and package.json, including the entry point package.json names', () => {
    for (const file of ['package.json', packageJson.main, 'dist/electron/preload.cjs', 'dist/renderer/index.html', 'dist/renderer/assets/index-abc123.js']) {
      expect(packaged(file, config.files), file).toBe(true);
    }
  });

  it('leaves test code, the workspace test host, sources and source maps out of the package', () => {
    const files = checkoutFiles();
    const forbidden = files.filter(
      (file) =>
        /^(test|bench|scripts|bin|cli|common|demo|server|electron|native-bridge|renderer|trust|\.ci)\//.test(file) ||
        /^dist\/(workspace-bridge|development|server|cli)\//.test(file) ||
        /\.test\.[cm]?[jt]sx?$/.test(file) ||
        file.endsWith('.map'),
    );
    expect(forbidden.length).toBeGreaterThan(20);
    expect(forbidden.filter((file) => packaged(file, config.files))).toEqual([]);
    // The exclusions must hold even against an include as wide as everything.
    const widened = ['**/*', ...config.files.filter((pattern) => pattern.startsWith('!'))];
    expect(forbidden.filter((file) => packaged(file, widened))).toEqual([]);
  });

  it("packages the app's production entry, never the development entry or the other deployables", () => {
    expect(packageJson.main).toBe('dist/electron/main.cjs');
    for (const file of ['dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html']) expect(packaged(file, config.files)).toBe(true);
    for (const file of ['dist/development/main.cjs', 'dist/server/main.js', 'dist/cli/main.mjs', 'dist/workspace-bridge/bridge.js']) expect(packaged(file, config.files)).toBe(false);
  });

  it('ships the root of trust and the demo packs from resources/ as extra resources, without build-only files', () => {
    expect(config.extraResources).toHaveLength(1);
    const [resources] = config.extraResources;
    expect(resources).toMatchObject({ from: 'resources', to: 'resources' });
    const shipped = (file: string) => packaged(file, resources?.filter ?? []);
    expect(shipped('trust/root.json')).toBe(true);
    expect(shipped('packs/demo/crin2-demo/manifest.json')).toBe(true);
    expect(shipped('README.md')).toBe(false);
    expect(shipped('build/icon.png')).toBe(false);
  });

  it('has the app icon electron-builder needs, as drawn by scripts/draw-app-icon.mjs', () => {
    const icon = readFileSync(path.join(root, config.directories.buildResources, 'icon.png'));
    expect(icon.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([ICON_SIZE, ICON_SIZE]);
    expect(ICON_SIZE).toBeGreaterThanOrEqual(256);
    expect(icon.equals(drawIcon())).toBe(true);
  });

  it('installs per user on Windows, so a technician without admin rights still gets every update', () => {
    expect(config.nsis).toMatchObject({ perMachine: false, allowElevation: false, differentialPackage: false });
  });

  it('builds AppImage and deb for Linux and NSIS for Windows, publishing generic update files', () => {
    expect(config.linux.target.sort()).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.publish).toMatchObject({ provider: 'generic', channel: 'latest' });
    expect(config.publish.url).toMatch(/^https:\/\//);
  });

  it('rebuilds native modules for Electron while packaging, from prebuilt or source headers, never at install', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(packageJson.scripts[hook], hook).toBeUndefined();
    const rebuilding = Object.entries(packageJson.scripts).filter(([, command]) => /electron-builder|electron-rebuild|install-app-deps|package-app|electron-native/.test(command));
    // Packaging, and the development run's separate Electron build (npm start runs it too).
    expect(rebuilding).toEqual([
      ['electron:rebuild', 'node scripts/electron-native.mjs'],
      ['package', 'node scripts/package-app.mjs'],
    ]);
    expect(packageJson.allowScripts.electron).toBe(false);
  });

  it('packs with the electron-builder pinned in devDependencies, never one fetched at packaging time', () => {
    expect(packageJson.devDependencies['electron-builder']).toBe(ELECTRON_BUILDER_VERSION);
    expect(packageJson.dependencies).not.toHaveProperty('electron-builder');
    const script = readFileSync(path.join(root, 'scripts', 'package-app.mjs'), 'utf8');
    expect(script).not.toMatch(/npm exec|npx|--package=/);
  });
});

describe('npm run package arguments', () => {
  it('runs the pinned electron-builder for Linux on the stable channel by default, publishing nothing', () => {
    expect(electronBuilderArguments([])).toEqual({
      channel: 'stable',
      args: [path.join(root, 'node_modules', 'electron-builder', 'cli.js'), '-c.publish.channel=latest', '--publish', 'never', '--linux'],
    });
  });

  it('names the channel files after the updater channel of the bench channel', () => {
    expect(electronBuilderArguments(['--channel', 'canary', '--win', '--linux']).args.slice(-5)).toEqual([
      '-c.publish.channel=canary',
      '--publish',
      'never',
      '--win',
      '--linux',
    ]);
    expect(electronBuilderArguments(['--channel', 'lts']).args).toContain('-c.publish.channel=lts');
  });

  it.each([['--channel', 'beta'], ['--channel'], ['--mac'], ['--publish', 'onTag']])('refuses %s', (...argv) => {
    expect(() => electronBuilderArguments(argv)).toThrow(/must be one of|must be never or always|Unknown argument/);
  });
});
