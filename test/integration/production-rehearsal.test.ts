/**
 * Production rehearsal (issue 18, acceptance): the central server deployed as docs/server-deployment.md
 * says, with real parts only. PostgreSQL; nginx from Debian ending TLS with a certificate from a locally
 * made CA and including deploy/nginx/injbench-proxy.conf; two `injbench server` processes configured by a
 * file, the environment and secret files, sharing one blob folder. Benches enrol and sync over https
 * (`injbench sync`, trusting the CA through NODE_EXTRA_CA_CERTS as an operator would add it to a bench's
 * trust store); one instance is killed with SIGKILL mid-sync and every entry is on the server exactly once;
 * support signs in over https; a release is published and promoted over https; the credit reconciliation
 * ran once per period across both instances, and its alarms were raised once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_CODES_PATH, PROTOCOL_PREFIX, REPOSITORY_PREFIX, supportLogPath } from '../../common/central-api/paths';
import { packPathOf } from '../../common/central-api/repository-paths';
import { sha256Hex } from '../../trust/crypto';
import { RECONCILE_TASK } from '../../server/credits/periodic-reconcile';
import { openServerDatabase } from '../../server/store/database';
import { SharedStateRepository } from '../../server/store/shared-state-repository';
import { developmentKeys } from '../../trust/demo-repository';
import { writeKeyFile } from '../../trust/keys';
import { keyRoles } from '../../trust/schemas';
import { TEST_ADMIN_TOKEN, TEST_RELEASE_TOKEN, TEST_SUPPORT_TOKEN, freePort, spawnServerWith, type PulledLog, type ServerProcess } from '../helpers/central-server';
import { copyOfDemoRepository } from '../helpers/fleet-bench';
import { httpsCall, makeLocalTls, type LocalTls } from '../helpers/local-tls';
import { TEST_PG_URL, createTestDatabase, type TestDatabase } from '../helpers/server-db';
import { projectRoot, runCli } from '../helpers/sim-process';
import { useTempDirs } from '../helpers/temp-dir';
import { openTestBench } from '../helpers/test-bench';
import { pollUntil } from '../helpers/poll';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((candidate) => existsSync(candidate));
const ENTRIES_PER_BENCH = 1500;
const BENCHES = 3;
const RECONCILE_EVERY_SECONDS = 2;
const FAMILY = 'bosch-like-cri';

const missing = [TEST_PG_URL ? null : 'INJBENCH_TEST_PG_URL (export INJBENCH_TEST_PG_URL="$(bash scripts/start-test-postgres.sh)")', NGINX ? null : 'nginx (apt-get install nginx)'].filter(Boolean);

/** nginx in the foreground on 127.0.0.1:port, TLS with the local CA's certificate, in front of the instances. */
function startNginx(dir: string, port: number, tls: LocalTls, upstreams: readonly number[]): ChildProcess {
  const tmp = path.join(dir, 'nginx-tmp');
  mkdirSync(tmp, { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
error_log ${path.join(dir, 'nginx-error.log')} warn;
pid ${path.join(dir, 'nginx.pid')};
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  upstream injbench_servers {
${upstreams.map((upstream) => `    server 127.0.0.1:${upstream} max_fails=1 fail_timeout=10s;`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${tls.certFile};
    ssl_certificate_key ${tls.keyFile};
    location / {
      include ${path.join(projectRoot, 'deploy', 'nginx', 'injbench-proxy.conf')};
    }
  }
}
`,
  );
  return spawn(NGINX ?? 'nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

if (missing.length > 0 && !process.env.CI) console.warn(`[skip] production rehearsal: needs ${missing.join(' and ')}`);

describe.skipIf(missing.length > 0 && !process.env.CI)('production rehearsal: nginx with TLS, two server instances, PostgreSQL', () => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase | null = null;
  let nginx: ChildProcess | null = null;
  const instances: ServerProcess[] = [];

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((resolve) => nginx?.once('exit', resolve));
      nginx.kill('SIGTERM');
      await exited;
    }
    for (const instance of instances) await instance.stop();
    await database?.drop();
  });

  it('enrols and syncs benches over https through a SIGKILL of one instance, signs support in, publishes and promotes, and reconciles once', async () => {
    expect(missing, 'CI installs nginx and starts PostgreSQL (.ci/run)').toEqual([]);
    const started = Date.now();
    const phases: string[] = [];
    const phase = (name: string): void => void phases.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const dir = tempDir();
    // nginx's workers may run as another user: they must reach the folder (the secrets stay private).
    chmodSync(dir, 0o755);
    const tls = makeLocalTls(dir);
    database = await createTestDatabase('postgres', dir);

    // The servers' configuration: a file for the settings, the environment naming secret files.
    const secrets = path.join(dir, 'secrets');
    mkdirSync(secrets, { mode: 0o700 });
    const secret = (name: string, value: string): string => {
      writeFileSync(path.join(secrets, name), `${value}\n`, { mode: 0o600 });
      return path.join(secrets, name);
    };
    const [proxyPort, firstPort, secondPort] = [await freePort(), await freePort(), await freePort()];
    const origin = `https://127.0.0.1:${proxyPort}`;
    const configFile = path.join(dir, 'server.json');
    writeFileSync(
      configFile,
      JSON.stringify({ host: '127.0.0.1', trustProxy: '127.0.0.1', publicOrigin: origin, blobDir: 'shared-blobs', reconcileEvery: RECONCILE_EVERY_SECONDS, adminTokenFile: secret('admin-token', TEST_ADMIN_TOKEN) }, null, 2),
    );
    const serverEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      INJBENCH_LOG_LEVEL: 'info',
      INJBENCH_SERVER_CONFIG: configFile,
      INJBENCH_SERVER_DB_FILE: secret('database-url', database.url),
      INJBENCH_SERVER_SUPPORT_TOKEN_FILE: secret('support-token', TEST_SUPPORT_TOKEN),
      INJBENCH_SERVER_RELEASE_TOKEN_FILE: secret('release-token', TEST_RELEASE_TOKEN),
    };
    const starting = Promise.all([firstPort, secondPort].map((port) => spawnServerWith(['--port', String(port)], serverEnv, 90_000)));
    // Awaited below; a failed start is reported there, not as an unhandled rejection meanwhile.
    starting.catch(() => undefined);
    // Benches with a backlog, written while the instances start: a few batches each; the first also books
    // a grant minted at home and overspends it, which the reconciliation must alarm (once).
    const benchDirs = Array.from({ length: BENCHES }, () => tempDir());
    const benchIds: string[] = [];
    for (const [index, benchDir] of benchDirs.entries()) {
      const bench = openTestBench(benchDir);
      benchIds.push(bench.identity.benchId);
      bench.append(ENTRIES_PER_BENCH, 100);
      if (index === 0) {
        bench.log.append('credits.grant_imported', { grantId: 'grant-minted-at-home', credits: 500, expires: '2030-01-01T00:00:00Z' });
        bench.log.append('session.completed', { sessionId: 'ses-x', verdict: 'pass', creditsDebited: 3 });
        bench.log.checkpoint();
      }
      bench.close();
    }
    phase('bench logs written');
    instances.push(...(await starting));
    const [first, second] = instances as [ServerProcess, ServerProcess];
    phase('instances up');
    nginx = startNginx(dir, proxyPort, tls, [firstPort, secondPort]);
    await pollUntil('nginx answering https', () => httpsCall(`${origin}/healthz`, { ca: tls.ca }).then((answer) => answer.status, () => 0), (status) => status === 200, 30_000);
    phase('nginx up');
    // Plain http is not served on the TLS port, and a client that does not trust the CA refuses it.
    await expect(fetch(`${origin}/healthz`)).rejects.toThrow();

    const api = async (token: string, method: string, route: string, body?: unknown): Promise<unknown> => {
      const answer = await httpsCall(`${origin}${route}`, {
        ca: tls.ca,
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (answer.status >= 300) throw new Error(`${method} ${route}: ${answer.status} ${answer.body}`);
      return JSON.parse(answer.body) as unknown;
    };
    // The bench's own client trusts the CA the way a bench would have it added to its trust store.
    const benchEnv = { ...process.env, NODE_EXTRA_CA_CERTS: tls.caCertFile, INJBENCH_LOG_LEVEL: 'warn' };
    const cli = async (args: string[], env: NodeJS.ProcessEnv = benchEnv): Promise<string> => {
      const result = await runCli(args, env, 90_000);
      expect(result.code, `injbench ${args.join(' ')}\n${result.stderr}`).toBe(0);
      return result.stdout;
    };

    // A release is published and promoted over https while the benches enrol (the pack bytes land in the
    // blob folder both instances share; the promotion may well be served by the other instance).
    const release = (async (): Promise<string> => {
      const work = tempDir();
      const repo = copyOfDemoRepository(work);
      const keys = path.join(work, 'keys');
      for (const role of keyRoles) writeKeyFile(keys, role, developmentKeys()[role], true);
      expect(await cli(['release', 'publish', '--repo', repo, '--server', origin, '--actor', 'rm-ana', '--reason', 'rehearsal', '--ticket', 'REL-18'], { ...benchEnv, INJBENCH_RELEASE_TOKEN: TEST_RELEASE_TOKEN })).toMatch(
        /packs uploaded, \d+ metadata files published/,
      );
      expect(
        await cli(['release', 'promote', FAMILY, '1.1.0', '--to', 'staged', '--repo', repo, '--keys', keys, '--actor', 'rm-ana', '--reason', 'rehearsal', '--ticket', 'REL-18', '--server', origin, '--override'], {
          ...benchEnv,
          INJBENCH_SERVER_TOKEN: TEST_ADMIN_TOKEN,
        }),
      ).toMatch(/promoted bosch-like-cri 1\.1\.0 [0-9a-f]{64} to staged .* recorded on /);
      phase('release published and promoted');
      return repo;
    })();
    release.catch(() => undefined);
    const codes = await Promise.all(benchDirs.map(async () => ((await api(TEST_ADMIN_TOKEN, 'POST', ADMIN_CODES_PATH, { ttlMinutes: 10 })) as { code: string }).code));
    const enrolled = await Promise.all(benchDirs.map((benchDir, index) => cli(['sync', 'enrol', '--data-dir', benchDir, '--server', origin, '--code', codes[index] ?? ''])));
    for (const [index, line] of enrolled.entries()) expect(line).toContain(`Enrolled ${benchIds[index]} with ${origin}`);

    phase('benches enrolled');
    const repo = await release;
    // All benches push at once; the first instance is killed as soon as the server acknowledged a batch.
    const headSeqs = async (): Promise<number[]> => {
      const benches = (await api(TEST_SUPPORT_TOKEN, 'GET', `${PROTOCOL_PREFIX}/admin/benches`)) as { benchId: string; headSeq: number }[];
      return benchIds.map((benchId) => benches.find((bench) => bench.benchId === benchId)?.headSeq ?? 0);
    };
    const pushes = benchDirs.map((benchDir) => runCli(['sync', 'push', '--data-dir', benchDir], benchEnv, 120_000));
    const atKill = await pollUntil('a first acknowledged batch', headSeqs, (heads) => heads.some((head) => head > 0), 90_000);
    await first.kill9();
    const pushed = await Promise.all(pushes);
    for (const result of pushed) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/stopped: idle/);
      expect(result.stdout).toMatch(/Backlog: 0 entries and 0 checkpoints unsent/);
    }

    phase('benches synced');
    // The recount: each bench's log on the server is its local log, every entry exactly once.
    for (const [index, benchDir] of benchDirs.entries()) {
      const bench = openTestBench(benchDir);
      try {
        const local = bench.localEntries();
        expect(bench.outbox.backlog().ackedEntrySeq).toBe(local.length);
        const pulled: PulledLog['entries'] = [];
        for (let from = 1; from > 0; ) {
          const page = (await api(TEST_SUPPORT_TOKEN, 'GET', `${supportLogPath(benchIds[index] ?? '')}?fromSeq=${from}&limit=5000`)) as PulledLog;
          expect(page.integrity.ok).toBe(true);
          pulled.push(...page.entries);
          from = page.nextFromSeq ?? 0;
        }
        expect(pulled.map((entry) => [entry.seq, entry.entryHash])).toEqual(local.map((entry) => [entry.seq, entry.entryHash]));
      } finally {
        bench.close();
      }
    }
    // The kill happened mid-sync: at that moment some bench had entries the server had not yet taken.
    expect(atKill.some((head, index) => head < ENTRIES_PER_BENCH + (index === 0 ? 3 : 0))).toBe(true);

    phase('recounted');
    // Support signs in over https, from the public origin, and gets a Secure cookie.
    const signIn = await httpsCall(`${origin}/support/sign-in`, {
      ca: tls.ca,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ token: TEST_SUPPORT_TOKEN }).toString(),
    });
    expect(signIn.status).toBe(303);
    const cookie = String(signIn.headers['set-cookie']);
    expect(cookie).toMatch(/; Secure;/);
    const sessionsPage = await httpsCall(`${origin}/support/sessions`, { ca: tls.ca, headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(sessionsPage.status).toBe(200);

    phase('support signed in');
    // The packs published through either instance are served by the survivor: one blob folder for both.
    for (const version of ['1.0.0', '1.1.0']) {
      const pack = await httpsCall(`${origin}${REPOSITORY_PREFIX}/${packPathOf(FAMILY, version)}`, { ca: tls.ca });
      expect(pack.status).toBe(200);
      expect(sha256Hex(pack.bytes)).toBe(sha256Hex(readFileSync(path.join(repo, packPathOf(FAMILY, version)))));
    }

    // Reconciliation: the forged grant is alarmed, once, although both instances run the timer.
    const alarmKinds = async (): Promise<string[]> =>
      ((await api(TEST_SUPPORT_TOKEN, 'GET', `${PROTOCOL_PREFIX}/admin/alarms`)) as { benchId: string; kind: string }[])
        .filter((alarm) => alarm.benchId === benchIds[0])
        .map((alarm) => alarm.kind)
        .sort();
    await pollUntil('the reconciliation alarms', alarmKinds, (kinds) => kinds.length >= 2, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2 * RECONCILE_EVERY_SECONDS * 1000));
    expect(await alarmKinds()).toEqual(['CREDITS_OVERSPEND', 'CREDITS_UNKNOWN_GRANT']);
    await second.stop();
    const passes = [first, second].flatMap((instance) =>
      instance
        .stderr()
        .split('\n')
        .filter((line) => line.includes('"msg":"periodic credit reconciliation"'))
        .map((line) => JSON.parse(line) as { periodStart: string; instanceId: string }),
    );
    const opened = await openServerDatabase(database.url);
    const claims = await new SharedStateRepository(opened.db).periodClaims(RECONCILE_TASK).finally(() => opened.close());
    // Each pass logged ran in a period its instance had claimed, and no period ran twice; only the pass the
    // SIGKILL cut may be claimed without its line.
    expect(passes.length).toBeGreaterThanOrEqual(3);
    expect(new Set(passes.map((pass) => pass.periodStart)).size).toBe(passes.length);
    const claimed = new Set(claims.map((claim) => `${claim.periodStart} ${claim.instanceId}`));
    expect(passes.filter((pass) => !claimed.has(`${pass.periodStart} ${pass.instanceId}`))).toEqual([]);
    expect(claims.length - passes.length).toBeLessThanOrEqual(1);
    console.log(`production rehearsal: ${BENCHES} benches x ${ENTRIES_PER_BENCH} entries, heads at the kill ${JSON.stringify(atKill)}, ${passes.length} reconciliation passes in ${claims.length} claimed periods; ${phases.join(', ')}; total ${Math.round((Date.now() - started) / 1000)} s`);
  }, 300_000);
});
