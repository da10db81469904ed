// `npm start`: builds the app, then launches Electron. Where the Electron binary cannot run (not
// installed, no display) it says so in one line and serves the same app in workspace mode instead.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll } from './build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const forwarded = process.argv.slice(2);

/** Returns the Electron binary path, or the reason it cannot run here. */
function electronBinary() {
  let binary;
  try {
    // Under plain Node the electron package exports the path of its binary, or throws when it has none.
    binary = createRequire(import.meta.url)('electron');
  } catch {
    return { reason: 'the Electron binary is not installed (run "npm run electron:install" where the internet is reachable)' };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { reason: 'the Electron binary is missing' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'there is no display' };
  return { binary };
}

function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

await buildAll({ quiet: true });
const electron = electronBinary();
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
