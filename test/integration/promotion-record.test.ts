/**
 * `injbench release promote --server` signs the promotion locally first and records the decision on the
 * server second: a signing that fails leaves no decision on the server and the repository as it was; a
 * record the server does not make (a 503 through a fault proxy) puts the signed metadata back byte for byte
 * and says so in the evidence. SQLite and PostgreSQL.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import type { ReleaseDecision } from '../../server/store/release-health-repository';
import { developmentKeys } from '../../trust/demo-repository';
import { writeKeyFile } from '../../trust/keys';
import { keyRoles } from '../../trust/schemas';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, callAs, startTestServer } from '../helpers/central-server';
import { startFaultProxy } from '../helpers/fault-proxy';
import { copyOfDemoRepository } from '../helpers/fleet-bench';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { runCli } from '../helpers/sim-process';
import { useTempDirs } from '../helpers/temp-dir';
import { PROMOTIONS_PATH } from '../../common/central-api/paths';

const FAMILY = 'bosch-like-cri';
const CANARY = '1.1.0';
const METADATA = [path.join('index', `${FAMILY}.json`), 'snapshot.json', 'timestamp.json'];

describeEachDialect('promotion: sign locally, then record', (dialect) => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase;
  let server: CentralServer;
  let repo: string;
  let keys: string;

  beforeAll(async () => {
    const work = tempDir();
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url);
    repo = copyOfDemoRepository(work);
    keys = path.join(work, 'keys');
    const devKeys = developmentKeys();
    for (const role of keyRoles) writeKeyFile(keys, role, devKeys[role], true);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  const promote = (serverUrl: string) =>
    runCli(
      ['release', 'promote', FAMILY, CANARY, '--to', 'staged', '--repo', repo, '--keys', keys, '--actor', 'rm-ana', '--reason', 'hotfix', '--ticket', 'INC-9', '--server', serverUrl, '--override'],
      { ...process.env, INJBENCH_SERVER_TOKEN: TEST_ADMIN_TOKEN },
      60_000,
    );
  const metadata = () => METADATA.map((name) => readFileSync(path.join(repo, name)).toString('base64'));
  const decisions = async () => (await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${PROMOTIONS_PATH}/${FAMILY}/${CANARY}`)).body as ReleaseDecision[];

  it('records no promotion when signing fails part-way, and leaves the repository as it was', async () => {
    // The timestamp cannot be read back, so signing fails after the index was rewritten.
    const timestamp = path.join(repo, 'timestamp.json');
    const goodTimestamp = readFileSync(timestamp);
    writeFileSync(timestamp, 'not a signed timestamp');
    const before = metadata();
    const failed = await promote(server.url);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/gate sessions\s+NOT MET/);
    expect(failed.stderr).toMatch(/^injbench: /m);
    expect(metadata()).toEqual(before);
    expect(await decisions()).toEqual([]);
    writeFileSync(timestamp, goodTimestamp);
  }, 120_000);

  it('puts the signed metadata back when the server does not record the decision', async () => {
    // The gate check passes through; the record answers 503.
    const proxy = await startFaultProxy(server.url, ['forward', '503']);
    try {
      const before = metadata();
      const lost = await promote(proxy.url);
      expect(lost.code).toBe(1);
      expect(proxy.seen).toEqual(['forward', '503']);
      expect(lost.stderr).toMatch(/promotion of bosch-like-cri 1\.1\.0 to staged was not recorded on the server \(The server answered 503\.\); the signed index sequence \d+ was discarded and the repository is as it was/);
      expect(metadata()).toEqual(before);
      expect(await decisions()).toEqual([]);
      const evidence = readFileSync(path.join(repo, 'evidence.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { command: string; ticket?: string });
      expect(evidence.slice(-2).map((line) => [line.command, line.ticket])).toEqual([
        ['promote', 'INC-9'],
        ['promote_reverted', 'INC-9'],
      ]);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('records the decision once the index is signed', async () => {
    const before = metadata();
    const done = await promote(server.url);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/promoted bosch-like-cri 1\.1\.0 [0-9a-f]{64} to staged \(index sequence \d+\); OVERRIDDEN \(.*\), decision \S+ recorded on /);
    expect(metadata()[0]).not.toBe(before[0]);
    expect((await decisions()).map((d) => [d.channel, d.outcome, d.ticket])).toEqual([['staged', 'overridden', 'INC-9']]);
  }, 120_000);
});
