// The native modules of a development run under Electron (`npm start`, `npm run electron:rebuild`).
//
// One node_modules cannot serve two ABIs: tests and the CLI run better-sqlite3 built for Node. So the
// Electron build goes into a folder of its own, node_modules/.cache/injbench-electron-native/<electron
// version>-<platform>-<arch>/, rebuilt there with @electron/rebuild (which fetches Electron's headers, or a
// prebuilt binary, from the internet), and only the development bundle Electron runs is pointed at it
// (scripts/build.mjs, buildDevelopmentForElectron). serialport's binding is N-API, the same binary for Node
// and Electron, so it needs no rebuild. The packaged app gets its own rebuild from electron-builder
// (npmRebuild in electron-builder.yml, `npm run package`).
//
//   npm run electron:rebuild      rebuild now (needs the Electron binary: npm run electron:install)
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Native modules whose binary is bound to one ABI (not N-API), so Electron needs its own build. */
export const ABI_BOUND_MODULES = ['better-sqlite3'];

const versionOf = (name) => JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

/**
 * Returns the Electron binary path, or the reason it cannot run here. Read from the electron package's
 * path.txt rather than by loading the electron package, which in Electron 45 (unlike 39) starts a download of a missing binary.
 */
export function electronBinary() {
  const packageDir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'the Electron binary is not installed (run "npm run electron:install" where the internet is reachable)' };
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(packageDir, 'dist');
  const binary = path.join(dist, readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { reason: `the Electron binary is missing (${binary}; run "npm run electron:install")` };
  return { binary };
}

/** Where the Electron build of the ABI-bound modules lives, and what it is built from. */
export function electronNativePlan({ platform = process.platform, arch = process.arch } = {}) {
  const electronVersion = versionOf('electron');
  const folder = path.join(root, 'node_modules', '.cache', 'injbench-electron-native', `${electronVersion}-${platform}-${arch}`);
  const modules = Object.fromEntries(ABI_BOUND_MODULES.map((name) => [name, versionOf(name)]));
  return { electronVersion, platform, arch, folder, modules, modulePaths: Object.fromEntries(ABI_BOUND_MODULES.map((name) => [name, path.join(folder, 'node_modules', name)])) };
}

const stampOf = (plan) => JSON.stringify({ electron: plan.electronVersion, modules: plan.modules });

/**
 * Copies the ABI-bound modules into the plan's folder and rebuilds them there for Electron, unless the
 * folder already holds a build of the same versions. Returns the plan; throws with the reason on failure.
 */
export async function prepareElectronNative({ log = console.log } = {}) {
  const plan = electronNativePlan();
  const stampFile = path.join(plan.folder, 'built-for.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stampOf(plan)) return plan;
  log(`Rebuilding ${ABI_BOUND_MODULES.join(', ')} for Electron ${plan.electronVersion} into ${path.relative(root, plan.folder)} (the Node build in node_modules stays for tests and the CLI).`);
  rmSync(plan.folder, { recursive: true, force: true });
  mkdirSync(path.join(plan.folder, 'node_modules'), { recursive: true });
  for (const name of ABI_BOUND_MODULES) {
    // Sources and package.json only: the Node binary of the checkout is not copied, the rebuild makes Electron's.
    cpSync(path.join(root, 'node_modules', name), plan.modulePaths[name], { recursive: true, filter: (source) => !source.includes(`${path.sep}build${path.sep}`) });
  }
  writeFileSync(path.join(plan.folder, 'package.json'), `${JSON.stringify({ name: 'injbench-electron-native', private: true, dependencies: plan.modules }, null, 2)}\n`);
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: plan.folder, electronVersion: plan.electronVersion, arch: plan.arch, onlyModules: ABI_BOUND_MODULES, force: true, mode: 'sequential' });
  writeFileSync(stampFile, stampOf(plan));
  return plan;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const electron = electronBinary();
  if (!electron.binary) {
    console.error(`Nothing rebuilt: ${electron.reason}. Tests and the CLI use the Node build in node_modules and need none.`);
    process.exit(1);
  }
  try {
    const plan = await prepareElectronNative();
    console.log(`Electron ${plan.electronVersion} build of ${ABI_BOUND_MODULES.join(', ')}: ${path.relative(root, plan.folder)}`);
  } catch (error) {
    console.error(`The rebuild for Electron failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
