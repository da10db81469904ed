import { bundledRootFile } from '../../helpers/bundled-root';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as electron from 'electron';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, benchMethodNames, ipcChannelFor } from '../../../electron/contract/channels';
import { startBenchApp } from '../../../electron/main/bench-app';
import { createBenchServices, type BenchServices } from '../../../electron/services/bench-services';
import { useTempDirs } from '../../helpers/temp-dir';
import { silentLogger } from '../../helpers/silent-logger';
import { BrowserWindow, FakeFrame, FakeWebContents, app, ipcMain, protocol, session } from '../../fakes/electron';

describe('Electron adapter driven through the fake electron module', () => {
  const tempDir = useTempDirs('all');
  let handle: ReturnType<typeof startBenchApp>;
  let rendererDir: string;
  let window: BrowserWindow;
  let services: BenchServices;

  beforeAll(async () => {
    const dir = tempDir();
    rendererDir = path.join(dir, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>bench</title>');
    writeFileSync(path.join(dir, 'secret.txt'), 'not for the renderer');
    app.userDataPath = path.join(dir, 'user-data');
    handle = startBenchApp(electron as never, {
      rendererDir,
      preloadPath: path.join(dir, 'preload.cjs'),
      createServices: (dataDir, appVersion) => {
        services = createBenchServices({ dataDir, appVersion, mode: 'electron', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0 });
        return services;
      },
    });
    app.becomeReady();
    await handle.ready;
    const created = BrowserWindow.created.at(-1);
    if (!created) throw new Error('no window was created');
    window = created;
  });

  it('takes the single-instance lock and opens one sandboxed window on app://', () => {
    expect(handle.primary).toBe(true);
    expect(BrowserWindow.created).toHaveLength(1);
    expect(window.loadedUrl).toBe('app://bench/index.html');
    expect(window.shown).toBe(true);
    expect(window.options).toMatchObject({ webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false } });
  });

  const logged = (type: string) => services.store.integrityLog.entriesFrom(1, 10_000).filter((entry) => entry.type === type).map((entry) => JSON.parse(entry.payloadJson) as Record<string, unknown>);

  it('reloads the window when its renderer crashes, records it, and stops reloading in a crash loop', () => {
    const contents = window.webContents;
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(contents.reloads).toBe(1);
    expect(logged('app.renderer_gone').at(-1)).toMatchObject({ reason: 'crashed', exitCode: 139, reloaded: true });
    contents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 1 });
    contents.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    expect(contents.reloads).toBe(3);
    expect(logged('app.renderer_gone').at(-1)).toMatchObject({ reason: 'crashed', reloaded: false, recentCrashes: 4 });
  });

  it('records a helper process that went away (GPU, utility)', () => {
    app.emit('child-process-gone', {}, { type: 'GPU', reason: 'crashed', exitCode: 11 });
    expect(logged('app.child_process_gone').at(-1)).toMatchObject({ type: 'GPU', reason: 'crashed', exitCode: 11, serviceName: null });
  });

  it('registers app:// as a privileged standard scheme before ready', () => {
    expect(protocol.privileged).toContainEqual(expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }));
  });

  it('serves renderer files with the CSP and refuses traversal', async () => {
    const handler = protocol.handlers.get('app');
    if (!handler) throw new Error('app:// handler missing');
    const page = await handler(new Request('app://bench/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<title>bench</title>');
    const escape = await handler(new Request('app://bench/%2e%2e/secret.txt'));
    expect(escape.status).toBe(404);
  });

  it('denies every permission request and check', () => {
    const granted = vi.fn();
    session.defaultSession.permissionRequestHandler?.(window.webContents, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(session.defaultSession.permissionCheckHandler?.(window.webContents, 'geolocation')).toBe(false);
  });

  it('denies navigation away from the app, new windows and webviews', () => {
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    const away = { preventDefault: vi.fn() };
    contents.emit('will-navigate', away, 'https://example.com/');
    expect(away.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    contents.emit('will-navigate', inside, 'app://bench/index.html');
    expect(inside.preventDefault).not.toHaveBeenCalled();
    const redirect = { preventDefault: vi.fn() };
    contents.emit('will-redirect', redirect, 'http://127.0.0.1:9/');
    expect(redirect.preventDefault).toHaveBeenCalled();
    expect(contents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('registers exactly one prefixed handler per contract method', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(benchMethodNames.map(ipcChannelFor).sort());
  });

  it('answers the main frame of its own window with a result envelope', async () => {
    const reply = await ipcMain.invokeFrom(window.webContents, window.webContents.mainFrame, ipcChannelFor('getStatus'), undefined);
    expect(reply).toMatchObject({ ok: true, value: { app: { mode: 'electron', version: '0.0.0-fake' } } });
  });

  it('validates arguments coming over IPC', async () => {
    const reply = await ipcMain.invokeFrom(window.webContents, window.webContents.mainFrame, ipcChannelFor('setupFirstAdmin'), { name: 'Ana', pin: '12' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('refuses subframes, other windows and foreign pages', async () => {
    const subframe = new FakeFrame('app://bench/index.html');
    subframe.parent = window.webContents.mainFrame;
    const other = new FakeWebContents();
    const foreign = new FakeFrame('https://example.com/');
    const channel = ipcChannelFor('getSettings');
    await expect(ipcMain.invokeFrom(window.webContents, subframe, channel, undefined)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await expect(ipcMain.invokeFrom(other, other.mainFrame, channel, undefined)).resolves.toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const originalUrl = window.webContents.mainFrame.url;
    window.webContents.mainFrame.url = foreign.url;
    await expect(ipcMain.invokeFrom(window.webContents, window.webContents.mainFrame, channel, undefined)).resolves.toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    window.webContents.mainFrame.url = originalUrl;
  });

  it('forwards service events to the window on the event channel', async () => {
    const frame = window.webContents.mainFrame;
    await expect(ipcMain.invokeFrom(window.webContents, frame, ipcChannelFor('updateSettings'), { language: 'de' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORIZED' },
    });
    await ipcMain.invokeFrom(window.webContents, frame, ipcChannelFor('setupFirstAdmin'), { name: 'Ana', pin: '2468' });
    await expect(ipcMain.invokeFrom(window.webContents, frame, ipcChannelFor('updateSettings'), { language: 'de' })).resolves.toMatchObject({ ok: true });
    const statusEvents = window.webContents.sent.filter((entry) => entry.channel === IPC_EVENT_CHANNEL);
    expect(statusEvents.at(-1)?.message).toMatchObject({ event: 'status', payload: { app: { mode: 'electron' } } });
  });

  it('quits at once when another instance holds the lock', () => {
    app.singleInstanceLock = false;
    const quitsBefore = app.quitCalls;
    const second = startBenchApp(electron as never, {
      rendererDir,
      preloadPath: 'unused',
      createServices: () => {
        throw new Error('a second instance must not open the store');
      },
    });
    expect(second.primary).toBe(false);
    expect(app.quitCalls).toBe(quitsBefore + 1);
    app.singleInstanceLock = true;
  });
});
