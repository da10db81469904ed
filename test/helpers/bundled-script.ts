import { build, type Plugin } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll } from 'vitest';

const projectModules = fileURLToPath(new URL('../../node_modules', import.meta.url));
const bundles = new Map<string, Promise<string>>();
const bundleDirs: string[] = [];

afterAll(() => {
  for (const dir of bundleDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  bundles.clear();
});

/** Each module keeps its own import.meta.dirname and .url (files found beside the sources), not the bundle's. */
const sourceLocations: Plugin = {
  name: 'source-locations',
  setup(plugin) {
    plugin.onLoad({ filter: /\.ts$/ }, (args) => ({
      loader: 'ts',
      contents: readFileSync(args.path, 'utf8')
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(args.path)))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
    }));
  },
};

/**
 * A TypeScript child script as one ES module that plain `node` runs, built once per test file.
 *
 * Tests that start a child many times (the kill -9 tests) pay tsx's compile at every start otherwise:
 * on a loaded machine that took most of their time budget and left too few kills landing mid-work.
 * Packages stay external and resolve through a node_modules link beside the bundle (in a temporary
 * folder, never in the checkout).
 */
export function bundledScript(script: string): Promise<string> {
  const source = path.resolve(script);
  let bundle = bundles.get(source);
  if (!bundle) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'injbench-child-'));
    bundleDirs.push(dir);
    symlinkSync(projectModules, path.join(dir, 'node_modules'), 'dir');
    const outfile = path.join(dir, `${path.basename(source, path.extname(source))}.mjs`);
    bundle = build({
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
      plugins: [sourceLocations],
    }).then(() => outfile);
    bundles.set(source, bundle);
  }
  return bundle;
}
