/**
 * The central server behind Caddy as docs/server-deployment.md and deploy/compose.yaml set it up: Caddy from
 * Debian ends TLS with a certificate from a locally made CA and imports deploy/caddy/injbench-proxy.caddy, the
 * file the shipped Caddyfile imports; `injbench server` runs with trustProxy 127.0.0.1 and the https public
 * origin. Over https a bench enrols and syncs, support signs in from the public origin with a Secure cookie,
 * and the sign-in limiter counts each client's own address (Caddy's X-Forwarded-For), so one client's failures
 * do not lock out another; the server's access log carries the request id Caddy made.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_CODES_PATH, PROTOCOL_PREFIX } from '../../common/central-api/paths';
import { DEFAULT_SIGN_IN_LIMITS } from '../../server/support/web/sign-in-limiter';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, freePort, spawnServerWith, type ServerProcess } from '../helpers/central-server';
import { httpsCall, makeLocalTls, type LocalTls } from '../helpers/local-tls';
import { pollUntil } from '../helpers/poll';
import { projectRoot, runCli } from '../helpers/sim-process';
import { useTempDirs } from '../helpers/temp-dir';
import { openTestBench } from '../helpers/test-bench';

const CADDY = ['/usr/bin/caddy', '/usr/local/bin/caddy'].find((candidate) => existsSync(candidate));
const ENTRIES = 300;

/** Caddy in the foreground on 127.0.0.1:port with the local CA's certificate, importing the shipped per-request file. */
function startCaddy(dir: string, port: number, tls: LocalTls, upstream: number): ChildProcess {
  const home = path.join(dir, 'caddy-home');
  mkdirSync(home, { recursive: true });
  const caddyfile = path.join(dir, 'Caddyfile');
  writeFileSync(
    caddyfile,
    `{
	admin off
	skip_install_trust
	storage file_system ${path.join(home, 'storage')}
}

https://127.0.0.1:${port} {
	tls ${tls.certFile} ${tls.keyFile}
	import ${path.join(projectRoot, 'deploy', 'caddy', 'injbench-proxy.caddy')}
}
`,
  );
  return spawn(CADDY ?? 'caddy', ['run', '--adapter', 'caddyfile', '--config', caddyfile], {
    env: { PATH: process.env.PATH, HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home, INJBENCH_UPSTREAMS: `127.0.0.1:${upstream}` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

if (!CADDY && !process.env.CI) console.warn('[skip] Caddy proxy: needs caddy (apt-get install caddy)');

describe.skipIf(!CADDY && !process.env.CI)('central server behind Caddy (deploy/caddy)', () => {
  const tempDir = useTempDirs('all');
  let caddy: ChildProcess | null = null;
  let server: ServerProcess | null = null;

  afterAll(async () => {
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((resolve) => caddy?.once('exit', resolve));
      caddy.kill('SIGTERM');
      await exited;
    }
    await server?.stop();
  });

  it('serves benches and support over https, and counts failed sign-ins per client address', async () => {
    expect(CADDY, 'CI installs caddy (.ci/run)').toBeDefined();
    const dir = tempDir();
    const tls = makeLocalTls(dir);
    const [proxyPort, serverPort] = [await freePort(), await freePort()];
    const origin = `https://127.0.0.1:${proxyPort}`;
    const configFile = path.join(dir, 'server.json');
    writeFileSync(configFile, JSON.stringify({ host: '127.0.0.1', port: serverPort, trustProxy: '127.0.0.1', publicOrigin: origin, db: `sqlite:${path.join(dir, 'server.sqlite')}`, blobDir: path.join(dir, 'blobs') }));
    server = await spawnServerWith([], {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      INJBENCH_LOG_LEVEL: 'info',
      INJBENCH_SERVER_CONFIG: configFile,
      INJBENCH_SERVER_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      INJBENCH_SERVER_SUPPORT_TOKEN: TEST_SUPPORT_TOKEN,
    });
    caddy = startCaddy(dir, proxyPort, tls, serverPort);
    let caddyErrors = '';
    caddy.stderr?.on('data', (chunk: Buffer) => (caddyErrors += chunk.toString()));
    const caddyExited = new Promise<never>((_resolve, reject) => caddy?.once('exit', (code) => reject(new Error(`Caddy exited with ${code}: ${caddyErrors.slice(-2000)}`))));
    caddyExited.catch(() => undefined);
    await Promise.race([pollUntil('Caddy answering https', () => httpsCall(`${origin}/healthz`, { ca: tls.ca }).then((answer) => answer.status, () => 0), (status) => status === 200, 30_000), caddyExited]);

    // What every answer carries through Caddy: HSTS, and the request id Caddy made, kept by the server.
    const health = await httpsCall(`${origin}/healthz`, { ca: tls.ca });
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000');
    const requestId = String(health.headers['x-request-id']);
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    // A bench enrols and syncs over https, trusting the CA as an operator adds it to the bench's trust store.
    const benchDir = tempDir();
    const bench = openTestBench(benchDir);
    const benchId = bench.identity.benchId;
    bench.append(ENTRIES, 100);
    bench.close();
    const codeAnswer = await httpsCall(`${origin}${ADMIN_CODES_PATH}`, {
      ca: tls.ca,
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlMinutes: 10 }),
    });
    expect(codeAnswer.status, codeAnswer.body).toBe(201);
    const { code } = JSON.parse(codeAnswer.body) as { code: string };
    const benchEnv = { ...process.env, NODE_EXTRA_CA_CERTS: tls.caCertFile, INJBENCH_LOG_LEVEL: 'warn' };
    const enrol = await runCli(['sync', 'enrol', '--data-dir', benchDir, '--server', origin, '--code', code], benchEnv, 60_000);
    expect(enrol.code, enrol.stderr).toBe(0);
    expect(enrol.stdout).toContain(`Enrolled ${benchId} with ${origin}`);
    const push = await runCli(['sync', 'push', '--data-dir', benchDir], benchEnv, 60_000);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toMatch(/Backlog: 0 entries and 0 checkpoints unsent/);
    // Every entry the bench holds (its own enrolment's among them) is on the server.
    const synced = openTestBench(benchDir);
    const localEntries = synced.localEntries().length;
    synced.close();
    expect(localEntries).toBeGreaterThan(ENTRIES);
    const benches = await httpsCall(`${origin}${PROTOCOL_PREFIX}/admin/benches`, { ca: tls.ca, headers: { authorization: `Bearer ${TEST_SUPPORT_TOKEN}` } });
    expect((JSON.parse(benches.body) as { benchId: string; headSeq: number }[]).find((row) => row.benchId === benchId)?.headSeq).toBe(localEntries);

    // One client (127.0.0.2) fails sign-in until its name is locked for its address ...
    const signIn = (token: string, localAddress: string) =>
      httpsCall(`${origin}/support/sign-in`, {
        ca: tls.ca,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({ token }).toString(),
      });
    const failures: number[] = [];
    for (let attempt = 0; attempt < DEFAULT_SIGN_IN_LIMITS.maxFailures; attempt += 1) failures.push((await signIn('not-the-support-token-but-long-enough-0000', '127.0.0.2')).status);
    // The failure that reaches the limit is answered with the lockout itself.
    expect(failures).toEqual([...Array.from({ length: DEFAULT_SIGN_IN_LIMITS.maxFailures - 1 }, () => 401), 429]);
    expect((await signIn(TEST_SUPPORT_TOKEN, '127.0.0.2')).status).toBe(429);
    // ... and another client (127.0.0.3) behind the same proxy signs in from the public origin with a Secure cookie.
    const signedIn = await signIn(TEST_SUPPORT_TOKEN, '127.0.0.3');
    expect(signedIn.status).toBe(303);
    const cookie = String(signedIn.headers['set-cookie']);
    expect(cookie).toMatch(/; Secure;/);
    const sessionsPage = await httpsCall(`${origin}/support/sessions`, { ca: tls.ca, headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(sessionsPage.status).toBe(200);

    // The server's access log names each client by its own address and the request by Caddy's id (the log
    // is written asynchronously: the last lines may follow the answers by a moment).
    const accessLines = (): { reqId: string; path: string; status: number; remote: string }[] =>
      (server?.stderr() ?? '')
        .split('\n')
        .filter((line) => line.includes('"part":"access"'))
        .map((line) => JSON.parse(line) as { reqId: string; path: string; status: number; remote: string });
    const signInRemotes = (lines: ReturnType<typeof accessLines>) => new Set(lines.filter((line) => line.path === '/support/sign-in').map((line) => line.remote));
    const logged = await pollUntil('the sign-ins in the access log', async () => accessLines(), (lines) => signInRemotes(lines).size >= 2, 10_000);
    expect(signInRemotes(logged)).toEqual(new Set(['127.0.0.2', '127.0.0.3']));
    expect(logged.find((line) => line.reqId === requestId)?.path).toBe('/healthz');
  }, 180_000);
});
