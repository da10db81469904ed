/**
 * runtimeRequire in both shapes the server runs in: ES modules (here, through Vitest) and the Electron main
 * process's CommonJS bundle, where esbuild leaves import.meta empty. Before it, the bundle could not resolve
 * the native addons its worker threads load, and the WAL checkpointer quietly fell back there.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeRequire } from '../../../server/runtime-require';

const root = path.resolve(import.meta.dirname, '../../..');
// Outside the checkout, beside a node_modules link, so the bundle finds the packages the way
// dist/electron/main.cjs finds the checkout's.
const outDir = mkdtempSync(path.join(tmpdir(), 'injbench-runtime-require-'));
symlinkSync(path.join(root, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('runtimeRequire', () => {
  it('resolves sodium-native and better-sqlite3 as ES modules', () => {
    for (const name of ['sodium-native', 'better-sqlite3']) expect(runtimeRequire().resolve(name)).toContain(path.join('node_modules', name));
  });

  it('resolves them from a CommonJS bundle built as the Electron main process is', async () => {
    const outfile = path.join(outDir, 'main.cjs');
    await build({
      stdin: {
        contents: `import { runtimeRequire } from './server/runtime-require';
          console.log(JSON.stringify(['sodium-native', 'better-sqlite3'].map((name) => runtimeRequire().resolve(name))));`,
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    const resolved = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' })) as string[];
    expect(resolved).toEqual([path.join(root, 'node_modules', 'sodium-native', 'index.js'), expect.stringContaining(path.join(root, 'node_modules', 'better-sqlite3'))]);
  });
});
