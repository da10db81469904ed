/**
 * Electron's security checklist (electronjs.org/docs/latest/tutorial/security), item by item, for the
 * items that apply to the bench app. Items already proven elsewhere are named with their test file and
 * not repeated here:
 *   2 Node integration off, 3 context isolation, 4 sandbox (window option), 6 webSecurity,
 *   8 insecure content                              -> window-and-protocol.test.ts ("turns every renderer protection on")
 *   5 permission requests and checks denied         -> bench-app.test.ts ("denies every permission request and check")
 *   7 CSP header on every app:// response           -> bench-app.test.ts ("serves renderer files with the CSP")
 *   11-12 <webview> refused, 13 navigation limited,
 *   14 new windows denied                           -> bench-app.test.ts ("denies navigation away from the app ...")
 *   17 IPC sender validated                         -> bench-app.test.ts ("refuses subframes, other windows and foreign pages")
 *   18 custom protocol, no path escapes             -> window-and-protocol.test.ts ("app:// protocol file resolution")
 *   19 fuses                                        -> packaging/electron-builder-config.test.ts
 *   20 one narrow preload API                       -> preload.test.ts
 * Not tested here: 16 (a current Electron is a release task, see docs/release-app.md).
 */
import { bundledRootFile } from '../../helpers/bundled-root';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as electron from 'electron';
import { beforeAll, describe, expect, it } from 'vitest';
import { APP_ENTRY_URL } from '../../../electron/main/app-protocol';
import { REMOTE_URL_PATTERNS, startBenchApp } from '../../../electron/main/bench-app';
import { createMainWindowOptions } from '../../../electron/main/window-options';
import { createBenchServices } from '../../../electron/services/bench-services';
import { contentSecurityPolicy } from '../../../electron/services/security/content-security-policy';
import { BrowserWindow, app, protocol, session } from '../../fakes/electron';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|tsx|mjs|js)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function parsePolicy(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((directive) => {
      const [name = '', ...sources] = directive.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('Electron security checklist', () => {
  const tempDir = useTempDirs('all');
  let sandboxEnabledBeforeReady = false;
  let window: BrowserWindow;

  beforeAll(async () => {
    const dir = tempDir();
    const rendererDir = path.join(dir, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>bench</title>');
    app.userDataPath = path.join(dir, 'user-data');
    const handle = startBenchApp(electron as never, {
      rendererDir,
      preloadPath: path.join(dir, 'preload.cjs'),
      createServices: (dataDir, appVersion) =>
        createBenchServices({ dataDir, appVersion, mode: 'electron', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0 }),
    });
    sandboxEnabledBeforeReady = app.sandboxEnabled;
    app.becomeReady();
    await handle.ready;
    const created = BrowserWindow.created.at(-1);
    if (!created) throw new Error('no window was created');
    window = created;
  });

  it('1. loads only its own content: app:// at start, and every request to another machine is cancelled', () => {
    expect(window.loadedUrl).toBe(APP_ENTRY_URL);
    const guard = session.defaultSession.webRequest.beforeRequest;
    expect(guard?.filter.urls).toEqual(REMOTE_URL_PATTERNS);
    for (const scheme of ['http', 'https', 'ws', 'wss', 'ftp']) expect(REMOTE_URL_PATTERNS).toContain(`${scheme}://*/*`);
    let response: { cancel?: boolean } | null = null;
    guard?.listener({ url: 'https://cdn.example.com/lib.js' }, (reply) => (response = reply));
    expect(response).toEqual({ cancel: true });
  });

  it('1. allows no remote source in the content security policy', () => {
    const localSources = new Set(["'self'", "'none'", 'data:', 'blob:']);
    for (const [directive, sources] of parsePolicy(contentSecurityPolicy())) {
      for (const source of sources) expect(localSources.has(source), `${directive} ${source}`).toBe(true);
    }
  });

  it('4. sandboxes every renderer, enabled before the app is ready', () => {
    expect(sandboxEnabledBeforeReady).toBe(true);
  });

  it('2-4, 6, 8-9, 12. the window actually created keeps every protection of the options factory', () => {
    const factory = createMainWindowOptions('unused').webPreferences ?? {};
    const { preload: _preload, ...protections } = factory;
    expect(window.options.webPreferences).toMatchObject(protections);
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      webviewTag: false,
    });
  });

  it('10. enables no Blink features and does not switch off the security-relevant defaults', () => {
    const preferences = createMainWindowOptions('unused').webPreferences ?? {};
    expect(preferences).not.toHaveProperty('enableBlinkFeatures');
    expect(preferences).not.toHaveProperty('additionalArguments');
    expect(preferences.experimentalFeatures).toBe(false);
    expect(preferences.navigateOnDragDrop).toBe(false);
    expect(preferences.safeDialogs).toBe(true);
  });

  it('5. denies device access (WebHID, WebUSB, Web Serial) to the page', () => {
    expect(session.defaultSession.devicePermissionHandler?.({ deviceType: 'serial', origin: 'app://bench' })).toBe(false);
  });

  it('7. keeps the policy strict: no inline or eval script, no plugins, no base or form targets, no framing', () => {
    const policy = parsePolicy(contentSecurityPolicy({ connectSources: ['ws://127.0.0.1:4000'] }));
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    for (const directive of ['object-src', 'base-uri', 'form-action', 'frame-ancestors']) expect(policy.get(directive), directive).toEqual(["'none'"]);
    // frame-src and worker-src fall back to default-src 'none'.
    expect(policy.has('frame-src')).toBe(false);
    expect(policy.has('worker-src')).toBe(false);
  });

  it('18. gives the app:// scheme no privilege beyond what a standard secure scheme needs', () => {
    const registered = protocol.privileged.find((entry) => (entry as { scheme?: string }).scheme === 'app') as { privileges: Record<string, boolean> };
    expect(registered.privileges).toMatchObject({ standard: true, secure: true });
    for (const privilege of ['bypassCSP', 'allowServiceWorkers', 'corsEnabled', 'stream']) expect(registered.privileges[privilege] ?? false, privilege).toBe(false);
  });

  it('15. never hands content to shell.openExternal, and uses no remote module', () => {
    const offenders = [...sourceFiles('electron'), ...sourceFiles('renderer/src')].filter((file) =>
      /openExternal|@electron\/remote|enableRemoteModule/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
    const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(packageJson.dependencies).not.toHaveProperty('@electron/remote');
  });
});
