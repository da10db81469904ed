/**
 * The release command line end to end against temporary repositories, and the acceptance check of the
 * trust issue: the demo repository verifies, and any single changed byte makes verification fail typed.
 */
import { benchTrustProfile } from '../../../trust/bench-trust';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { doctorChecks } from '../../../cli/commands/release';
import { buildDemoRepository, demoFamilies } from '../../../trust/demo-repository';
import { isTrustError, type TrustErrorCode } from '../../../trust/errors';
import { directorySource } from '../../../trust/source';
import { verifyRepository } from '../../../trust/verify-repository';
import { useTempDirs } from '../../helpers/temp-dir';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const bundledRoot = path.join(projectRoot, 'resources', 'trust', 'root.json');
const makeDir = useTempDirs('all');

function injbench(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'injbench.mjs'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, INJBENCH_PRODUCTION: '', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function flipByte(file: string, position: number): () => void {
  const original = readFileSync(file);
  const changed = Buffer.from(original);
  changed.writeUInt8(changed.readUInt8(position) ^ 0x01, position);
  writeFileSync(file, changed);
  return () => writeFileSync(file, original);
}

describe('demo repository', () => {
  let demo: string;
  beforeAll(() => {
    demo = path.join(makeDir(), 'demo');
    buildDemoRepository({ sourceDir: path.join(projectRoot, 'resources', 'demo-source'), outDir: demo });
  });

  it('is signed by the bundled development root, reproducibly', () => {
    expect(readFileSync(path.join(demo, 'root', '1.root.json')).equals(readFileSync(bundledRoot))).toBe(true);
  });

  it('verifies OK for each family on stable, and canary points at a newer version', () => {
    const stable = injbench(['release', 'verify', '--repo', demo]);
    expect(stable.stderr).not.toContain('injbench:');
    expect(stable.status).toBe(0);
    const lines = stable.stdout.trim().split('\n');
    expect(lines.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(demoFamilies.map((family) => `OK ${family} 1.0.0`));
    for (const line of lines) expect(line).toMatch(/^OK \S+ \d+\.\d+\.\d+ [0-9a-f]{64}$/);
    const canary = injbench(['release', 'verify', '--repo', demo, '--family', 'denso-like-g3', '--channel', 'canary']);
    expect(canary.stdout).toMatch(/^OK denso-like-g3 1\.1\.0 [0-9a-f]{64}\n$/);
  });

  it('fails the production checklist (development root and keys)', () => {
    const checks = doctorChecks(demo, undefined, 7, { INJBENCH_SERVER_ADMIN_TOKEN: 'x'.repeat(40) });
    const failed = checks.filter((check) => !check.ok).map((check) => check.name);
    expect(failed).toEqual(['production root', 'no development keys in root']);
  });

  it('is refused by a production build (DEV_KEY_IN_PROD)', () => {
    const result = injbench(['release', 'verify', '--repo', demo, '--production']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^injbench: DEV_KEY_IN_PROD: /);
  });

  it('updates a bench data directory and clears it for a session (injbench packs)', () => {
    const dataDir = makeDir();
    const update = injbench(['packs', 'update', '--repo', demo, '--family', 'delphi-like-c2i', '--data-dir', dataDir, '--channel', 'canary']);
    expect(update.stdout).toMatch(/^ACTIVE delphi-like-c2i 1\.1\.0 [0-9a-f]{64} via default channel canary\n$/);
    const preflight = injbench(['packs', 'preflight', '--family', 'delphi-like-c2i', '--data-dir', dataDir]);
    expect(preflight.stdout).toMatch(/^READY delphi-like-c2i 1\.1\.0 [0-9a-f]{64}\n$/);
    // The bench keeps the channel it was set to; moving it back to stable would be a silent downgrade.
    const downgrade = injbench(['packs', 'update', '--repo', demo, '--family', 'delphi-like-c2i', '--data-dir', dataDir, '--channel', 'stable']);
    expect(downgrade.status).toBe(1);
    expect(downgrade.stderr).toMatch(/^injbench: DOWNGRADE_REFUSED: /);
  });

  it.each([
    ['a pack', 'packs/bosch-like-cri/1.0.0.injpack', ['HASH_MISMATCH']],
    ['an index', 'index/bosch-like-cri.json', ['HASH_MISMATCH']],
    ['the snapshot', 'snapshot.json', ['HASH_MISMATCH']],
    ['a root', 'root/2.root.json', ['BAD_SIGNATURE', 'MALFORMED']],
  ])('exits non-zero with a typed error after one byte of %s changes', (_what, name, codes) => {
    const file = path.join(demo, name);
    const restore = flipByte(file, Math.floor(statSync(file).size * 0.6));
    try {
      const result = injbench(['release', 'verify', '--repo', demo, '--family', 'bosch-like-cri']);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(new RegExp(`^injbench: (${codes.join('|')}): `));
    } finally {
      restore();
    }
  });

  it('fails typed for every one of 200 single-byte changes across root, timestamp, snapshot, index and pack', async () => {
    const files: [string, TrustErrorCode[]][] = [
      ['root/2.root.json', ['BAD_SIGNATURE', 'MALFORMED']],
      ['timestamp.json', ['BAD_SIGNATURE', 'MALFORMED']],
      ['snapshot.json', ['HASH_MISMATCH']],
      ['index/delphi-like-c2i.json', ['HASH_MISMATCH']],
      ['packs/delphi-like-c2i/1.0.0.injpack', ['HASH_MISMATCH', 'LENGTH_MISMATCH', 'MALFORMED', 'OVERSIZE']],
    ];
    const trustedRoot = readFileSync(bundledRoot);
    const bench = benchTrustProfile({ benchId: null, hardware: 'virtual-bench', appVersion: '0.1.0', defaultChannel: 'stable', production: false });
    const seen = new Map<string, number>();
    for (const [name, codes] of files) {
      const file = path.join(demo, name);
      const size = statSync(file).size;
      for (let i = 0; i < 40; i += 1) {
        const position = Math.min(size - 1, Math.floor((i * size) / 40) + (i % 7));
        const restore = flipByte(file, position);
        try {
          const error = await verifyRepository({ source: directorySource(demo), trustedRoot, bench, family: 'delphi-like-c2i' }).then(
            () => null,
            (caught: unknown) => caught,
          );
          expect(isTrustError(error), `${name} byte ${position} was accepted or failed untyped: ${String(error)}`).toBe(true);
          const code = (error as { code: TrustErrorCode }).code;
          expect(codes, `${name} byte ${position}`).toContain(code);
          seen.set(code, (seen.get(code) ?? 0) + 1);
        } finally {
          restore();
        }
      }
    }
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['HASH_MISMATCH', 'BAD_SIGNATURE']));
    // Every change restored: the repository verifies again.
    await expect(verifyRepository({ source: directorySource(demo), trustedRoot, bench })).resolves.toHaveLength(3);
  });
});

