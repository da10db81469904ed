/**
 * Credits through the central server on 127.0.0.1, against SQLite and PostgreSQL: an admin issues a grant
 * (signed by the server with the credits key), the bench fetches it with a request signed by its own key
 * and books it, codes an injector against the virtual bench (a real process on TCP) with packs updated
 * from the server, syncs its log, and reconciliation finds it clean. A bench whose log shows a grant
 * booked twice, a session charged twice, a grant the server never issued or spending beyond its grants
 * is flagged, each finding raising one alarm however often reconciliation runs.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { openBenchCore, type BenchCore } from '../../electron/services/bench-core';
import { fetchCreditGrants } from '../../electron/services/credits/grant-fetch';
import { sessionEngineOn } from '../../electron/services/session/driver-session-engine';
import { SyncError, sendSignedRequest } from '../../common/central-api/client';
import { SyncOutbox } from '../../electron/services/sync/sync-outbox';
import { creditGrantsResponseSchema } from '../../common/central-api/protocol';
import { BenchDriver } from '../../native-bridge/driver';
import { publishRepositoryToServer } from '../../common/central-api/release-publish';
import type { CentralServer } from '../../server/central-server';
import { buildDemoRepository, developmentKeys } from '../../trust/demo-repository';
import { httpSource } from '../../trust/http-source';
import { TEST_ADMIN_TOKEN, TEST_RELEASE_TOKEN, TEST_SUPPORT_TOKEN, callAs, newEnrolmentCode, startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { projectRoot, startSimProcess, type SimProcess } from '../helpers/sim-process';
import { silentLogger } from '../helpers/silent-logger';
import { useTempDirs } from '../helpers/temp-dir';
import { CREDIT_GRANTS_PATH } from '../../common/central-api/paths';
import { ADMIN_GRANTS_PATH, ADMIN_RECONCILE_PATH } from '../../common/central-api/paths';

const PART = 'SYN-0445110-001';
const FAMILY = 'bosch-like-cri';

interface Reconciliation {
  benchId: string;
  issued: { grants: number; credits: number };
  booked: { grants: number; credits: number };
  spent: { sessions: number; credits: number };
  balance: number;
  findings: { kind: string; subject: string; seq: number; message: string }[];
  newFindings: number;
}

describeEachDialect('central server credits', (dialect) => {
  const tempDir = useTempDirs();
  const tempDirAll = useTempDirs('all');
  let repo: string;
  let sim: SimProcess;
  let database: TestDatabase;
  let server: CentralServer;
  const benches: BenchCore[] = [];

  beforeAll(async () => {
    repo = path.join(tempDirAll(), 'repo');
    buildDemoRepository({ sourceDir: path.join(projectRoot, 'resources', 'demo-source'), outDir: repo });
    sim = await startSimProcess(['--tcp', '127.0.0.1:0', '--speed', '200']);
  }, 60_000);

  afterAll(async () => {
    await sim?.stop();
  });

  beforeEach(async () => {
    database = await createTestDatabase(dialect, tempDir());
    // The demo root (bundled as resources/trust/root.json) names the development credits key.
    server = await startTestServer(database.url, { blobDir: path.join(tempDir(), 'blobs'), creditsKey: developmentKeys().credits });
    await publishRepositoryToServer({ repoDir: repo, serverUrl: server.url, token: TEST_RELEASE_TOKEN, actor: 'release-bot', print: () => undefined });
  });

  afterEach(async () => {
    for (const bench of benches.splice(0)) bench.close();
    await server.close();
    await database.drop();
  });

  async function enrolledBench(): Promise<{ bench: BenchCore; outbox: SyncOutbox }> {
    const bench = openBenchCore({ dataDir: tempDir(), bundledRootFile: path.join(projectRoot, 'resources', 'trust', 'root.json'), appVersion: '0.1.0', production: false });
    benches.push(bench);
    const outbox = new SyncOutbox({ store: bench.store, identity: bench.identity, integrityLog: bench.log, logger: silentLogger(), baseDelayMs: 20, maxDelayMs: 200 });
    await outbox.enrol(server.url, await newEnrolmentCode(server.url));
    return { bench, outbox };
  }

  async function issueGrant(benchId: string, credits: number): Promise<{ grantId: string }> {
    const answer = await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', ADMIN_GRANTS_PATH, { benchId, credits, note: 'order 42' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body as { grantId: string };
  }

  async function reconcile(benchId: string): Promise<Reconciliation> {
    const answer = await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', ADMIN_RECONCILE_PATH, { benchId });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const report = (answer.body as { benches: Reconciliation[] }).benches[0];
    if (!report) throw new Error('no report');
    return report;
  }

  it('grant issued, fetched by the bench, spent in a coding session, synced: reconciliation is clean', async () => {
    const { bench, outbox } = await enrolledBench();
    const benchId = bench.identity.benchId;
    const { grantId } = await issueGrant(benchId, 10);

    const fetched = await fetchCreditGrants(bench);
    expect(fetched).toMatchObject({ imported: [{ grantId, credits: 10 }], alreadyImported: [], refused: [], balance: 10 });
    // Fetching again books nothing twice.
    expect(await fetchCreditGrants(bench)).toMatchObject({ imported: [], alreadyImported: [grantId], balance: 10 });

    // A real coding session on a pack the bench took from the server.
    await bench.packs.update(httpSource(`${server.url}/api/v1/repository/`), FAMILY);
    const driver = await BenchDriver.open(sim.address);
    try {
      const engine = sessionEngineOn(bench, driver);
      const report = await engine.run({ partNumber: PART, serial: 'INJ-CREDIT-1', operatorId: null });
      expect(report).toMatchObject({ status: 'completed', verdict: 'pass', creditsDebited: 3 });
    } finally {
      await driver.close();
    }
    expect(bench.store.sessions.balance()).toBe(7);

    // Before the sync the server knows the grant but not the spend.
    expect(await reconcile(benchId)).toMatchObject({ issued: { grants: 1, credits: 10 }, booked: { grants: 0 }, spent: { credits: 0 }, findings: [] });
    const drained = await outbox.drain({ maxDurationMs: 30_000 });
    expect(drained.stopped).toBe('idle');
    const report = await reconcile(benchId);
    expect(report).toMatchObject({ issued: { grants: 1, credits: 10 }, booked: { grants: 1, credits: 10 }, spent: { sessions: 1, credits: 3 }, balance: 7, findings: [], newFindings: 0 });

    const grants = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${ADMIN_GRANTS_PATH}?benchId=${benchId}`);
    expect(grants.body).toMatchObject([{ grantId, benchId, credits: 10, note: 'order 42', firstFetchedAt: expect.any(String) }]);
  }, 90_000);

  it('flags a grant booked twice, a session charged twice, an unknown grant and an overspend, each alarmed once', async () => {
    const { bench, outbox } = await enrolledBench();
    const benchId = bench.identity.benchId;
    const { grantId } = await issueGrant(benchId, 10);
    await fetchCreditGrants(bench);
    // A bench whose software was tampered with writes what its ledger never would; its log still carries it.
    const expires = '2030-01-01T00:00:00Z';
    bench.log.append('session.completed', { sessionId: 'ses-a', verdict: 'pass', creditsDebited: 3 });
    bench.log.append('session.completed', { sessionId: 'ses-a', verdict: 'pass', creditsDebited: 3 });
    bench.log.append('credits.grant_imported', { grantId, credits: 10, expires });
    bench.log.append('credits.grant_imported', { grantId: 'grant-minted-at-home', credits: 500, expires });
    bench.log.append('session.completed', { sessionId: 'ses-b', verdict: 'pass', creditsDebited: 50 });
    bench.log.checkpoint();
    expect((await outbox.drain({ maxDurationMs: 30_000 })).stopped).toBe('idle');

    const report = await reconcile(benchId);
    expect(report.findings.map((f) => [f.kind, f.subject]).sort()).toEqual(
      [
        ['DOUBLE_SPEND', 'session:ses-a'],
        ['DOUBLE_SPEND', `grant:${grantId}`],
        ['UNKNOWN_GRANT', 'grant:grant-minted-at-home'],
        ['OVERSPEND', 'session:ses-b'],
      ].sort(),
    );
    expect(report).toMatchObject({ booked: { grants: 1, credits: 10 }, spent: { sessions: 3, credits: 56 }, balance: -46, newFindings: 4 });

    const alarms = async () => ((await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', '/api/v1/admin/alarms')).body as { benchId: string; kind: string }[]).filter((a) => a.benchId === benchId);
    expect((await alarms()).map((a) => a.kind).sort()).toEqual(['CREDITS_DOUBLE_SPEND', 'CREDITS_DOUBLE_SPEND', 'CREDITS_OVERSPEND', 'CREDITS_UNKNOWN_GRANT']);
    // Reconciling again finds the same, records nothing new.
    expect(await reconcile(benchId)).toMatchObject({ newFindings: 0 });
    expect(await alarms()).toHaveLength(4);
  }, 60_000);

  it('gives a bench only its own grants, through a signed request, and refuses grants without a credits key or for unknown benches', async () => {
    const first = await enrolledBench();
    const second = await enrolledBench();
    await issueGrant(first.bench.identity.benchId, 5);
    const answer = await sendSignedRequest({ serverUrl: server.url, identity: second.bench.identity, method: 'GET', path: CREDIT_GRANTS_PATH, responseSchema: creditGrantsResponseSchema, timeoutMs: 5000 });
    expect(answer).toEqual({ benchId: second.bench.identity.benchId, grants: [] });
    // Unsigned, or signed by a key that is not the enrolled one: refused.
    const unsigned = await fetch(new URL(CREDIT_GRANTS_PATH, server.url), { headers: { 'x-injbench-bench': first.bench.identity.benchId } });
    expect(unsigned.status).toBe(401);
    const impostor = { benchId: first.bench.identity.benchId, sign: (message: Uint8Array) => second.bench.identity.sign(message) };
    const forged = await sendSignedRequest({ serverUrl: server.url, identity: impostor, method: 'GET', path: CREDIT_GRANTS_PATH, responseSchema: creditGrantsResponseSchema, timeoutMs: 5000 }).catch((error: unknown) => error);
    expect(forged).toBeInstanceOf(SyncError);
    expect((forged as SyncError).code).toBe('BAD_SIGNATURE');

    const unknown = await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', ADMIN_GRANTS_PATH, { benchId: 'bench-0000000000000000', credits: 5 });
    expect(unknown.status).toBe(404);
    expect((await callAs(TEST_SUPPORT_TOKEN, server.url, 'POST', ADMIN_GRANTS_PATH, { benchId: first.bench.identity.benchId, credits: 5 })).status).toBe(403);

    const keyless = await startTestServer(`sqlite:${path.join(tempDir(), 'keyless.sqlite')}`, { blobDir: path.join(tempDir(), 'blobs') });
    try {
      const refused = await callAs(TEST_ADMIN_TOKEN, keyless.url, 'POST', ADMIN_GRANTS_PATH, { benchId: first.bench.identity.benchId, credits: 5 });
      expect(refused.status).toBe(503);
      expect((refused.body as { error: { code: string } }).error.code).toBe('NOT_CONFIGURED');
    } finally {
      await keyless.close();
    }
  }, 60_000);
});
