/**
 * Fetching a repository over real HTTP on 127.0.0.1: the demo verifies through a URL, and 404, timeouts,
 * bodies cut short and oversize answers fail typed.
 */
import { benchTrustProfile } from '../../../trust/bench-trust';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoRepository } from '../../../trust/demo-repository';
import { httpSource } from '../../../trust/http-source';
import { verifyRepository } from '../../../trust/verify-repository';
import { readFileSync } from 'node:fs';
import { useTempDirs } from '../../helpers/temp-dir';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const makeDir = useTempDirs('all');
let server: http.Server;
let base: string;
let demo: string;
const open = new Set<http.ServerResponse>();

beforeAll(async () => {
  demo = path.join(makeDir(), 'demo');
  buildDemoRepository({ sourceDir: path.join(projectRoot, 'resources', 'demo-source'), outDir: demo });
  server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/stall/snapshot.json') {
      // Headers and the first bytes, then nothing: the connection stays open.
      open.add(response);
      response.writeHead(200, { 'content-length': '4096' }).write(Buffer.alloc(100, 0x20));
      return;
    }
    if (url.pathname === '/hang/snapshot.json') {
      open.add(response); // never answers: the client's timeout must fire
      return;
    }
    if (url.pathname === '/short/snapshot.json') {
      response.writeHead(200, { 'content-length': '5000' });
      response.end('{"signed":"');
      response.socket?.destroy();
      return;
    }
    if (url.pathname === '/huge/snapshot.json') {
      response.writeHead(200, { 'content-length': String(64 * 1024 * 1024) });
      response.write(Buffer.alloc(1024));
      open.add(response);
      return;
    }
    const file = path.join(demo, url.pathname.replace(/^\/repo\//, ''));
    if (!url.pathname.startsWith('/repo/') || !file.startsWith(demo) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-length': String(statSync(file).size) });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const response of open) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const bench = benchTrustProfile({ benchId: null, hardware: 'virtual-bench', appVersion: '0.1.0', defaultChannel: 'stable', production: false });
const trustedRoot = () => readFileSync(path.join(projectRoot, 'resources', 'trust', 'root.json'));

describe('httpSource', () => {
  it('verifies the demo repository through a URL', async () => {
    const verdicts = await verifyRepository({ source: httpSource(`${base}/repo/`), trustedRoot: trustedRoot(), bench });
    expect(verdicts.map((verdict) => `${verdict.family} ${verdict.version}`)).toEqual(['bosch-like-cri 1.0.0', 'delphi-like-c2i 1.0.0', 'denso-like-g3 1.0.0']);
  });

  it('shows what each channel points to, verified, with release status --remote', async () => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'injbench.mjs'), 'release', 'status', '--remote', `${base}/repo/`], { cwd: projectRoot });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(status).toBe(0);
    expect(stdout).toMatch(/^bosch-like-cri sequence 3 expires \S+ floor 0\n/);
    expect(stdout.match(/^ {2}stable {2}1\.0\.0 100% [0-9a-f]{64}$/gm)).toHaveLength(3);
    expect(stdout.match(/^ {2}canary {2}1\.1\.0 100% [0-9a-f]{64}$/gm)).toHaveLength(3);
  });

  it('reads a 404 as missing', async () => {
    await expect(httpSource(`${base}/repo/`).read('root/9.root.json', 1000)).resolves.toBeNull();
    await expect(verifyRepository({ source: httpSource(`${base}/nothing/`), trustedRoot: trustedRoot(), bench })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('gives up after its timeout', async () => {
    await expect(httpSource(`${base}/hang/`, { timeoutMs: 300 }).read('snapshot.json', 1 << 20)).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });

  it('times out a body that stalls after the headers even when a garbage collection runs meanwhile', async () => {
    // undici passes an abort on to a request through a WeakRef only: once fetch has resolved and a collection
    // has run, a signal given to fetch no longer reaches the body (a stalled body then hung for good).
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const collect = setInterval(gc, 50);
    try {
      const started = Date.now();
      await expect(httpSource(`${base}/stall/`, { timeoutMs: 600 }).read('snapshot.json', 1 << 20)).rejects.toMatchObject({ code: 'UNREACHABLE', message: 'snapshot.json: the server sent nothing for 600 ms.' });
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      clearInterval(collect);
    }
  });

  it('reports a body cut short', async () => {
    await expect(httpSource(`${base}/short/`).read('snapshot.json', 1 << 20)).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });

  it('refuses an announced size over the cap before reading the body', async () => {
    await expect(httpSource(`${base}/huge/`).read('snapshot.json', 1 << 20)).rejects.toMatchObject({ code: 'OVERSIZE' });
  });
});