describe('release commands', () => {
  // About thirty CLI starts in a row: on a loaded 2-core machine each takes 2-3 s.
  it('run a release from keygen to doctor, each mutation leaving evidence', { timeout: 240_000 }, () => {
    const work = makeDir();
    const keys = path.join(work, 'keys');
    const repo = path.join(work, 'repo');
    const source = path.join(work, 'source');
    const audit = ['--actor', 'alice', '--reason', 'test release', '--ticket', 'OPS-1'];
    const common = ['--repo', repo, '--keys', keys, ...audit];
    const ok = (args: string[], env: NodeJS.ProcessEnv = {}) => {
      const result = injbench(args, env);
      expect(result.stderr, args.join(' ')).not.toMatch(/injbench: /);
      expect(result.status, args.join(' ')).toBe(0);
      return result.stdout;
    };
    const refused = (args: string[], code: string) => {
      const result = injbench(args);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toMatch(new RegExp(`^injbench: ${code}: `));
    };

    expect(ok(['release', 'keygen', '--out', keys])).toMatch(/^root [0-9a-f]{64} /);
    expect(statSync(path.join(keys, 'index.key.json')).mode & 0o777).toBe(0o600);
    refused(['release', 'keygen', '--out', keys], 'RELEASE_REFUSED');
    ok(['release', 'init', ...common, '--environment', 'production']);

    // A pack source in its own git work tree: the build records the commit and refuses a dirty tree.
    cpSync(path.join(projectRoot, 'resources', 'demo-source', 'denso-like-g3'), source, { recursive: true });
    const git = (...args: string[]) => spawnSync('git', ['-C', source, ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'source');
    const pack1 = path.join(work, 'v1.injpack');
    expect(ok(['release', 'pack', 'build', source, '--out', pack1])).toMatch(/^built denso-like-g3 1\.0\.0 [0-9a-f]{64} ->/);
    ok(['release', 'publish', pack1, ...common, '--channel', 'canary']);
    refused(['release', 'publish', pack1, ...common, '--channel', 'canary'], 'RELEASE_REFUSED');
    ok(['release', 'promote', 'denso-like-g3', '1.0.0', ...common, '--to', 'stable']);

    const packSource = JSON.parse(readFileSync(path.join(source, 'pack.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(source, 'pack.json'), JSON.stringify({ ...packSource, version: '1.1.0', release_counter: 2 }));
    const pack2 = path.join(work, 'v2.injpack');
    refused(['release', 'pack', 'build', source, '--out', pack2], 'RELEASE_REFUSED');
    expect(ok(['release', 'pack', 'build', source, '--out', pack2, '--allow-dirty'])).toContain('(dirty)');
    ok(['release', 'publish', pack2, ...common, '--channel', 'canary']);
    refused(['release', 'promote', 'denso-like-g3', '1.1.0', ...common, '--to', 'stable'], 'RELEASE_REFUSED');

    const status = ok(['release', 'status', '--repo', repo]);
    expect(status).toMatch(/canary\s+1\.1\.0 100% [0-9a-f]{64}/);
    expect(status).toMatch(/stable\s+1\.0\.0 100% [0-9a-f]{64}/);
    const statusJson = JSON.parse(ok(['release', 'status', '--repo', repo, '--json'])) as { families: { family: string; channels: Record<string, { version: string }> }[] };
    expect(statusJson.families.find((family) => family.family === 'denso-like-g3')?.channels).toMatchObject({ canary: { version: '1.1.0' }, stable: { version: '1.0.0' } });

    const trustedRoot = path.join(repo, 'root', '1.root.json');
    expect(ok(['release', 'verify', '--repo', repo, '--trusted-root', trustedRoot, '--production'])).toMatch(/^OK denso-like-g3 1\.0\.0 [0-9a-f]{64}\n$/);

    // Rollback needs an older target; floor and revoke guard the channels.
    refused(['release', 'rollback', 'denso-like-g3', ...common, '--channel', 'canary', '--to', '1.1.0', '--impact', 'none'], 'RELEASE_REFUSED');
    ok(['release', 'rollback', 'denso-like-g3', ...common, '--channel', 'canary', '--to', '1.0.0', '--impact', 'canary benches return to 1.0.0']);
    refused(['release', 'floor', 'denso-like-g3', '2', ...common], 'RELEASE_REFUSED');
    ok(['release', 'revoke', 'denso-like-g3', '1.1.0', ...common]);
    expect(ok(['release', 'pin', 'bench-0000000000000007', ...common, '--family', 'denso-like-g3', '--pin-version', '1.0.0', '--offline-grace-hours', '48'])).toBe(
      'directive seq 1 for bench-0000000000000007: denso-like-g3 -> 1.0.0\n',
    );
    expect(ok(['release', 'verify', '--repo', repo, '--trusted-root', trustedRoot, '--bench-id', 'bench-0000000000000007'])).toMatch(/^OK denso-like-g3 1\.0\.0 /);
    refused(['release', 'pin', 'bad id!', ...common, '--family', 'denso-like-g3', '--channel', 'stable'], 'MALFORMED');
    refused(['release', 'verify', '--repo', repo, '--trusted-root', trustedRoot, '--family', '../index'], 'MALFORMED');

    // Root rotation to new root keys: the old trusted root still reaches the new one through the chain.
    const newKeys = path.join(work, 'new-keys');
    ok(['release', 'keygen', '--out', newKeys, '--roles', 'root,index']);
    expect(ok(['release', 'rotate-root', ...common, '--new-keys', newKeys, '--roles', 'root,index'])).toMatch(/^root v2 [0-9a-f]{64}/);
    expect(ok(['release', 'verify', '--repo', repo, '--trusted-root', trustedRoot])).toMatch(/^OK denso-like-g3 1\.0\.0 /);
    expect(ok(['release', 'status', '--repo', repo])).toMatch(/^root v2 \(production\)/);

    // Doctor: production root, keys and expiries pass; the server's admin token must be configured.
    const noRoleTokens = { INJBENCH_SERVER_SUPPORT_TOKEN: '', INJBENCH_SERVER_RELEASE_TOKEN: '' };
    const unconfigured = injbench(['release', 'doctor', '--repo', repo, '--keys', keys], { ...noRoleTokens, INJBENCH_SERVER_ADMIN_TOKEN: '' });
    expect(unconfigured.status).toBe(1);
    expect(unconfigured.stdout).toMatch(/FAIL server admin token: \$INJBENCH_SERVER_ADMIN_TOKEN missing/);
    expect(unconfigured.stdout).toMatch(/PASS production root/);
    const configured = injbench(['release', 'doctor', '--repo', repo, '--keys', keys], { ...noRoleTokens, INJBENCH_SERVER_ADMIN_TOKEN: 'x'.repeat(40) });
    expect(configured.stdout).not.toMatch(/FAIL/);
    expect(configured.status).toBe(0);

    const evidence = readFileSync(path.join(repo, 'evidence.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(evidence.map((entry) => entry.command), JSON.stringify(evidence)).toEqual(['init', 'publish', 'promote', 'publish', 'rollback', 'revoke', 'pin', 'rotate-root']);
    for (const entry of evidence) expect(entry).toMatchObject({ actor: 'alice', reason: 'test release', ticket: 'OPS-1' });
  });
});
