import { bundledRootFile } from '../../helpers/bundled-root';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createBenchServices, type BenchServices } from '../../../electron/services/bench-services';
import { startWorkspaceHost, type WorkspaceHost } from '../../../electron/workspace/workspace-host';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';

describe('workspace host on 127.0.0.1', () => {
  const tempDir = useTempDirs('all');
  let services: BenchServices;
  let host: WorkspaceHost;

  beforeAll(async () => {
    const dir = tempDir();
    const rendererDir = path.join(dir, 'renderer');
    mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body></body></html>');
    writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
    writeFileSync(path.join(dir, 'outside.txt'), 'outside');
    const bridgeFile = path.join(dir, 'bridge.js');
    writeFileSync(bridgeFile, '/* bridge */');
    services = createBenchServices({ dataDir: path.join(dir, 'data'), appVersion: '1.2.3', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 50 });
    host = await startWorkspaceHost({ services, rendererDir, bridgeFile, logger: silentLogger() });
  });

  afterAll(async () => {
    await host?.close();
    await services?.close();
  });

  const call = (method: string, input: unknown, headers: Record<string, string> = {}) =>
    fetch(`${host.origin}/api/call/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${host.token}`, ...headers },
      body: JSON.stringify({ input }),
    });

  it('binds to 127.0.0.1 on a random port with a long random token', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.port).toBeGreaterThan(0);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
    expect(host.url).toBe(`${host.origin}/?token=${host.token}`);
  });

  it.each(['/', '/index.html', '/assets/app.js', '/workspace-bridge.js'])('answers 401 to GET %s without the token', async (route) => {
    const response = await fetch(`${host.origin}${route}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('answers 401 to an API call with a wrong token', async () => {
    const response = await call('getStatus', undefined, { authorization: 'Bearer wrong' });
    expect(response.status).toBe(401);
  });

  it('trades the token in the URL for an HttpOnly SameSite cookie and a clean address', async () => {
    const response = await fetch(host.url, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const page = await fetch(`${host.origin}/`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/workspace-bridge.js"></script>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain(`ws://127.0.0.1:${host.port}`);
  });

  it('serves the renderer assets and nothing outside them', async () => {
    const auth = { authorization: `Bearer ${host.token}` };
    expect((await fetch(`${host.origin}/assets/app.js`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${host.origin}/../outside.txt`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${host.origin}/assets/..%2f..%2foutside.txt`, { headers: auth })).status).toBe(404);
  });

  it('dispatches API calls and returns envelopes', async () => {
    const response = await call('getStatus', undefined);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toMatchObject({ ok: true, value: { app: { version: '1.2.3', mode: 'workspace' } } });
    const invalid = await call('setupFirstAdmin', { name: 'Ana', pin: 'abcd' });
    expect(await invalid.json()).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const unauthorized = await call('updateSettings', { language: 'de' });
    expect(await unauthorized.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('refuses other origins and other host names', async () => {
    expect((await call('getStatus', undefined, { origin: 'http://evil.example' })).status).toBe(403);
    // fetch() may not set Host, so ask the way a DNS-rebinding page would arrive: same socket, other name.
    const rebinding = await new Promise<{ status: number }>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: host.port,
          method: 'POST',
          path: '/api/call/getStatus',
          headers: { host: `evil.example:${host.port}`, 'content-type': 'application/json', authorization: `Bearer ${host.token}` },
        },
        (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0 });
        },
      );
      request.once('error', reject);
      request.end('{}');
    });
    expect(rebinding.status).toBe(403);
  });

  it('refuses bodies that are not JSON', async () => {
    const response = await fetch(`${host.origin}/api/call/getStatus`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${host.token}` },
      body: 'input=1',
    });
    expect(response.status).toBe(415);
  });

  function openSocket(headers: Record<string, string>): Promise<{ socket: WebSocket; status?: number }> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${host.port}/api/events`, { headers });
      socket.once('open', () => resolve({ socket }));
      socket.once('unexpected-response', (_request, response) => resolve({ socket, status: response.statusCode }));
      socket.once('error', reject);
    });
  }

  it('answers 401 to a WebSocket without the token and 403 to one from another origin', async () => {
    expect((await openSocket({})).status).toBe(401);
    expect((await openSocket({ authorization: `Bearer ${host.token}`, origin: 'http://evil.example' })).status).toBe(403);
  });

  it('streams service events over the authenticated WebSocket', async () => {
    const { socket, status } = await openSocket({ authorization: `Bearer ${host.token}`, origin: host.origin });
    expect(status).toBeUndefined();
    const message = await new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
    expect(message).toMatchObject({ event: 'status', payload: { app: { mode: 'workspace' } } });
    socket.close();
  });
});
