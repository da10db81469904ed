import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanAppDirectories } from '../../../scripts/electron-security-scan.mjs';
import { useTempDirs } from '../../helpers/temp-dir';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('Electron security scan (Electronegativity, part of npm run lint)', () => {
  const tempDir = useTempDirs();

  it('finds no high-severity risk in the bench app (main, preload, services, renderer)', async () => {
    const { failing, electronVersion } = await scanAppDirectories([path.join(root, 'electron'), path.join(root, 'renderer')]);
    expect(electronVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(failing).toEqual([]);
  }, 30_000);

  it('fails a window without context isolation, and a file it cannot parse', async () => {
    const app = path.join(tempDir(), 'main');
    mkdirSync(app);
    writeFileSync(
      path.join(app, 'window.ts'),
      "import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: false } });\n",
    );
    writeFileSync(path.join(app, 'broken.ts'), 'export const broken = (;\n');
    const { failing } = await scanAppDirectories([app]);
    expect(failing).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'CONTEXT_ISOLATION_JS_CHECK', file: 'main/window.ts', severity: 'HIGH' }),
        expect.objectContaining({ id: 'PARSE_ERROR', file: 'main/broken.ts' }),
        // Without a will-navigate guard anywhere in the app, navigation is unlimited.
        expect.objectContaining({ id: 'LIMIT_NAVIGATION_GLOBAL_CHECK' }),
      ]),
    );
  }, 30_000);
});
