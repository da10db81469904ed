/**
 * The development entry point (bundled to dist/development/main.cjs, which `npm start` runs; never
 * packaged): the bench app of index.ts plus the demo bench and local central server (`--demo`, npm
 * start's default) and workspace mode (`--workspace`).
 */
import * as electron from 'electron';
import { autoUpdater } from 'electron-updater';
import path from 'node:path';
import { startAppDemo } from '../../demo/electron-demo';
import { startWorkspaceHost } from '../workspace/workspace-host';
import { runMainProcess } from './main-process';

// `electron dist/development/main.cjs` would name the app "Electron": keep the data directory that
// `electron .` (the package's name) gives, so a development run finds the bench it set up before.
electron.app.setPath('userData', path.join(electron.app.getPath('appData'), 'injector-bench'));

const distDir = path.resolve(__dirname, '..');
runMainProcess(
  electron,
  () => autoUpdater,
  { distDir, resourcesDir: path.resolve(distDir, '..', 'resources') },
  {
    async onServicesReady(services, { logger, resourcesDir, rendererDir }) {
      // A virtual bench with the synthetic demo packs (refused by a production root) and the local
      // central server beside it (--central-server PORT, --no-central-server).
      await startAppDemo(electron.app, services, {
        argv: process.argv,
        resourcesDir,
        logger,
        print: (line) => process.stdout.write(`${line}\n`),
      });
      if (!process.argv.includes('--workspace')) return;
      const host = await startWorkspaceHost({
        services,
        rendererDir,
        bridgeFile: path.join(distDir, 'workspace-bridge', 'bridge.js'),
        logger,
      });
      process.stdout.write(`Workspace URL: ${host.url}\n`);
    },
  },
);
