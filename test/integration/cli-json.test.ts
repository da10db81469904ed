/**
 * `--json` on the commands that gained it (issue 19), through the CLI as it ships (bin/injbench.mjs running
 * the bundle test/global-setup-cli.ts builds): stdout is exactly one JSON document, the lines along the way go
 * to stderr, and a failure prints {"error":{"code","message"}} with the usual exit code (1 failure, 2 usage).
 * A release in a temporary repository, a bench's pins, and the admin, credits, support and server commands
 * against a central server on 127.0.0.1.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { buildDemoRepository, developmentKeys } from '../../trust/demo-repository';
import { TEST_ADMIN_TOKEN, TEST_RELEASE_TOKEN, startTestServer } from '../helpers/central-server';
import { projectRoot, runCli } from '../helpers/sim-process';
import { useTempDirs } from '../helpers/temp-dir';

const sha = /^[0-9a-f]{64}$/;
const demoSource = path.join(projectRoot, 'resources', 'demo-source');
const withoutTokens = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('INJBENCH_')));

/** Runs `injbench … --json`, expects `code`, and returns stdout parsed: it must be one JSON document and nothing else. */
async function json<T = Record<string, unknown>>(args: string[], { env = withoutTokens, code = 0 }: { env?: NodeJS.ProcessEnv; code?: number } = {}): Promise<{ document: T; stderr: string }> {
  const result = await runCli([...args, '--json'], env, 60_000);
  expect(result.code, `injbench ${args.join(' ')} --json\n${result.stderr}`).toBe(code);
  return { document: JSON.parse(result.stdout) as T, stderr: result.stderr };
}

