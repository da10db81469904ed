/**
 * The Electron adapter: lifecycle, window, protocol, permissions and IPC around the plain-Node services.
 * It receives the electron module as a parameter so tests drive it with a fake (see test/fakes/electron.ts).
 */
import type * as Electron from 'electron';
import { pathToFileURL } from 'node:url';
import { IPC_EVENT_CHANNEL } from '../contract/channels';
import type { BenchEventMessage } from '../contract/bench-api';
import type { BenchServices } from '../services/bench-services';
import { contentSecurityPolicy } from '../services/security/content-security-policy';
import { APP_ENTRY_URL, APP_SCHEME, isAppUrl, resolveAppFile } from './app-protocol';
import { guardDownloads } from './downloads';
import { createSenderCheck, registerBenchIpc } from './ipc';
import { createMainWindowOptions } from './window-options';

/** Every scheme that reaches another machine; the page has no business with any of them. */
export const REMOTE_URL_PATTERNS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'ftp://*/*'];

/** More renderer crashes than this within the window below and the app stops reloading (a crash loop). */
export const MAX_RENDERER_RELOADS = 3;
const RENDERER_CRASH_WINDOW_MS = 60_000;

export type ElectronModule = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'session' | 'net'>;

export interface BenchAppOptions {
  rendererDir: string;
  preloadPath: string;
  createServices(dataDir: string, appVersion: string): BenchServices;
  /** Extra work once services run (workspace host on request); failures are logged, not fatal. */
  onServicesReady?(services: BenchServices): Promise<void> | void;
}

export interface BenchAppHandle {
  /** false when another instance already holds the lock and this one quits. */
  readonly primary: boolean;
  readonly ready: Promise<void>;
  mainWindow(): Electron.BrowserWindow | null;
}

export function startBenchApp(electron: ElectronModule, options: BenchAppOptions): BenchAppHandle {
  const { app, BrowserWindow, ipcMain, protocol, session, net } = electron;
  let window: Electron.BrowserWindow | null = null;
  let services: BenchServices | null = null;

  // One bench app per machine: two would fight over the serial port and the database.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { primary: false, ready: Promise.resolve(), mainWindow: () => null };
  }

  // Every renderer sandboxed, including any a future change or dependency creates without asking.
  app.enableSandbox();

  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false } },
  ]);

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (navigation, url) => {
      if (!isAppUrl(url)) navigation.preventDefault();
    });
    contents.on('will-redirect', (navigation, url) => {
      if (!isAppUrl(url)) navigation.preventDefault();
    });
    contents.on('will-attach-webview', (attach) => attach.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  // A crashed or killed renderer leaves a blank window at the bench: record it and load the app again,
  // unless it keeps dying (then the window stays as it is and the log says so).
  const rendererGone: number[] = [];
  const onRendererGone = (contents: Electron.WebContents, details: Electron.RenderProcessGoneDetails): void => {
    const at = Date.now();
    rendererGone.push(at);
    while (rendererGone.length > 0 && (rendererGone[0] ?? at) < at - RENDERER_CRASH_WINDOW_MS) rendererGone.shift();
    const reload = details.reason !== 'clean-exit' && rendererGone.length <= MAX_RENDERER_RELOADS && !contents.isDestroyed();
    services?.integrityLog.append('app.renderer_gone', { reason: details.reason, exitCode: details.exitCode, reloaded: reload, recentCrashes: rendererGone.length });
    if (reload) contents.reload();
  };
  // GPU, utility and other helper processes: recorded (Chromium restarts what it can by itself).
  app.on('child-process-gone', (_event, details) => {
    services?.integrityLog.append('app.child_process_gone', {
      type: details.type,
      reason: details.reason,
      exitCode: details.exitCode,
      serviceName: details.serviceName ?? null,
      name: details.name ?? null,
    });
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => services?.close());

  const ready = app.whenReady().then(async () => {
    const defaultSession = session.defaultSession;
    defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    defaultSession.setPermissionCheckHandler(() => false);
    // WebHID, WebUSB and Web Serial: the bench talks to hardware from main (native-bridge), never the page.
    defaultSession.setDevicePermissionHandler(() => false);
    // No remote content: the renderer loads app:// only. The updater uses its own session, not this one.
    defaultSession.webRequest.onBeforeRequest({ urls: REMOTE_URL_PATTERNS }, (_details, callback) => callback({ cancel: true }));
    // Label, report and support bundle: the page's own blob: downloads only, through the save dialog.
    guardDownloads(defaultSession);

    const csp = contentSecurityPolicy();
    protocol.handle(APP_SCHEME, async (request) => {
      const file = resolveAppFile(options.rendererDir, request.url);
      if (!file) return new Response('Not found', { status: 404 });
      const response = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(response.headers);
      headers.set('content-security-policy', csp);
      headers.set('x-content-type-options', 'nosniff');
      return new Response(response.body, { status: response.status, headers });
    });

    services = options.createServices(app.getPath('userData'), app.getVersion());
    registerBenchIpc(ipcMain, services.dispatch, createSenderCheck(() => window?.webContents ?? null));

    const windowOptions = createMainWindowOptions(options.preloadPath);
    window = new BrowserWindow({
      ...windowOptions,
      // Restated last, at the one place a window is made, so no edit of the options factory can turn these
      // off; the Electron security scan in lint reads them here.
      webPreferences: { ...windowOptions.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    const shown = window;
    shown.once('ready-to-show', () => shown.show());
    shown.webContents.on('render-process-gone', (_event, details) => onRendererGone(shown.webContents, details));
    shown.on('closed', () => {
      window = null;
    });
    services.events.subscribe((event, payload) => {
      if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, { event, payload } satisfies BenchEventMessage);
    });
    await shown.loadURL(APP_ENTRY_URL);
    await options.onServicesReady?.(services);
  });

  return { primary: true, ready, mainWindow: () => window };
}
