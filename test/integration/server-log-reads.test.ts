/**
 * Support reads of a bench's stored log cost what they return: a page is read by primary-key range with its
 * sealing checkpoint and only the page is re-hashed; the whole-log re-check is an admin action that runs in
 * the background and reports its progress. On SQLite and PostgreSQL, through the server as it ships.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { adminLogCheckPath, adminLogChecksPath, supportLogPath } from '../../common/central-api/paths';
import type { CentralServer } from '../../server/central-server';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, callAs, finishedLogCheck, startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { storeValidLog } from '../helpers/stored-log';
import { useTempDirs } from '../helpers/temp-dir';

interface Page {
  integrity: { ok: boolean; code?: string; seq?: number; entries?: number; sealedThrough?: number };
  sealingCheckpoint: { seq: number; entryHash: string } | null;
  entries: { seq: number; entryHash: string; integrity: string }[];
  nextFromSeq: number | null;
}

describeEachDialect('support log reads', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase;
  let server: CentralServer;

  beforeEach(async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url);
  });

  afterEach(async () => {
    await server.close();
    await database.drop();
  });

  /** What someone with write access to the server's database could do behind its back. */
  async function alterDatabase(statement: string, benchId: string): Promise<void> {
    if (dialect === 'sqlite') {
      const db = new Database(database.url.slice('sqlite:'.length));
      db.prepare(statement.replaceAll('$1', '?')).run(benchId);
      db.close();
      return;
    }
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(statement, [benchId]);
    await client.end();
  }

  async function page(benchId: string, fromSeq: number, limit: number): Promise<Page> {
    const answer = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${supportLogPath(benchId)}?fromSeq=${fromSeq}&limit=${limit}`);
    expect(answer.status).toBe(200);
    return answer.body as Page;
  }

  it('pages through a log by sequence, each page with its sealing checkpoint and the integrity ingest verified', async () => {
    const log = await storeValidLog(server.repository, { entries: 26, sealEvery: 4 });
    const pulled: Page['entries'] = [];
    const sealing: (number | null)[] = [];
    let fromSeq: number | null = 1;
    while (fromSeq !== null) {
      const answer = await page(log.benchId, fromSeq, 7);
      expect(answer.integrity).toMatchObject({ ok: true, entries: 26, sealedThrough: 24 });
      pulled.push(...answer.entries);
      sealing.push(answer.sealingCheckpoint?.seq ?? null);
      fromSeq = answer.nextFromSeq;
    }
    expect(pulled.map((e) => e.seq)).toEqual(Array.from({ length: 26 }, (_, i) => i + 1));
    expect(pulled.map((e) => e.entryHash)).toEqual(log.hashes);
    expect(pulled.map((e) => e.integrity)).toEqual(Array.from({ length: 26 }, (_, i) => (i + 1 <= 24 ? 'sealed' : 'unsealed')));
    // Pages 1-7, 8-14, 15-21 are sealed by the checkpoints at 8, 16, 24; the last page (22-26) is not sealed yet.
    expect(sealing).toEqual([8, 16, 24, null]);
    // A page ending on a checkpoint is sealed by it; one ending after the last checkpoint is not sealed.
    expect((await page(log.benchId, 5, 4)).sealingCheckpoint?.seq).toBe(8);
    expect((await page(log.benchId, 20, 10)).sealingCheckpoint).toBeNull();
  });

  it('shows a deleted entry as missing on the pages that reach it, and the re-check finds it', async () => {
    const log = await storeValidLog(server.repository, { entries: 20, sealEvery: 5 });
    await alterDatabase('DELETE FROM log_entries WHERE bench_id = $1 AND seq = 12', log.benchId);
    const containing = await page(log.benchId, 8, 10);
    expect(containing.integrity).toMatchObject({ ok: false, code: 'ENTRY_MISSING', seq: 12 });
    expect(containing.entries.map((e) => [e.seq, e.integrity])).toEqual([
      [8, 'sealed'],
      [9, 'sealed'],
      [10, 'sealed'],
      [11, 'unsealed'],
      [13, 'broken'],
      [14, 'broken'],
      [15, 'broken'],
      [16, 'broken'],
      [17, 'broken'],
    ]);
    // The page starting right after it misses the entry its chain starts from.
    expect((await page(log.benchId, 13, 5)).integrity).toMatchObject({ ok: false, code: 'ENTRY_MISSING', seq: 12 });
    expect(await finishedLogCheck(server.url, log.benchId)).toMatchObject({ state: 'done', verdict: { ok: false, code: 'ENTRY_MISSING', seq: 12 } });
    expect((await page(log.benchId, 1, 5)).entries.map((e) => e.integrity)).toEqual(['sealed', 'sealed', 'sealed', 'sealed', 'sealed']);
  });

  it("leaves checkpoint signatures to ingest and the admin's re-check, which finds a forged one", async () => {
    const log = await storeValidLog(server.repository, { entries: 12, sealEvery: 3 });
    await alterDatabase(`UPDATE log_checkpoints SET signature = '${Buffer.alloc(64, 7).toString('base64')}' WHERE bench_id = $1 AND seq = 9`, log.benchId);
    expect((await page(log.benchId, 1, 12)).integrity).toMatchObject({ ok: true });
    expect(await finishedLogCheck(server.url, log.benchId)).toMatchObject({ state: 'done', checkedThrough: 8, verdict: { ok: false, code: 'BAD_CHECKPOINT_SIGNATURE', seq: 9 } });
    const after = await page(log.benchId, 1, 12);
    expect(after.integrity).toMatchObject({ ok: false, code: 'BAD_CHECKPOINT_SIGNATURE', seq: 9 });
    expect(after.entries.map((e) => e.integrity)).toEqual(['sealed', 'sealed', 'sealed', 'sealed', 'sealed', 'sealed', 'unsealed', 'unsealed', 'broken', 'broken', 'broken', 'broken']);
  });

  it('runs the re-check in the background with its progress, for admins only, one at a time per bench', async () => {
    const log = await storeValidLog(server.repository, { entries: 12_000, sealEvery: 13 });
    expect((await callAs(TEST_SUPPORT_TOKEN, server.url, 'POST', adminLogChecksPath(log.benchId))).status).toBe(403);
    expect((await callAs(null, server.url, 'POST', adminLogChecksPath(log.benchId))).status).toBe(401);
    expect((await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', adminLogChecksPath('bench-0000000000000000'))).status).toBe(404);

    const started = await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', adminLogChecksPath(log.benchId));
    expect(started).toMatchObject({ status: 202, body: { state: 'running', headSeq: 12_000 } });
    const { checkId } = started.body as { checkId: string };
    // Asked again while it runs, the server hands back the same check instead of starting a second one.
    expect((await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', adminLogChecksPath(log.benchId))).body).toMatchObject({ checkId });
    const seen: number[] = [];
    let state = 'running';
    while (state === 'running') {
      // The server keeps answering while it checks.
      expect((await callAs(null, server.url, 'GET', '/healthz')).status).toBe(200);
      const answer = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', adminLogCheckPath(log.benchId, checkId));
      const check = answer.body as { state: string; checkedThrough: number; progress: number };
      seen.push(check.checkedThrough);
      state = check.state;
    }
    expect(seen.at(-1)).toBe(12_000);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const listed = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', adminLogChecksPath(log.benchId));
    expect(listed.body).toMatchObject({ checks: [{ checkId, state: 'done', progress: 1, verdict: { ok: true, entries: 12_000, sealedThrough: 11_999, unsealedEntries: 1 } }] });
    expect((await callAs(TEST_ADMIN_TOKEN, server.url, 'GET', adminLogCheckPath(log.benchId, '00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    expect((await callAs(TEST_ADMIN_TOKEN, server.url, 'GET', adminLogCheckPath(log.benchId, 'not-a-check'))).status).toBe(400);
  });
});
