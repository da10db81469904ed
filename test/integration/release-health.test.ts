/**
 * Canary health from several real benches (on the canary channel, sessions against virtual benches,
 * synced), and `injbench release promote --server` gated on it: refused for too few sessions, inside the
 * soak window and before the notice period, allowed once they are met, and an override recorded on the
 * server with its reason and ticket. SQLite and PostgreSQL.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { readReleasePolicyFile } from '../../server/releases/release-policy';
import type { ReleaseDecision, ReleaseHealth } from '../../server/store/release-health-repository';
import { developmentKeys } from '../../trust/demo-repository';
import { writeKeyFile } from '../../trust/keys';
import { latestRoot, readIndex } from '../../trust/repository';
import { keyRoles } from '../../trust/schemas';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, callAs, startTestServer } from '../helpers/central-server';
import { copyOfDemoRepository, openFleetBench, type FleetBench } from '../helpers/fleet-bench';
import { runCli } from '../helpers/sim-process';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { PROMOTIONS_PATH, releaseHealthPath } from '../../common/central-api/paths';

const FAMILY = 'bosch-like-cri';
const CANARY = '1.1.0';
const HOUR_MS = 3_600_000;

describeEachDialect('canary health and promotion gates', (dialect) => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase;
  let server: CentralServer;
  let clockOffsetMs = 0;
  const benches: FleetBench[] = [];
  let repo: string;
  let keys: string;
  let publishedAt: string;
  const statuses: string[] = [];

  beforeAll(async () => {
    const work = tempDir();
    const policyFile = path.join(work, 'release-policy.json');
    writeFileSync(policyFile, JSON.stringify({ channels: { staged: { minSessions: 6, minPassRate: 0.6, maxAbortRate: 0.2 }, stable: { minSessions: 50 } } }));
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url, { now: () => new Date(Date.now() + clockOffsetMs), releases: { policy: readReleasePolicyFile(policyFile) } });
    for (let i = 0; i < 3; i += 1) benches.push(await openFleetBench(tempDir(), server.url, { channel: 'canary' }));
    const [one, two, three] = benches as [FleetBench, FleetBench, FleetBench];
    const run = async (bench: FleetBench, serial: string, options?: Parameters<FleetBench['runSession']>[1]) => {
      const report = await bench.runSession(serial, options);
      statuses.push(`${report.status}/${report.verdict ?? report.reason?.code}`);
    };
    await run(one, 'INJ-H-0001');
    await run(one, 'INJ-H-0002');
    await run(two, 'INJ-H-0003');
    await run(two, 'INJ-H-0004', { faults: { highLeak: true } });
    await run(three, 'INJ-H-0005');
    await run(three, 'INJ-H-0006', { abortAfterMs: 150 });
    for (const bench of benches) await bench.sync();
    repo = copyOfDemoRepository(work);
    keys = path.join(work, 'keys');
    const devKeys = developmentKeys();
    for (const role of keyRoles) writeKeyFile(keys, role, devKeys[role], true);
    publishedAt = readIndex(repo, FAMILY, latestRoot(repo).root)?.versions[CANARY]?.published_at ?? '';
  }, 180_000);

  afterAll(async () => {
    for (const bench of benches) await bench.close();
    await server?.close();
    await database?.drop();
  });

  const cli = (...args: string[]) => runCli(args, { ...process.env, INJBENCH_SERVER_TOKEN: TEST_ADMIN_TOKEN }, 60_000);
  const promote = (to: string, ...extra: string[]) =>
    cli('release', 'promote', FAMILY, CANARY, '--to', to, '--repo', repo, '--keys', keys, '--actor', 'rm-ana', '--reason', 'canary healthy', '--ticket', 'CHG-7', '--server', server.url, ...extra);
  const channelsOf = async () => (await cli('release', 'status', '--repo', repo)).stdout;

  it('computes health per pack version from the sessions and activation reports of several benches', async () => {
    expect(statuses).toEqual(['completed/pass', 'completed/pass', 'completed/pass', 'completed/fail', 'completed/pass', 'aborted/ABORTED_BY_OPERATOR']);
    expect(publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const answer = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${releaseHealthPath(FAMILY, CANARY)}?publishedAt=${publishedAt}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const health = answer.body as ReleaseHealth;
    expect(health).toMatchObject({ family: FAMILY, version: CANARY, sessions: 6, passed: 4, failed: 1, aborted: 1, refused: 0, running: 0, benches: 3, publishedAt: new Date(publishedAt).toISOString() });
    expect(health.passRate).toBeCloseTo(4 / 6, 5);
    expect(health.abortRate).toBeCloseTo(1 / 6, 5);
    expect(health.errorClasses).toEqual([
      { errorClass: 'ABORTED_BY_OPERATOR', sessions: 1 },
      { errorClass: 'LEAK_FAIL', sessions: 1 },
    ]);
    // Every bench activated the canary pack after it was published.
    expect(health.activation).toMatchObject({ benches: 3, refusals: 0, successRate: 1 });
    expect(health.activation.medianSecondsToActivate).toBeGreaterThanOrEqual(0);
    expect(health.activation.maxSecondsToActivate).toBeGreaterThanOrEqual(health.activation.medianSecondsToActivate ?? Infinity);
    expect(health.secondsSincePublish).toBeGreaterThanOrEqual(0);
    // The stable version saw no session on these canary benches; an unknown version is all zeros.
    const stable = (await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', releaseHealthPath(FAMILY, '1.0.0'))).body as ReleaseHealth;
    expect(stable).toMatchObject({ sessions: 0, passRate: null, publishedAt: null, secondsSincePublish: null, activation: { benches: 0 } });
    expect((await callAs(null, server.url, 'GET', releaseHealthPath(FAMILY, CANARY))).status).toBe(401);
  });

  it('refuses a promote with too few sessions, naming each unmet gate and its numbers; the index is untouched', async () => {
    const before = await channelsOf();
    const refused = await promote('stable');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`injbench: PROMOTION_GATED: promotion of ${FAMILY} ${CANARY} to stable refused; unmet gate(s):`);
    expect(refused.stderr).toContain('sessions: required ≥ 50 finished sessions, actual 6 (4 passed, 1 failed, 1 aborted) on 3 bench(es). 44 more finished session(s) needed');
    expect(refused.stderr).toContain('soak: required 72 h on staged, actual unknown');
    expect(refused.stderr).toContain('notice: required a notice for stable published ≥ 24 h ahead, actual no notice');
    expect(refused.stdout).toMatch(/gate pass_rate\s+NOT MET required ≥ 95\.0 %; actual 66\.7 %/);
    expect(await channelsOf()).toBe(before);
  }, 120_000);

  it('refuses staged inside the soak window and before the notice period, then promotes once both have passed', async () => {
    const inSoak = await promote('staged');
    expect(inSoak.code).toBe(1);
    expect(inSoak.stderr).toMatch(/soak: required 24 h on canary, actual \d+\.\d h\. Published to canary/);
    expect(inSoak.stderr).toContain('notice: required a notice for staged published ≥ 24 h ahead, actual no notice');
    expect(inSoak.stderr).not.toContain('sessions:');

    const notice = await cli('release', 'notice', FAMILY, CANARY, '--server', server.url, '--channel', 'staged', '--message', 'Idle tolerance tightened; window Tuesday 06:00', '--actor', 'rm-ana', '--ticket', 'CHG-7');
    expect(notice.code, notice.stderr).toBe(0);
    expect(notice.stdout).toMatch(new RegExp(`^notice \\S+ for ${FAMILY} ${CANARY} -> staged published at `));
    const tooSoon = await promote('staged');
    expect(tooSoon.code).toBe(1);
    expect(tooSoon.stderr).toMatch(/notice: required a notice for staged published ≥ 24 h ahead, actual published 0\.\d h ago/);

    clockOffsetMs = 25 * HOUR_MS;
    const allowed = await promote('staged');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(new RegExp(`promoted ${FAMILY} ${CANARY} [0-9a-f]{64} to staged \\(index sequence \\d+\\); gates met, decision \\S+ recorded on ${server.url}`));
    expect(await channelsOf()).toMatch(new RegExp(`staged  ${CANARY} 100%`));
  }, 150_000);

  it('promotes with --override only with reason and ticket on the server, and records it as evidence', async () => {
    clockOffsetMs = 26 * HOUR_MS;
    expect((await promote('stable')).code).toBe(1);
    const noServer = await cli('release', 'promote', FAMILY, CANARY, '--to', 'stable', '--repo', repo, '--keys', keys, '--actor', 'rm-ana', '--reason', 'r', '--ticket', 't', '--override');
    expect(noServer.code, "a usage error").toBe(2);
    expect(noServer.stderr).toContain('--override needs --server');
    const overridden = await promote('stable', '--override', '--reason', 'fleet-wide recall needs the fix now', '--ticket', 'INC-42');
    expect(overridden.code, overridden.stderr).toBe(0);
    expect(overridden.stdout).toContain('OVERRIDDEN (soak, sessions, pass_rate, abort_rate, notice)');
    expect(await channelsOf()).toMatch(new RegExp(`stable  ${CANARY} 100%`));

    const decisions = (await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${PROMOTIONS_PATH}/${FAMILY}/${CANARY}`)).body as ReleaseDecision[];
    expect(decisions.map((d) => [d.channel, d.outcome, d.actor, d.ticket])).toEqual([
      ['staged', 'allowed', 'rm-ana', 'CHG-7'],
      ['stable', 'overridden', 'rm-ana', 'INC-42'],
    ]);
    expect(decisions[1]?.reason).toBe('fleet-wide recall needs the fix now');
    const unmet = (decisions[1]?.gates as { id: string; met: boolean; actual: string }[]).filter((gate) => !gate.met);
    expect(unmet.map((gate) => gate.id)).toEqual(['soak', 'sessions', 'pass_rate', 'abort_rate', 'notice']);
    // The server refuses an un-overridden promotion itself, whatever the client does.
    const direct = await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', PROMOTIONS_PATH, { family: FAMILY, version: CANARY, to: 'lts', actor: 'x', reason: 'y', ticket: 'z' });
    expect(direct).toMatchObject({ status: 409, body: { error: { code: 'PROMOTION_GATED' } } });
    expect((await callAs(TEST_SUPPORT_TOKEN, server.url, 'POST', PROMOTIONS_PATH, { family: FAMILY, version: CANARY, to: 'lts', actor: 'x', reason: 'y', ticket: 'z', override: true })).status).toBe(403);
  }, 120_000);
});
