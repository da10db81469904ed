/**
 * The three deployables as `npm run build` bundles them (scripts/build.mjs, the same esbuild options): what
 * each bundle is made of, read from esbuild's metafile, and the central server running alone from a folder
 * that holds nothing of the checkout but its bundle (and the packages it loads at run time).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleInputs, bundleMetafile, bundleRuntimePackages, esbuildOptions } from '../../scripts/build.mjs';
import { TEST_ADMIN_TOKEN } from '../helpers/central-server';
import { useTempDirs } from '../helpers/temp-dir';

const run = promisify(execFile);
const projectRoot = path.resolve(import.meta.dirname, '..', '..');

const inside = (inputs: string[], ...prefixes: string[]): string[] => inputs.filter((input) => prefixes.some((prefix) => input.startsWith(prefix)));

describe('what each bundle is made of', () => {
  let server: string[];
  let electronMain: string[];
  let cli: string[];
  let development: string[];

  beforeAll(async () => {
    [server, electronMain, cli, development] = await Promise.all([bundleInputs('server'), bundleInputs('electronMain'), bundleInputs('cli'), bundleInputs('development')]);
  }, 120_000);

  it('the central server holds nothing of the bench app, the renderer, the virtual bench or the demo', () => {
    expect(inside(server, 'server/').length).toBeGreaterThan(20);
    expect(inside(server, 'common/').length).toBeGreaterThan(5);
    expect(inside(server, 'electron/', 'renderer/', 'native-bridge/', 'demo/', 'cli/', 'test/')).toEqual([]);
  });

  it("the packaged app's main bundle holds no server, virtual bench, demo or workspace host, and no fastify, kysely or pg", () => {
    expect(inside(electronMain, 'electron/main/', 'electron/services/').length).toBeGreaterThan(20);
    expect(inside(electronMain, 'server/', 'native-bridge/sim/', 'demo/', 'electron/workspace/', 'cli/', 'test/')).toEqual([]);
    expect(inside(electronMain, 'node_modules/fastify/', 'node_modules/@fastify/', 'node_modules/kysely/', 'node_modules/pg/', 'node_modules/pg-')).toEqual([]);
  });

  it('the development entry is where the demo, the local server and workspace mode come in', () => {
    expect(inside(development, 'demo/').length).toBeGreaterThan(0);
    expect(inside(development, 'electron/workspace/').length).toBeGreaterThan(0);
    expect(inside(development, 'server/').length).toBeGreaterThan(0);
  });

  it('the CLI bundles its commands and none of the tests', () => {
    expect(inside(cli, 'cli/commands/').length).toBeGreaterThan(5);
    expect(inside(cli, 'test/')).toEqual([]);
  });

  it("the CLI's entry chunk is commander and the command table: every command group is a chunk loaded when it runs", async () => {
    const { outputs } = await bundleMetafile('cli');
    const entry = Object.entries(outputs).find(([file]) => file.endsWith('dist/cli/main.mjs'))?.[1];
    const entryInputs = Object.keys(entry?.inputs ?? {});
    expect(entryInputs).toContain('cli/command-groups.ts');
    expect(inside(entryInputs, 'cli/commands/', 'server/', 'trust/', 'electron/', 'native-bridge/', 'node_modules/zod/')).toEqual([]);
    const lazy = (entry?.imports ?? []).filter((imported) => imported.kind === 'dynamic-import');
    expect(lazy.length).toBeGreaterThanOrEqual(10);
  });

  it('the packaged app loads only its native modules from node_modules: everything else is in main.cjs', async () => {
    expect(await bundleRuntimePackages('electronMain')).toEqual(['better-sqlite3', 'serialport']);
  });
});

describe('the central server on its own', () => {
  const tempDir = useTempDirs('all');
  let folder: string;

  beforeAll(async () => {
    // Only the server's bundle and the packages it loads at run time: no electron/, no sources at all.
    folder = tempDir();
    await build({ ...esbuildOptions('server', { into: folder }), logLevel: 'silent' });
    writeFileSync(path.join(folder, 'server', 'package.json'), JSON.stringify({ type: 'module' }));
    symlinkSync(path.join(projectRoot, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
    mkdirSync(path.join(folder, 'data'));
  }, 120_000);

  it('prints its usage with plain node', async () => {
    expect(readdirSync(folder).sort()).toEqual(['data', 'node_modules', 'server']);
    const { stdout } = await run(process.execPath, [path.join(folder, 'server', 'main.js'), '--help'], { cwd: folder });
    expect(stdout).toMatch(/^Usage: injbench-server \[options\]/);
    expect(stdout).toContain('--blob-dir <dir>');
  });

  it('starts on SQLite and answers /healthz', async () => {
    const child = spawn(process.execPath, [path.join(folder, 'server', 'main.js'), '--db', `sqlite:${path.join(folder, 'data', 'server.sqlite')}`, '--port', '0'], {
      cwd: folder,
      env: { ...process.env, INJBENCH_SERVER_ADMIN_TOKEN: TEST_ADMIN_TOKEN, INJBENCH_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        let errors = '';
        const timer = setTimeout(() => reject(new Error(`no Server URL within 30 s; stderr: ${errors}`)), 30_000);
        child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
        child.once('exit', (code) => reject(new Error(`exited with ${code}; stderr: ${errors}`)));
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /^Server URL: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      const response = await fetch(new URL('/healthz', url));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true });
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses PostgreSQL without an explicit blob folder, before it opens anything', async () => {
    const failure = await run(process.execPath, [path.join(folder, 'server', 'main.js'), '--db', 'postgres://nobody@127.0.0.1:1/none', '--port', '0'], {
      cwd: folder,
      env: { ...process.env, INJBENCH_SERVER_ADMIN_TOKEN: TEST_ADMIN_TOKEN },
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^injbench-server: BLOB_DIR_REQUIRED: .*--blob-dir/m);
    expect(readdirSync(folder).sort()).toEqual(['data', 'node_modules', 'server']);
  });
});
