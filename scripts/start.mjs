// `npm start`: builds the app, rebuilds the ABI-bound native modules for Electron into a folder of their
// own (scripts/electron-native.mjs; once per Electron and module version), then launches Electron. Where
// Electron cannot run (binary not installed, no display, native rebuild impossible) it says so in one line
// and serves the same app in workspace mode instead.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll, buildDevelopmentForElectron } from './build.mjs';
import { electronBinary, prepareElectronNative } from './electron-native.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const forwarded = process.argv.slice(2);

/** The Electron binary and its native modules, or the reason Electron cannot run here. */
async function electronRun() {
  const electron = electronBinary();
  if (!electron.binary) return electron;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display' };
  try {
    const native = await prepareElectronNative();
    await buildDevelopmentForElectron(native.modulePaths);
  } catch (error) {
    return { reason: `the native modules could not be rebuilt for Electron (${error instanceof Error ? error.message : String(error)}; see docs/bench-app.md)` };
  }
  return electron;
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

await buildAll({ quiet: true });
const electron = await electronRun();
// A newcomer gets a working bench: the virtual bench, demo packs and demo credits, unless --no-demo.
const demo = forwarded.includes('--no-demo') ? [] : ['--demo'];
const rest = forwarded.filter((arg) => arg !== '--no-demo');
if (electron.binary) {
  // The development entry: the app plus the demo and workspace mode (the package runs dist/electron/main.cjs).
  run(electron.binary, [path.join(root, 'dist', 'development', 'main.cjs'), ...demo, ...rest]);
} else {
  console.log(`Electron cannot start here: ${electron.reason}; starting workspace mode instead.`);
  run(process.execPath, [path.join(root, 'bin', 'injbench.mjs'), 'workspace', ...demo, ...rest]);
}
