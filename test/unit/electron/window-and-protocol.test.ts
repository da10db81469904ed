import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { isAppUrl, resolveAppFile } from '../../../electron/main/app-protocol';
import { createMainWindowOptions } from '../../../electron/main/window-options';

describe('main window options', () => {
  const options = createMainWindowOptions('/opt/bench/preload.cjs');

  it('turns every renderer protection on', () => {
    expect(options.webPreferences).toMatchObject({
      preload: '/opt/bench/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('keeps devtools closed unless asked for', () => {
    expect(options.webPreferences?.devTools).toBe(false);
  });
});

describe('app:// protocol file resolution', () => {
  const root = path.resolve('/opt/bench/renderer');

  it('serves files inside the renderer directory', () => {
    expect(resolveAppFile(root, 'app://bench/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://bench/assets/index-abc.js')).toBe(path.join(root, 'assets', 'index-abc.js'));
    expect(resolveAppFile(root, 'app://bench/')).toBe(path.join(root, 'index.html'));
  });

  it.each([
    'app://bench/../../../etc/passwd',
    'app://bench/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    'app://bench/assets/../../secret.txt',
  ])('keeps dot segments inside the renderer directory: %s', (url) => {
    // WHATWG URL parsing already folds dot segments for standard schemes; the check must hold either way.
    const resolved = resolveAppFile(root, url);
    expect(resolved === null || resolved.startsWith(root + path.sep)).toBe(true);
  });

  it.each([
    'app://bench/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://bench/..%2f..%2f..%2fetc%2fpasswd',
    'app://bench/..%5c..%5csecret.txt',
    'app://bench/%00index.html',
    'app://bench/%E0%A4%A',
    'app://other/index.html',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppFile(root, url)).toBeNull();
  });

  it('allows navigation only inside the app origin', () => {
    expect(isAppUrl('app://bench/index.html')).toBe(true);
    expect(isAppUrl('https://example.com/')).toBe(false);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('javascript:alert(1)')).toBe(false);
  });
});
