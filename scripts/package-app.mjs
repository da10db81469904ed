// `npm run package`: builds the app, then packs it with the pinned electron-builder (a devDependency),
// which rebuilds the native modules for Electron on the way. Needs internet access: the Electron release
// zips and the native modules' Electron headers are downloaded. Afterwards the native modules are rebuilt
// for Node again, so tests and the CLI keep working in the same checkout.
//
//   npm run package -- [--channel canary|staged|stable|lts] [--linux] [--win] [--publish never|always]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const require = createRequire(import.meta.url);
/** The electron-builder that packs the app: the devDependency package.json pins, run from node_modules. */
export const ELECTRON_BUILDER_VERSION = require('electron-builder/package.json').version;
const electronBuilderCli = require.resolve('electron-builder/cli.js');

const updaterChannels = { canary: 'canary', staged: 'staged', stable: 'latest', lts: 'lts' };
const platformFlags = new Set(['--linux', '--win']);

/** Turns `npm run package` arguments into the electron-builder command line; throws on anything unknown. */
export function electronBuilderArguments(argv) {
  let channel = 'stable';
  let publish = 'never';
  const platforms = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--channel' || arg === '--publish') {
      const value = argv[index + 1];
      index += 1;
      if (arg === '--channel') {
        if (!(value in updaterChannels)) throw new Error(`--channel must be one of ${Object.keys(updaterChannels).join(', ')} (got ${value ?? 'nothing'}).`);
        channel = value;
      } else {
        if (value !== 'never' && value !== 'always') throw new Error(`--publish must be never or always (got ${value ?? 'nothing'}).`);
        publish = value;
      }
    } else if (platformFlags.has(arg)) {
      platforms.push(arg);
    } else {
      throw new Error(`Unknown argument ${arg}. Usage: npm run package -- [--channel canary|staged|stable|lts] [--linux] [--win] [--publish never|always]`);
    }
  }
  return {
    channel,
    args: [
      electronBuilderCli,
      // electron-builder.yml is read by default; -c.<key> overrides one key of it.
      `-c.publish.channel=${updaterChannels[channel]}`,
      '--publish',
      publish,
      ...(platforms.length > 0 ? platforms : ['--linux']),
    ],
  };
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return result.status ?? 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let plan;
  try {
    plan = electronBuilderArguments(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  const { buildAll } = await import('./build.mjs');
  await buildAll({ quiet: true });
  console.log(`Packaging for the ${plan.channel} channel with electron-builder ${ELECTRON_BUILDER_VERSION}.`);
  const status = run(process.execPath, plan.args);
  // electron-builder left the native modules built for Electron; the checkout's Node needs its own.
  const restored = run('npm', ['rebuild', 'better-sqlite3']);
  if (restored !== 0) console.error('Could not rebuild better-sqlite3 for Node: run "npm rebuild better-sqlite3" before testing.');
  process.exit(status !== 0 ? status : restored);
}
