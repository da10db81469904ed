/**
 * Electron entry point (bundled to dist/electron/main.cjs). The only module besides the preload that
 * imports 'electron'; everything it does is in bench-app.ts.
 */
import * as electron from 'electron';
import { autoUpdater } from 'electron-updater';
import path from 'node:path';
import type { CodingSessionEvent } from '../contract/coding-session';
import { fixedReleaseChannel, noAdminHold } from '../services/app-update/standalone-ports';
import { createBenchServices } from '../services/bench-services';
import { IntegrityLogEvidenceSink } from '../services/integrity-log/integrity-log-evidence-sink';
import { createLogger } from '../services/logger';
import { startWorkspaceHost } from '../workspace/workspace-host';
import { startAppUpdates } from './app-updater';
import { startBenchApp } from './bench-app';
import { startAppDemo } from './demo';

const logger = createLogger('bench-app');
const distDir = path.resolve(__dirname, '..');
const rendererDir = path.join(distDir, 'renderer');

startBenchApp(electron, {
  rendererDir,
  preloadPath: path.join(__dirname, 'preload.cjs'),
  createServices: (dataDir, appVersion) =>
    createBenchServices({
      dataDir,
      appVersion,
      mode: 'electron',
      logger,
      // The root of trust ships beside the archive in the package (electron-builder extraResources).
      bundledRootFile: electron.app.isPackaged
        ? path.join(process.resourcesPath, 'resources', 'trust', 'root.json')
        : path.resolve(distDir, '..', 'resources', 'trust', 'root.json'),
      production: electron.app.isPackaged,
    }),
  // The packaged app opens no port unless an admin asks for workspace mode explicitly.
  onServicesReady: async (services) => {
    // Until the channels work lands, the app follows stable and no admin hold can exist.
    await startAppUpdates(electron, {
      updater: () => autoUpdater,
      serverUrl: services.store.settings.get().serverUrl,
      channel: fixedReleaseChannel('stable'),
      sessions: {
        isRunning: () => services.sessions.running,
        onIdle: (listener) =>
          services.events.subscribe((event, payload) => {
            if (event === 'codingSession' && (payload as CodingSessionEvent).type === 'finished') listener();
          }),
      },
      hold: noAdminHold,
      evidence: new IntegrityLogEvidenceSink(services.integrityLog),
      logger,
    });
    // npm start's default (--demo): a virtual bench with the synthetic demo packs (refused by a production
    // root) and the local central server beside it (--central-server PORT, --no-central-server).
    await startAppDemo(electron.app, services, {
      argv: process.argv,
      resourcesDir: electron.app.isPackaged ? path.join(process.resourcesPath, 'resources') : path.resolve(distDir, '..', 'resources'),
      logger,
      print: (line) => process.stdout.write(`${line}\n`),
    });
    if (!process.argv.includes('--workspace')) return;
    if (electron.app.isPackaged) {
      // The workspace test host is left out of the package (electron-builder.yml): the installed app opens no port.
      logger.warn('--workspace is not available in the packaged app; run `injbench workspace` from a checkout instead');
      return;
    }
    const host = await startWorkspaceHost({
      services,
      rendererDir,
      bridgeFile: path.join(distDir, 'workspace-bridge', 'bridge.js'),
      logger,
    });
    process.stdout.write(`Workspace URL: ${host.url}\n`);
  },
}).ready.catch((error: unknown) => {
  logger.fatal({ err: error }, 'bench app failed to start');
  electron.app.exit(1);
});
