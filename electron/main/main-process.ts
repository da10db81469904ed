/**
 * The bench app's main process, shared by the packaged entry (index.ts) and the development entry
 * (dev.ts). What only development runs (the demo bench, the local central server, workspace mode) arrives
 * through `development`, so the packaged bundle never contains it.
 */
import type * as Electron from 'electron';
import type { autoUpdater as AutoUpdater } from 'electron-updater';
import path from 'node:path';
import type { CodingSessionEvent } from '../contract/coding-session';
import { benchAppHold, benchReleaseChannel, benchTrustedRoot } from '../services/app-update/bench-ports';
import { createBenchServices, type BenchServices } from '../services/bench-services';
import { IntegrityLogEvidenceSink } from '../services/integrity-log/integrity-log-evidence-sink';
import { createTeeLogger, type Logger } from '../../common/logger';
import { openRotatingLogFile } from '../services/diagnostics/log-files';
import { startAppUpdates } from './app-updater';
import { startBenchApp } from './bench-app';
import { electronPrinter } from './electron-printer';

/** Where the built app lives: dist/ of the checkout, or the package's app.asar/dist. */
export interface MainProcessPaths {
  distDir: string;
  /** resources/ of the checkout or the package: the root of trust and the demo sources. */
  resourcesDir: string;
}

export interface DevelopmentHooks {
  /** Runs once the bench services are ready, after the app's own start-up. */
  onServicesReady(services: BenchServices, context: MainProcessPaths & { logger: Logger; rendererDir: string }): Promise<void>;
}

export function runMainProcess(electron: typeof Electron, updater: () => typeof AutoUpdater, paths: MainProcessPaths, development?: DevelopmentHooks): void {
  const { logger, addDestination } = createTeeLogger('bench-app');
  // stderr is lost in a Windows GUI app: the same lines go to rotating files in the data directory.
  openRotatingLogFile(electron.app.getPath('userData'))
    .then(addDestination)
    .catch((error: unknown) => logger.warn({ err: error }, 'log files off: the log directory cannot be written'));
  const rendererDir = path.join(paths.distDir, 'renderer');
  startBenchApp(electron, {
    rendererDir,
    preloadPath: path.join(paths.distDir, 'electron', 'preload.cjs'),
    createServices: (dataDir, appVersion) =>
      createBenchServices({
        dataDir,
        appVersion,
        mode: 'electron',
        logger,
        // The root of trust ships beside the archive in the package (electron-builder extraResources).
        bundledRootFile: path.join(paths.resourcesDir, 'trust', 'root.json'),
        production: electron.app.isPackaged,
        systemPrinter: electronPrinter(electron),
      }),
    onServicesReady: async (services) => {
      const appUpdateInputs = {
        settingsChannel: () => services.store.settings.get().releaseChannel,
        directive: () => services.packs.directiveInForce(),
        holds: services.appHolds,
      };
      await startAppUpdates(electron, {
        updater,
        serverUrl: services.store.settings.get().serverUrl,
        channel: benchReleaseChannel(appUpdateInputs),
        sessions: {
          isRunning: () => services.sessions.running,
          onIdle: (listener) =>
            services.events.subscribe((event, payload) => {
              if (event === 'codingSession' && (payload as CodingSessionEvent).type === 'finished') listener();
            }),
        },
        hold: benchAppHold(appUpdateInputs),
        trustedRoot: () => benchTrustedRoot(services.packs),
        evidence: new IntegrityLogEvidenceSink(services.integrityLog),
        logger,
      });
      if (development) {
        await development.onServicesReady(services, { ...paths, logger, rendererDir });
        return;
      }
      for (const flag of ['--demo', '--workspace']) {
        // The demo and the workspace test host are not in this build: the installed app opens no port.
        if (process.argv.includes(flag)) logger.warn(`${flag} is only available in a development run (npm start, or injbench workspace from a checkout)`);
      }
    },
  }).ready.catch((error: unknown) => {
    logger.fatal({ err: error }, 'bench app failed to start');
    electron.app.exit(1);
  });
}
