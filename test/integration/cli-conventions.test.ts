/**
 * The conventions of `injbench`, through the real command line as it ships (bin/injbench.mjs running the
 * built bundle, which test/global-setup-cli.ts builds): exit 0 success, 1 failure, 2 usage error; --json on
 * the commands that print data; read commands refuse a folder that holds no bench; release doctor checks
 * the settings the central server reads.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot, runCli } from '../helpers/sim-process';
import { useTempDirs } from '../helpers/temp-dir';

const { version } = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
const withoutServerSettings = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('INJBENCH_')));

describe('injbench exit codes', () => {
  const tempDir = useTempDirs('all');

  it('0 for --version and --help, which list every command without loading any', async () => {
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['workspace', 'sim', 'bench', 'session', 'packs', 'credits', 'sync', 'support', 'release', 'server', 'admin']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it.each([
    ['an unknown command', ['bogus'], /unknown command 'bogus'/],
    ['an unknown option', ['credits', 'balance', '--data-dir', 'x', '--bogus'], /unknown option '--bogus'/],
    ['a missing required option', ['credits', 'balance'], /required option '--data-dir <dir>' not specified/],
    ['an invalid option value', ['workspace', '--port', 'seventy'], /expected a port number/],
    ['a group without its subcommand', ['packs'], /Usage: injbench packs/],
  ])('2 for %s', async (_case, args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(`${result.stderr}${result.stdout}`).toMatch(message);
  });

  it('1 for a command that ran and failed, with one typed line on stderr', async () => {
    const missing = path.join(tempDir(), 'no-bench-here');
    const result = await runCli(['credits', 'balance', '--data-dir', missing]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`injbench: NO_BENCH_DATA: ${missing} holds no bench data (no bench.sqlite). Check --data-dir; a bench is set up by "injbench packs update", "injbench sync enrol" or "injbench sync identity --create".\n`);
  });

  it('1 and a build hint when the bundle is not built, instead of running stale sources', async () => {
    const checkout = tempDir();
    mkdirSync(path.join(checkout, 'bin'));
    copyFileSync(path.join(projectRoot, 'bin', 'injbench.mjs'), path.join(checkout, 'bin', 'injbench.mjs'));
    const failure = await promisify(execFile)(process.execPath, [path.join(checkout, 'bin', 'injbench.mjs'), '--version']).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringMatching(/^injbench: NOT_BUILT: .*npm run build/) });
  });
});

describe('read commands on a folder that holds no bench', () => {
  const tempDir = useTempDirs('all');

  it.each([
    ['credits balance', (dir: string) => ['credits', 'balance', '--data-dir', dir]],
    ['credits fetch', (dir: string) => ['credits', 'fetch', '--data-dir', dir]],
    ['packs releases', (dir: string) => ['packs', 'releases', '--data-dir', dir]],
    ['packs preflight', (dir: string) => ['packs', 'preflight', '--family', 'bosch-like-cri', '--data-dir', dir]],
    ['sync status', (dir: string) => ['sync', 'status', '--data-dir', dir]],
    ['sync push', (dir: string) => ['sync', 'push', '--data-dir', dir]],
    ['sync identity', (dir: string) => ['sync', 'identity', '--data-dir', dir]],
    ['support verify', (dir: string) => ['support', 'verify', dir]],
    ['support export', (dir: string) => ['support', 'export', dir, '--out', `${dir}.bundle`]],
    ['session run', (dir: string) => ['session', 'run', '--port', 'tcp://127.0.0.1:1', '--part', 'PART-1', '--serial', 'S1', '--data-dir', dir]],
  ])('%s refuses it with NO_BENCH_DATA and creates nothing', async (_name, args) => {
    const missing = path.join(tempDir(), 'typo');
    const result = await runCli(args(missing));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^injbench: NO_BENCH_DATA: /);
    expect(existsSync(missing)).toBe(false);
  });

  it('sync identity --create sets a bench up explicitly; then the read commands answer, in JSON when asked', async () => {
    const dataDir = path.join(tempDir(), 'bench');
    const created = await runCli(['sync', 'identity', '--create', '--json', '--data-dir', dataDir]);
    expect(created.code, created.stderr).toBe(0);
    const identity = JSON.parse(created.stdout) as { benchId: string; publicKey: string; fingerprint: string };
    expect(identity.benchId).toBe(`bench-${identity.fingerprint}`);
    expect(JSON.parse((await runCli(['sync', 'identity', '--json', '--data-dir', dataDir])).stdout)).toEqual(identity);
    expect(JSON.parse((await runCli(['credits', 'balance', '--json', '--data-dir', dataDir])).stdout)).toEqual({ benchId: identity.benchId, balance: 0 });
    expect(JSON.parse((await runCli(['sync', 'status', '--json', '--data-dir', dataDir])).stdout)).toMatchObject({ serverUrl: null, unsentEntries: expect.any(Number) });
    expect(JSON.parse((await runCli(['packs', 'releases', '--json', '--data-dir', dataDir])).stdout)).toMatchObject({ families: [] });
    expect((await runCli(['credits', 'balance', '--data-dir', dataDir])).stdout).toBe(`${identity.benchId}: 0 credits\n`);
  });
});

describe('injbench release doctor checks the settings the central server reads', () => {
  const tempDir = useTempDirs('all');
  const adminToken = 'a'.repeat(40);

  async function doctor(env: NodeJS.ProcessEnv, extra: string[] = []) {
    const repo = path.join(tempDir(), 'repo');
    expect((await runCli(['release', 'demo', '--out', repo], process.env, 60_000)).code).toBe(0);
    const result = await runCli(['release', 'doctor', '--repo', repo, '--json', ...extra], { ...withoutServerSettings, ...env });
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    return { code: result.code, report, check: (name: string) => report.checks.find((check) => check.name === name) };
  }

  it('fails without the admin token the server needs, naming its variable; exit 1', async () => {
    const { code, report, check } = await doctor({});
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(check('server admin token')).toEqual({ name: 'server admin token', ok: false, detail: '$INJBENCH_SERVER_ADMIN_TOKEN missing or shorter than 32 characters (the server refuses to start)' });
    expect(report.checks.map((entry) => entry.name)).not.toContain('no insecure overrides');
  });

  it('passes the token from the environment or from the file the server would read, and refuses a role token equal to it', async () => {
    const fromEnv = await doctor({ INJBENCH_SERVER_ADMIN_TOKEN: adminToken, INJBENCH_SERVER_SUPPORT_TOKEN: 's'.repeat(40) });
    expect(fromEnv.check('server admin token')?.ok).toBe(true);
    expect(fromEnv.check('$INJBENCH_SERVER_SUPPORT_TOKEN')).toMatchObject({ ok: true, detail: '40 characters, its own' });
    expect(fromEnv.check('$INJBENCH_SERVER_RELEASE_TOKEN')).toMatchObject({ ok: true, detail: 'not set (that role is off)' });

    const tokenFile = path.join(tempDir(), 'admin-token');
    writeFileSync(tokenFile, `${adminToken}\n`);
    const fromFile = await doctor({ INJBENCH_SERVER_RELEASE_TOKEN: adminToken, INJBENCH_LOG_LEVEL: 'trace' }, ['--admin-token-file', tokenFile]);
    expect(fromFile.check('server admin token')).toMatchObject({ ok: true, detail: `${tokenFile}: 40 characters` });
    expect(fromFile.check('$INJBENCH_SERVER_RELEASE_TOKEN')).toMatchObject({ ok: false, detail: 'the same as the admin token' });
    expect(fromFile.check('$INJBENCH_LOG_LEVEL')?.ok).toBe(false);
  }, 120_000);
});
