/**
 * `injbench packs update --repo` and `injbench session run --repo` resolve through the release service with
 * the bench's local pins, like `packs refresh` and the app: separate CLI processes on a real bench data
 * directory, the demo repository on disk, the virtual bench on a pseudo-terminal.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBenchCore } from '../../electron/services/bench-core';
import { importCreditGrant } from '../../electron/services/credits/credit-service';
import { issueCreditGrant } from '../../trust/credit-grant';
import { buildDemoRepository, developmentKeys } from '../../trust/demo-repository';
import { bundledRootFile } from '../helpers/bundled-root';
import { projectRoot, runCli, startSimProcess, type SimProcess } from '../helpers/sim-process';
import { useTempDirs } from '../helpers/temp-dir';

const audit = ['--actor', 'Ana Admin', '--reason', 'try 1.1.0 on this bench', '--ticket', 'OPS-41'];
const sha = '[0-9a-f]{64}';

describe('packs update and session run --repo honour local pins', () => {
  const tempDir = useTempDirs('all');
  let repo: string;
  const sims: SimProcess[] = [];

  beforeAll(() => {
    repo = path.join(tempDir(), 'repo');
    buildDemoRepository({ sourceDir: path.join(projectRoot, 'resources', 'demo-source'), outDir: repo });
  });

  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
  });

  async function ok(args: string[]): Promise<string> {
    const run = await runCli(args, process.env, 60_000);
    expect(run.code, `injbench ${args.join(' ')}\n${run.stderr}`).toBe(0);
    return run.stdout;
  }

  /** A bench on the demo repository (stable 1.0.0 everywhere) with bosch-like-cri pinned to 1.1.0. */
  async function pinnedBench(name: string): Promise<string> {
    const dataDir = path.join(tempDir(), name);
    expect(await ok(['packs', 'refresh', '--dir', repo, '--data-dir', dataDir, ...audit])).toMatch(/^ACTIVATED bosch-like-cri 1\.0\.0$/m);
    expect(await ok(['packs', 'pin', '--family', 'bosch-like-cri', '--pin-version', '1.1.0', '--hours', '2', '--data-dir', dataDir, ...audit])).toMatch(/^PINNED bosch-like-cri: active 1\.1\.0/);
    return dataDir;
  }

  it('packs update keeps a pinned family on its pin and updates a family to a pin set since', async () => {
    const dataDir = await pinnedBench('update');
    // A pin set since the last resolution, straight in the bench's store (as another tool would leave it).
    const core = openBenchCore({ dataDir, bundledRootFile, appVersion: '0.1.0', production: false });
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    core.store.releases.setPin({ family: 'delphi-like-c2i', kind: 'version', channel: null, version: '1.1.0', sha256: null, actor: 'Ana Admin', reason: 'pinned elsewhere', ticket: 'OPS-42', startsAt: new Date().toISOString(), endsAt });
    core.close();

    const update = await ok(['packs', 'update', '--repo', repo, '--data-dir', dataDir]);
    expect(update).toMatch(new RegExp(`^ACTIVE bosch-like-cri 1\\.1\\.0 ${sha} \\(unchanged\\) via local pin to 1\\.1\\.0 until `, 'm'));
    expect(update).toMatch(new RegExp(`^ACTIVE delphi-like-c2i 1\\.1\\.0 ${sha} via local pin to 1\\.1\\.0 until ${endsAt.replace(/\./g, '\\.')}$`, 'm'));
    expect(update).toMatch(new RegExp(`^ACTIVE denso-like-g3 1\\.0\\.0 ${sha} \\(unchanged\\) via default channel stable$`, 'm'));
    expect(await ok(['packs', 'preflight', '--family', 'bosch-like-cri', '--data-dir', dataDir])).toMatch(/^READY bosch-like-cri 1\.1\.0 /);
    expect(await ok(['packs', 'preflight', '--family', 'delphi-like-c2i', '--data-dir', dataDir])).toMatch(/^READY delphi-like-c2i 1\.1\.0 /);
  });

  it('session run --repo codes on the pinned version', async () => {
    const dataDir = await pinnedBench('session');
    const core = openBenchCore({ dataDir, bundledRootFile, appVersion: '0.1.0', production: false });
    const { bytes } = issueCreditGrant({ benchId: core.identity.benchId, grantId: 'grant-cli-pins', credits: 10, validDays: 30, issuedAt: new Date() }, developmentKeys().credits);
    importCreditGrant({ benchId: core.identity.benchId, packs: core.packs, sessions: core.store.sessions, log: core.log, now: core.now }, bytes);
    core.close();
    const sim = await startSimProcess(['--pty', '--speed', '200']);
    sims.push(sim);

    const run = await runCli(['session', 'run', '--repo', repo, '--port', sim.address, '--part', 'SYN-0445110-001', '--serial', 'INJ-PIN-1', '--data-dir', dataDir], process.env, 60_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/^injbench: /m);
    expect(run.stderr).toMatch(/^gate pack pass: bosch-like-cri 1\.1\.0 verified now/m);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', verdict: 'pass', pack: { family: 'bosch-like-cri', version: '1.1.0' } });
  });
});