describe('injbench --json: a release in a temporary repository', () => {
  const tempDir = useTempDirs('all');

  // About a dozen CLI starts in a row: on a loaded 2-core machine each takes 1-3 s.
  it('keygen, init, pack build, publish, promote, status, verify, pin, floor and bundle each print one document', { timeout: 180_000 }, async () => {
    const work = tempDir();
    const keys = path.join(work, 'keys');
    const repo = path.join(work, 'repo');
    const common = ['--repo', repo, '--keys', keys, '--actor', 'alice', '--reason', 'json release', '--ticket', 'OPS-19'];

    const keygen = await json<{ keys: { role: string; keyid: string; file: string }[] }>(['release', 'keygen', '--out', keys]);
    expect(keygen.document.keys.map((key) => key.role)).toEqual(['root', 'index', 'timestamp', 'director', 'credits']);
    for (const key of keygen.document.keys) expect(existsSync(key.file)).toBe(true);
    expect((await json(['release', 'init', ...common])).document).toMatchObject({ repo, rootVersion: 1, environment: 'production' });

    const source = path.join(work, 'source');
    cpSync(path.join(demoSource, 'denso-like-g3'), source, { recursive: true });
    const git = (...args: string[]) => spawnSync('git', ['-C', source, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'source');
    const packFile = path.join(work, 'v1.injpack');
    const built = (await json<{ family: string; version: string; sha256: string; dirty: boolean; sourceCommit: string }>(['release', 'pack', 'build', source, '--out', packFile])).document;
    expect(built).toMatchObject({ family: 'denso-like-g3', version: '1.0.0', dirty: false, out: packFile });
    expect(built.sha256).toMatch(sha);
    expect(built.sourceCommit).toBe(git('rev-parse', 'HEAD').stdout.trim());

    expect((await json(['release', 'publish', packFile, ...common, '--channel', 'canary'])).document).toMatchObject({ family: 'denso-like-g3', version: '1.0.0', sha256: built.sha256, channel: 'canary', sequence: 1 });
    expect((await json(['release', 'promote', 'denso-like-g3', '1.0.0', ...common, '--to', 'stable'])).document).toMatchObject({ family: 'denso-like-g3', version: '1.0.0', to: 'stable', sha256: built.sha256, sequence: 2 });
    const status = (await json<{ families: { family: string; channels: Record<string, { version: string }> }[] }>(['release', 'status', '--repo', repo])).document;
    expect(status.families[0]?.channels).toMatchObject({ canary: { version: '1.0.0' }, stable: { version: '1.0.0' } });

    // The verdicts as they come go to stderr; stdout holds the document only.
    const verify = await json<{ verified: { family: string; version: string; sha256: string }[] }>(['release', 'verify', '--repo', repo, '--trusted-root', path.join(repo, 'root', '1.root.json')]);
    expect(verify.document.verified).toEqual([{ family: 'denso-like-g3', version: '1.0.0', sha256: built.sha256 }]);
    expect(verify.stderr).toBe(`OK denso-like-g3 1.0.0 ${built.sha256}\n`);

    expect((await json(['release', 'pin', 'bench-0000000000000007', ...common, '--family', 'denso-like-g3', '--channel', 'canary'])).document).toMatchObject({
      benchId: 'bench-0000000000000007',
      family: 'denso-like-g3',
      assignment: { channel: 'canary' },
      seq: 1,
    });
    expect((await json(['release', 'floor', 'denso-like-g3', '1', ...common])).document).toMatchObject({ family: 'denso-like-g3', securityFloor: 1, sequence: 3 });
    const bundle = (await json<{ bundle: string; files: number; bytes: number; sha256: string }>(['release', 'bundle', '--repo', repo, '--out', path.join(work, 'repo.tar.gz')])).document;
    expect(bundle).toMatchObject({ bundle: path.join(work, 'repo.tar.gz'), files: expect.any(Number) });
    expect(bundle.sha256).toMatch(sha);
  });

  it('a failure prints the error document and exits 1; a usage error exits 2, with the document too', async () => {
    const repo = path.join(tempDir(), 'no-repo');
    const refused = await json<{ error: { code: string; message: string } }>(['release', 'status', '--repo', repo], { code: 1 });
    expect(Object.keys(refused.document)).toEqual(['error']);
    expect(refused.document.error.code).toMatch(/^[A-Z][A-Z_]+$/);
    expect(refused.stderr).toMatch(new RegExp(`^injbench: ${refused.document.error.code}: `));

    const usage = await json(['release', 'promote', 'denso-like-g3', '1.0.0', '--repo', repo], { code: 2 });
    expect(usage.document).toEqual({ error: { code: 'USAGE_ERROR', message: "required option '--keys <dir>' not specified" } });
  });
});

describe('injbench --json: a bench, its packs and a central server on 127.0.0.1', () => {
  const tempDir = useTempDirs('all');
  const audit = ['--actor', 'Ana Admin', '--reason', 'json pins', '--ticket', 'OPS-19'];
  let repo: string;
  let server: CentralServer;
  const admin = { ...withoutTokens, INJBENCH_SERVER_TOKEN: TEST_ADMIN_TOKEN };

  beforeAll(async () => {
    const dir = tempDir();
    repo = path.join(dir, 'repo');
    buildDemoRepository({ sourceDir: demoSource, outDir: repo });
    server = await startTestServer(`sqlite:${path.join(dir, 'server.sqlite')}`, { creditsKey: developmentKeys().credits });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('packs update, refresh, pin and unpin print the family as JSON; a refused rollback prints the error document', { timeout: 120_000 }, async () => {
    const dataDir = path.join(tempDir(), 'bench');
    type Outcome = { family: string; ok: boolean; version?: string; sha256?: string; resolvedBy?: string };
    const update = (await json<{ families: Outcome[] }>(['packs', 'update', '--repo', repo, '--family', 'bosch-like-cri', '--data-dir', dataDir])).document;
    expect(update.families).toEqual([expect.objectContaining({ family: 'bosch-like-cri', ok: true, version: '1.0.0', resolvedBy: 'default channel stable' })]);

    // The release source the pins resolve against is remembered by refresh.
    const refreshed = (await json<{ source: string; families: { family: string; outcome: string }[] }>(['packs', 'refresh', '--dir', repo, '--data-dir', dataDir, ...audit])).document;
    expect(refreshed.families.map((family) => family.family).sort()).toEqual(['bosch-like-cri', 'delphi-like-c2i', 'denso-like-g3']);

    type Family = { family: string; active: { version: string } | null; lastKnownGood: { version: string } | null; pin: { kind: string; version: string | null; actor: string; ticket: string } | null };
    const pinned = (await json<Family>(['packs', 'pin', '--family', 'bosch-like-cri', '--pin-version', '1.1.0', '--hours', '2', '--data-dir', dataDir, ...audit])).document;
    expect(pinned).toMatchObject({ family: 'bosch-like-cri', active: { version: '1.1.0' }, pin: { version: '1.1.0', actor: 'Ana Admin', ticket: 'OPS-19' } });
    // No coding session has completed on a pack yet, so there is no last-known-good to roll back to: a typed failure.
    const rollback = await json<{ error: { code: string; message: string } }>(['packs', 'rollback', '--family', 'bosch-like-cri', '--hours', '1', '--data-dir', dataDir, ...audit], { code: 1 });
    expect(rollback.document).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/^bosch-like-cri has no last-known-good yet/) } });
    expect(rollback.stderr).toMatch(/^injbench: NOT_FOUND: bosch-like-cri has no last-known-good yet/);
    const unpinned = (await json<Family>(['packs', 'unpin', '--family', 'bosch-like-cri', '--data-dir', dataDir, ...audit])).document;
    expect(unpinned).toMatchObject({ family: 'bosch-like-cri', pin: null });
  });

  it('release publish, admin, credits, support and server commands print one document each', { timeout: 180_000 }, async () => {
    const published = await json(['release', 'publish', '--repo', repo, '--server', server.url, '--actor', 'rita'], { env: { ...withoutTokens, INJBENCH_RELEASE_TOKEN: TEST_RELEASE_TOKEN } });
    expect(published.document).toEqual({ server: server.url, repo, packsUploaded: 6, metadataWritten: 7 });
    // The upload's lines are progress: on stderr, so stdout stays one document.
    expect(published.stderr).toMatch(/^publish \S+: 6 packs uploaded, 7 metadata files published$/m);

    const benchDir = path.join(tempDir(), 'bench');
    const { benchId } = (await json<{ benchId: string }>(['sync', 'identity', '--create', '--data-dir', benchDir])).document;
    const directive = (await json(['admin', 'directive', benchId, '--server', server.url, '--demo-key', '--family', 'denso-like-g3', '--channel', 'canary', ...audit], { env: admin })).document;
    expect(directive).toMatchObject({ benchId, family: 'denso-like-g3', assignment: { channel: 'canary' }, seq: 1, expires: expect.any(String) });
    const { code } = (await json<{ code: string }>(['admin', 'enrolment-code', '--server', server.url], { env: admin })).document;
    await json(['sync', 'enrol', '--data-dir', benchDir, '--server', server.url, '--code', code]);

    const grant = (await json(['credits', 'grant', '--server', server.url, '--bench-id', benchId, '--credits', '7'], { env: admin })).document;
    expect(grant).toMatchObject({ benchId, credits: 7, grantId: expect.stringMatching(/^grant-/), signedBy: 'server', out: null });
    expect(grant).not.toHaveProperty('grantBase64');
    await json(['credits', 'fetch', '--data-dir', benchDir]);
    await json(['sync', 'push', '--data-dir', benchDir]);

    const check = (await json<{ benchId: string; state: string; verdict: { ok: boolean; entries: number } }>(['admin', 'check-log', '--server', server.url, '--bench', benchId], { env: admin })).document;
    expect(check).toMatchObject({ benchId, state: 'done', verdict: { ok: true } });
    expect(check.verdict.entries).toBeGreaterThan(0);
    const pulled = (await json<{ benchId: string; integrity: { ok: boolean }; entries: unknown[] }>(['support', 'pull', '--server', server.url, '--bench', benchId], { env: admin })).document;
    expect(pulled).toMatchObject({ benchId, integrity: { ok: true } });
    expect(pulled.entries).toHaveLength(check.verdict.entries);
    const both = await runCli(['support', 'pull', '--server', server.url, '--bench', benchId, '--json', '--format', 'csv'], admin);
    expect(both.code).toBe(2);
    expect(JSON.parse(both.stdout)).toEqual({ error: { code: 'USAGE_ERROR', message: '--json and --format csv ask for two formats: give one of them' } });

    const user = (await json<{ name: string; password: string; signInUrl: string }>(['admin', 'support-user', '--server', server.url, '--name', 'sam'], { env: admin })).document;
    expect(user).toMatchObject({ name: 'sam', signInUrl: `${server.url}/support/` });
    expect(user.password.length).toBeGreaterThanOrEqual(16);
    expect((await json(['admin', 'revoke', '--server', server.url, '--bench', benchId, '--reason', 'stolen'], { env: admin })).document).toEqual({ benchId, revoked: true, reason: 'stolen' });

    // A failure against the server: the typed error as the document, exit 1.
    const unauthorized = await json(['admin', 'revoke', '--server', server.url, '--bench', benchId, '--reason', 'again'], { code: 1 });
    expect(unauthorized.document).toEqual({ error: { code: 'UNAUTHORIZED', message: "Set INJBENCH_SERVER_TOKEN to the server's admin or support token." } });
    expect(unauthorized.stderr).toBe("injbench: UNAUTHORIZED: Set INJBENCH_SERVER_TOKEN to the server's admin or support token.\n");
  });

  it('server migrate, backup and restore report what they did on SQLite databases', { timeout: 60_000 }, async () => {
    const db = `sqlite:${path.join(tempDir(), 'migrate.sqlite')}`;
    const first = (await json<{ dialect: string; applied: string[]; migrations: number }>(['server', 'migrate', '--db', db])).document;
    expect(first).toMatchObject({ dialect: 'sqlite', database: db });
    expect(first.applied).toHaveLength(first.migrations);
    expect((await json(['server', 'migrate', '--db', db])).document).toMatchObject({ applied: [], migrations: first.migrations });

    const backupDir = path.join(tempDir(), 'backup');
    const backup = (await json<{ backup: string; manifest: { dialect: string; database: { sha256: string }; blobs: { count: number } } }>(['server', 'backup', '--db', db, '--out', backupDir])).document;
    expect(backup).toMatchObject({ backup: backupDir, database: db, manifest: { dialect: 'sqlite', blobs: { count: 0 } } });
    expect(backup.manifest.database.sha256).toMatch(sha);
    const restoredDb = `sqlite:${path.join(tempDir(), 'restored.sqlite')}`;
    const restored = (await json(['server', 'restore', '--db', restoredDb, '--from', backupDir])).document;
    expect(restored).toMatchObject({ from: backupDir, database: restoredDb, dialect: 'sqlite', migrated: [], manifest: backup.manifest });
  });
});
