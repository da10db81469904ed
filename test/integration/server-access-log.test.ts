/**
 * The access log of `injbench server` as an operator runs it (its own process, its own logger, info level):
 * one line per request with the request id (the caller's X-Request-Id when plain), the route pattern, the
 * status and the time — and no secret anywhere in the log: not the bearer tokens (right or wrong), not a
 * cookie, not a token someone put in a query string, not a support password.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnServerProcess, TEST_ADMIN_TOKEN, TEST_METRICS_TOKEN, TEST_SUPPORT_TOKEN, type ServerProcess } from '../helpers/central-server';

const WRONG_TOKEN = 'wrong-token-that-must-not-be-logged-0123456789';
const COOKIE_VALUE = 'cookie-value-that-must-not-be-logged-0123456789';
const QUERY_TOKEN = 'query-token-that-must-not-be-logged-0123456789';
const PASSWORD = 'password-that-must-not-be-logged-0123456789';

describe('the server access log', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'injbench-access-log-'));
  let server: ServerProcess | undefined;

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs every request with its id, route and status, and never a token, cookie or password', async () => {
    server = await spawnServerProcess(`sqlite:${path.join(dir, 'server.sqlite')}`, await freePort(), 30_000, path.join(dir, 'blobs'), {
      INJBENCH_LOG_LEVEL: 'info',
      INJBENCH_SERVER_METRICS_TOKEN: TEST_METRICS_TOKEN,
    });
    const call = (route: string, init: RequestInit = {}) => fetch(new URL(route, server?.url), init).then(async (response) => ({ status: response.status, body: await response.text() }));
    expect((await call('/api/v1/admin/benches', { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'x-request-id': 'trace-admin-1' } })).status).toBe(200);
    expect((await call('/api/v1/admin/benches', { headers: { authorization: `Bearer ${WRONG_TOKEN}`, cookie: `injbench_support=${COOKIE_VALUE}` } })).status).toBe(401);
    expect((await call('/api/v1/admin/alarms', { headers: { authorization: `Bearer ${TEST_SUPPORT_TOKEN}` } })).status).toBe(200);
    expect((await call('/metrics', { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } })).status).toBe(200);
    expect((await call(`/healthz?token=${QUERY_TOKEN}`, { headers: { 'x-request-id': 'trace-health-2' } })).status).toBe(200);
    // A support sign-in that fails: its name and address may be logged, its password never.
    const signIn = await call('/support/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, cookie: `injbench_support=${COOKIE_VALUE}` },
      body: new URLSearchParams({ name: 'nobody', token: PASSWORD }).toString(),
    });
    expect(signIn.status).toBeGreaterThanOrEqual(400);

    // The log lines of the last request are written before its answer leaves; give the pipe a moment.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const log = server.stderr();
    const lines = log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = lines.filter((line) => line.part === 'access');
    expect(access).toContainEqual(expect.objectContaining({ reqId: 'trace-admin-1', method: 'GET', route: '/api/v1/admin/benches', status: 200, role: 'admin', ms: expect.any(Number) }));
    expect(access).toContainEqual(expect.objectContaining({ reqId: expect.stringMatching(/^[0-9a-f-]{36}$/), route: '/api/v1/admin/benches', status: 401 }));
    expect(access).toContainEqual(expect.objectContaining({ reqId: 'trace-health-2', route: '/healthz', path: '/healthz', status: 200 }));
    expect(access).toContainEqual(expect.objectContaining({ route: '/metrics', status: 200, role: 'metrics' }));
    expect(access).toContainEqual(expect.objectContaining({ route: '/support/sign-in', method: 'POST', status: signIn.status }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'support sign-in refused', user: 'nobody' }));
    expect(access.length).toBeGreaterThanOrEqual(6);
    for (const secret of [TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, TEST_METRICS_TOKEN, WRONG_TOKEN, COOKIE_VALUE, QUERY_TOKEN, PASSWORD]) {
      expect(log, `the log holds ${secret}`).not.toContain(secret);
    }
  });
});
