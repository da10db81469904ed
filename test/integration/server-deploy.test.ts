/**
 * The server as deployed (issue 18, items 4 and 7), built with startCentralServer and the settings
 * `injbench server` passes: TLS served directly, a reverse proxy in front (trusted forwarding headers and a
 * public origin), the sign-in limiter per real client address, a second process on one SQLite file refused,
 * and two instances on one PostgreSQL database reconciling once per period.
 */
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startCentralServer, type CentralServer } from '../../server/central-server';
import { RECONCILE_TASK } from '../../server/credits/periodic-reconcile';
import { openServerDatabase } from '../../server/store/database';
import { SharedStateRepository } from '../../server/store/shared-state-repository';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, startTestServer } from '../helpers/central-server';
import { makeLocalTls, httpsCall } from '../helpers/local-tls';
import { TEST_PG_URL, createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { silentLogger } from '../helpers/silent-logger';
import { useTempDirs } from '../helpers/temp-dir';

const PUBLIC_ORIGIN = 'https://support.example';

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

describe('central server served over TLS directly', () => {
  const tempDir = useTempDirs();
  let server: CentralServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('answers https with its certificate, accepts sign-in from its https origin only, and sets a Secure cookie', async () => {
    const dir = tempDir();
    const tls = makeLocalTls(dir);
    server = await startCentralServer({
      databaseUrl: `sqlite:${path.join(dir, 'server.sqlite')}`,
      port: 0,
      tls: { certFile: tls.certFile, keyFile: tls.keyFile },
      adminToken: TEST_ADMIN_TOKEN,
      supportToken: TEST_SUPPORT_TOKEN,
      blobDir: path.join(dir, 'blobs'),
      logger: silentLogger(),
    });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await httpsCall(`${server.url}/healthz`, { ca: tls.ca })).toMatchObject({ status: 200, body: '{"ok":true}' });
    // A client that does not trust the CA refuses the connection.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

    const signIn = (origin: string) =>
      httpsCall(`${server?.url ?? ''}/support/sign-in`, { ca: tls.ca, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: form({ token: TEST_SUPPORT_TOKEN }) });
    const accepted = await signIn(server.url);
    expect(accepted.status).toBe(303);
    expect(String(accepted.headers['set-cookie'])).toMatch(/^injbench_support=[\w-]+; Path=\/support; HttpOnly; SameSite=Strict; Secure; Max-Age=28800$/);
    // The plain-http origin of the same host is another origin.
    expect((await signIn(server.url.replace('https:', 'http:'))).status).toBe(403);
  });

  it('refuses a second server process on the same SQLite file with DATABASE_IN_USE, and starts again once the first closed', async () => {
    const dir = tempDir();
    const url = `sqlite:${path.join(dir, 'server.sqlite')}`;
    server = await startTestServer(url);
    await expect(startTestServer(url)).rejects.toMatchObject({ code: 'DATABASE_IN_USE', message: expect.stringMatching(/Another server process is running on .*server\.sqlite/) });
    await server.close();
    server = await startTestServer(url);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describeEachDialect('central server behind a reverse proxy', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase | null = null;
  const servers: CentralServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    await database?.drop();
    database = null;
  });

  function start(databaseUrl: string, options: { trustProxy?: string; reconcileEverySeconds?: number; logger?: ReturnType<typeof silentLogger> } = {}): Promise<CentralServer> {
    return startCentralServer({
      databaseUrl,
      port: 0,
      trustProxy: options.trustProxy,
      publicOrigin: PUBLIC_ORIGIN,
      adminToken: TEST_ADMIN_TOKEN,
      supportToken: TEST_SUPPORT_TOKEN,
      blobDir: tempDir(),
      logger: options.logger ?? silentLogger(),
      reconcileEverySeconds: options.reconcileEverySeconds ?? 0,
      supportWeb: { signInLimits: { maxFailuresPerAddress: 6 } },
    }).then((server) => {
      servers.push(server);
      return server;
    });
  }

  async function signIn(server: CentralServer, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.url}/support/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: PUBLIC_ORIGIN, ...headers },
      body: form(fields),
    });
    await response.arrayBuffer();
    return { status: response.status, cookie: response.headers.get('set-cookie') };
  }

  it('takes sign-in from the public origin with a Secure cookie, and locks out the client address, not the proxy', async () => {
    database = await createTestDatabase(dialect, tempDir());
    const [first, second] = [await start(database.url, { trustProxy: '127.0.0.1' }), dialect === 'postgres' ? await start(database.url, { trustProxy: '127.0.0.1' }) : null];
    const accepted = await signIn(first, { token: TEST_SUPPORT_TOKEN }, { 'x-forwarded-for': '198.51.100.20', 'x-forwarded-proto': 'https' });
    expect(accepted.status).toBe(303);
    expect(accepted.cookie).toMatch(/; Secure;/);
    // The server's own address is not the origin people use: refused as a cross-site form.
    expect((await signIn(first, { token: TEST_SUPPORT_TOKEN }, { origin: first.url })).status).toBe(403);

    // Six failures from one client (spread over both instances on PostgreSQL) lock that client's address ...
    const attacker = { 'x-forwarded-for': '203.0.113.66' };
    const statuses: number[] = [];
    for (let n = 0; n < 6; n += 1) statuses.push((await signIn(n % 2 === 1 && second ? second : first, { name: `guess${n}`, token: 'wrong-password' }, attacker)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await signIn(second ?? first, { token: TEST_SUPPORT_TOKEN }, attacker)).status).toBe(429);
    // ... and nobody else behind the same proxy: another client signs in.
    expect((await signIn(second ?? first, { token: TEST_SUPPORT_TOKEN }, { 'x-forwarded-for': '198.51.100.21' })).status).toBe(303);
  });

  it('ignores X-Forwarded-For from a proxy it was not told to trust (nobody picks the address counted)', async () => {
    database = await createTestDatabase(dialect, tempDir());
    const server = await start(database.url);
    for (let n = 0; n < 6; n += 1) await signIn(server, { name: `guess${n}`, token: 'wrong-password' }, { 'x-forwarded-for': `203.0.113.${n}` });
    expect((await signIn(server, { token: TEST_SUPPORT_TOKEN }, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(429);
  });
});

if (!TEST_PG_URL) console.warn('[skip] two central server instances on one PostgreSQL database: INJBENCH_TEST_PG_URL is not set (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")');
describe.skipIf(!TEST_PG_URL)('two central server instances on one PostgreSQL database', () => {
  const tempDir = useTempDirs();
  const servers: CentralServer[] = [];
  let database: TestDatabase | null = null;
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    await database?.drop();
  });

  it('run the credit reconciliation once per period between them', async () => {
    database = await createTestDatabase('postgres', tempDir());
    const lines: { msg: string; periodStart?: string; instanceId?: string }[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string }) });
    for (let n = 0; n < 2; n += 1) servers.push(await startTestServer(database.url, { logger, reconcileEverySeconds: 1 }));
    const claimsOf = async (): Promise<{ periodStart: string; instanceId: string }[]> => {
      const opened = await openServerDatabase(database?.url ?? '');
      try {
        return await new SharedStateRepository(opened.db).periodClaims(RECONCILE_TASK);
      } finally {
        await opened.close();
      }
    };
    const deadline = Date.now() + 30_000;
    while ((await claimsOf()).length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    for (const server of servers.splice(0)) await server.close();

    const passes = lines.filter((line) => line.msg === 'periodic credit reconciliation');
    const declined = lines.filter((line) => line.msg === 'periodic credit reconciliation claimed by another instance');
    expect(passes.length).toBeGreaterThanOrEqual(4);
    // One pass per period, by the instance that claimed it, although both timers fired in most periods.
    expect(passes.map((line) => [line.periodStart, line.instanceId])).toEqual((await claimsOf()).map((claim) => [claim.periodStart, claim.instanceId]));
    expect(declined.length).toBeGreaterThan(0);
    expect(new Set([...passes, ...declined].map((line) => line.instanceId)).size).toBe(2);
  }, 60_000);
});
