/**
 * The distribution and credits commands of docs/central-server.md, run as a person runs them (each
 * `injbench` command its own process) against a server on 127.0.0.1: publish, directive, enrolment with
 * the first directive, pack update from the server, grant, fetch, reconcile, evidence.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { buildDemoRepository, developmentKeys } from '../../trust/demo-repository';
import { TEST_ADMIN_TOKEN, TEST_RELEASE_TOKEN, startTestServer } from '../helpers/central-server';
import { projectRoot, runCli } from '../helpers/sim-process';
import { useTempDirs } from '../helpers/temp-dir';

describe('injbench release publish, admin directive and credits against the central server', () => {
  const tempDir = useTempDirs('all');
  let server: CentralServer;
  let repo: string;
  let benchDir: string;

  beforeAll(async () => {
    const dir = tempDir();
    repo = path.join(dir, 'repo');
    benchDir = path.join(dir, 'bench');
    buildDemoRepository({ sourceDir: path.join(projectRoot, 'resources', 'demo-source'), outDir: repo });
    server = await startTestServer(`sqlite:${path.join(dir, 'server.sqlite')}`, { creditsKey: developmentKeys().credits });
  });

  afterAll(async () => {
    await server?.close();
  });

  const admin = { ...process.env, INJBENCH_SERVER_TOKEN: TEST_ADMIN_TOKEN };

  async function ok(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
    const result = await runCli(args, env, 60_000);
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result.stdout;
  }

  it('publishes, pins, enrols, updates, grants, fetches and reconciles', async () => {
    const { INJBENCH_RELEASE_TOKEN: _unset, ...withoutToken } = process.env;
    const refused = await runCli(['release', 'publish', '--repo', repo, '--server', server.url], withoutToken);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/UNAUTHORIZED: Set INJBENCH_RELEASE_TOKEN/);

    const published = await ok(['release', 'publish', '--repo', repo, '--server', server.url, '--actor', 'alice', '--reason', 'demo', '--ticket', 'REL-1'], { ...process.env, INJBENCH_RELEASE_TOKEN: TEST_RELEASE_TOKEN });
    expect(published).toMatch(/6 packs uploaded, 7 metadata files published/);
    expect((await ok(['release', 'publish', '--repo', repo, '--server', server.url], { ...process.env, INJBENCH_RELEASE_TOKEN: TEST_RELEASE_TOKEN })).trim()).toBe(
      'nothing to publish: the server already serves this repository',
    );

    // The bench is set up explicitly: read commands such as credits balance refuse a folder without one.
    expect((await runCli(['credits', 'balance', '--data-dir', benchDir])).stderr).toMatch(/^injbench: NO_BENCH_DATA: /);
    const { benchId } = JSON.parse(await ok(['sync', 'identity', '--create', '--json', '--data-dir', benchDir])) as { benchId: string };
    expect(benchId).toMatch(/^bench-[0-9a-f]{16}$/);
    expect(JSON.parse(await ok(['credits', 'balance', '--json', '--data-dir', benchDir]))).toEqual({ benchId, balance: 0 });
    expect(await ok(['admin', 'directive', benchId, '--server', server.url, '--demo-key', '--family', 'denso-like-g3', '--channel', 'canary', '--actor', 'ops', '--reason', 'canary bench', '--ticket', 'OPS-1'], admin)).toMatch(
      new RegExp(`^directive seq 1 for ${benchId}: denso-like-g3 -> channel canary`),
    );
    const code = /Enrolment code: (\S+)/.exec(await ok(['admin', 'enrolment-code', '--server', server.url], admin))?.[1] ?? '';
    expect(await ok(['sync', 'enrol', '--data-dir', benchDir, '--server', server.url, '--code', code])).toMatch(/First directive: \d+ bytes, SHA-256 [0-9a-f]{64}/);
    expect(await ok(['packs', 'update', '--repo', `${server.url}/api/v1/repository/`, '--family', 'denso-like-g3', '--data-dir', benchDir])).toMatch(
      /^ACTIVE denso-like-g3 1\.1\.0 [0-9a-f]{64} via directive seq 1 channel canary$/m,
    );

    expect(await ok(['credits', 'grant', '--server', server.url, '--bench-id', benchId, '--credits', '10'], admin)).toMatch(new RegExp(`^issued grant-\\S+: 10 credits for ${benchId}`));
    expect(await ok(['credits', 'fetch', '--data-dir', benchDir])).toMatch(/1 new, 0 already imported, 0 refused; balance 10/);
    expect(await ok(['sync', 'push', '--data-dir', benchDir])).toMatch(/stopped: idle/);
    expect(await ok(['credits', 'reconcile', '--server', server.url, '--bench', benchId], admin)).toMatch(
      new RegExp(`^${benchId}: issued 10 credits in 1 grants, booked 10, spent 0 in 0 sessions, balance 10.*: clean$`, 'm'),
    );
    const evidence = await ok(['admin', 'evidence', '--server', server.url, '--limit', '20'], admin);
    expect(evidence).toMatch(/ release\/alice release\.pack_uploaded /);
    expect(evidence).toMatch(/ release\/alice release\.metadata_published /);
    expect(evidence).toMatch(/ admin\/ops directive\.published /);
    expect(evidence).toMatch(/ admin\/admin credits\.grant_issued /);
    const evidenceJson = JSON.parse(await ok(['admin', 'evidence', '--server', server.url, '--limit', '20', '--json'], admin)) as { action: string }[];
    expect(evidenceJson.map((entry) => entry.action)).toEqual(expect.arrayContaining(['release.pack_uploaded', 'directive.published', 'credits.grant_issued']));
  }, 180_000);
});
