/**
 * The development run's native modules under Electron (scripts/electron-native.mjs): which modules need an
 * Electron build, where it goes, and the development bundle pointed at it. The rebuild itself needs the
 * Electron binary and Electron's headers from the internet, neither of which this machine has.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDevelopmentForElectron } from '../../../scripts/build.mjs';
import { ABI_BOUND_MODULES, electronBinary, electronNativePlan } from '../../../scripts/electron-native.mjs';
import { useTempDirs } from '../../helpers/temp-dir';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const manifestOf = (name: string) => JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };

describe('native modules for a development run under Electron', () => {
  const tempDir = useTempDirs('all');

  it('rebuilds better-sqlite3, bound to one ABI; serialport binds through N-API, the same binary for Node and Electron', () => {
    expect(ABI_BOUND_MODULES).toEqual(['better-sqlite3']);
    expect(manifestOf('better-sqlite3').dependencies).not.toHaveProperty('node-addon-api');
    expect(manifestOf('@serialport/bindings-cpp').dependencies).toHaveProperty('node-addon-api');
  });

  it('builds into a folder of its own per Electron version and platform, never over the Node build tests and the CLI load', () => {
    const plan = electronNativePlan({ platform: 'win32', arch: 'x64' });
    const electronVersion = manifestOf('electron').version;
    expect(plan.electronVersion).toBe(electronVersion);
    expect(plan.folder).toBe(path.join(root, 'node_modules', '.cache', 'injbench-electron-native', `${electronVersion}-win32-x64`));
    expect(plan.modules).toEqual({ 'better-sqlite3': manifestOf('better-sqlite3').version });
    expect(plan.modulePaths['better-sqlite3']).toBe(path.join(plan.folder, 'node_modules', 'better-sqlite3'));
    expect(plan.modulePaths['better-sqlite3']).not.toBe(path.join(root, 'node_modules', 'better-sqlite3'));
  });

  it('finds the Electron binary without downloading it, or says why there is none', () => {
    const electron = electronBinary();
    if (electron.binary === undefined) {
      console.log(`No Electron binary on this machine: ${electron.reason}`);
      expect(electron.reason).toMatch(/npm run electron:install/);
    } else {
      expect(path.isAbsolute(electron.binary)).toBe(true);
    }
  });

  it("points the development bundle's better-sqlite3 at the Electron build and leaves serialport to node_modules", async () => {
    const into = tempDir();
    const electronBuild = path.join(into, 'electron-native', 'node_modules', 'better-sqlite3');
    await buildDevelopmentForElectron({ 'better-sqlite3': electronBuild }, { into });
    const bundle = readFileSync(path.join(into, 'development', 'main.cjs'), 'utf8');
    expect(bundle).toContain(`require(${JSON.stringify(electronBuild)})`);
    expect(bundle).not.toMatch(/require\("better-sqlite3"\)/);
    expect(bundle).toMatch(/require\("serialport"\)/);
  }, 120_000);
});
