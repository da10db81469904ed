/**
 * The packaged app's entry point (bundled to dist/electron/main.cjs). With the preload, the only module
 * that imports 'electron'; it holds no demo, no workspace host and no central server (a test reads the
 * bundle's inputs), so what an installed bench runs is the bench app alone.
 */
import * as electron from 'electron';
import { autoUpdater } from 'electron-updater';
import path from 'node:path';
import { runMainProcess } from './main-process';

const distDir = path.resolve(__dirname, '..');
runMainProcess(electron, () => autoUpdater, {
  distDir,
  resourcesDir: electron.app.isPackaged ? path.join(process.resourcesPath, 'resources') : path.resolve(distDir, '..', 'resources'),
});
