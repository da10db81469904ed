/**
 * Text the databases agree on: every string the server stores is refused at the HTTP boundary when it holds
 * a NUL or a lone UTF-16 surrogate, with INVALID_REQUEST naming the field, the same on SQLite and PostgreSQL
 * (PostgreSQL used to answer 500 "invalid byte sequence"). A bench's log batch with such a payload is refused
 * as final (LOG_INVALID: the outbox stops instead of retrying for ever) and raises an alarm.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { TEST_ADMIN_TOKEN, TEST_RELEASE_TOKEN, callAs, newEnrolmentCode, pullLog, startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { openTestBench, type TestBench } from '../helpers/test-bench';
import { ADMIN_CODES_PATH, ADMIN_EVIDENCE_PATH, ADMIN_GRANTS_PATH, PROTOCOL_PREFIX, RELEASE_NOTICES_PATH } from '../../common/central-api/paths';

const NUL_TEXT = 'before\u0000after';
const LONE_SURROGATE_TEXT = 'before\ud800after';

describeEachDialect('text the databases agree on', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase;
  let server: CentralServer;
  const benches: TestBench[] = [];

  beforeEach(async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url);
  });

  afterEach(async () => {
    for (const bench of benches.splice(0)) bench.close();
    await server.close();
    await database.drop();
  });

  async function enrolledBench(): Promise<TestBench> {
    const bench = openTestBench(tempDir());
    benches.push(bench);
    await bench.outbox.enrol(server.url, await newEnrolmentCode(server.url));
    return bench;
  }

  function expectInvalid(answer: { status: number; body: unknown }, field: string): void {
    expect(answer.status).toBe(400);
    const error = (answer.body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toContain(`${field}: `);
  }

  it('refuses NUL and lone surrogates in every stored text of the token API with INVALID_REQUEST naming the field', async () => {
    for (const text of [NUL_TEXT, LONE_SURROGATE_TEXT]) {
      expectInvalid(await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', ADMIN_CODES_PATH, { ttlMinutes: 10, note: text }), 'note');
      const bench = `bench-${'0'.repeat(16)}`;
      expectInvalid(await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', `${PROTOCOL_PREFIX}/admin/benches/${bench}/revoke`, { reason: text }), 'reason');
      expectInvalid(await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', ADMIN_GRANTS_PATH, { benchId: bench, credits: 5, note: text }), 'note');
      const notice = { family: 'denso-like-g3', version: '1.1.0', channel: 'canary', message: 'ok', actor: 'ana', ticket: 'T-1' };
      expectInvalid(await callAs(TEST_RELEASE_TOKEN, server.url, 'POST', RELEASE_NOTICES_PATH, { ...notice, message: text }), 'message');
      expectInvalid(await callAs(TEST_RELEASE_TOKEN, server.url, 'POST', RELEASE_NOTICES_PATH, { ...notice, actor: text }), 'actor');
      expectInvalid(await callAs(TEST_ADMIN_TOKEN, server.url, 'GET', `${ADMIN_EVIDENCE_PATH}?action=${encodeURIComponent('a\u0000b')}`), 'action');
    }
  });

  it('answers a sign-in name with a NUL with the normal 400 refusal page, not 500', async () => {
    const response = await fetch(new URL('/support/sign-in', server.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams({ name: NUL_TEXT, token: 'whatever' }).toString(),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Invalid sign-in: name: contains a NUL character');
  });

  for (const [what, text] of [
    ['a NUL', NUL_TEXT],
    ['a lone surrogate', LONE_SURROGATE_TEXT],
  ] as const) {
    it(`refuses a log batch whose payload holds ${what} as final (LOG_INVALID) with an alarm; the entries before it are stored`, async () => {
      const bench = await enrolledBench();
      bench.append(3);
      await bench.outbox.drain();
      bench.log.append('test.step', { note: text });
      bench.append(2);

      const outcome = await bench.outbox.drain();
      expect(outcome).toMatchObject({ stopped: 'blocked', lastError: { code: 'LOG_INVALID' } });
      expect(outcome.attempts).toBe(1);
      const alarms = await server.repository.alarms(bench.identity.benchId);
      expect(alarms).toHaveLength(1);
      expect(alarms[0]).toMatchObject({ kind: 'LOG_INVALID', detail: { seq: 4, firstSeq: 4 } });
      expect((await pullLog(server.url, bench.identity.benchId)).entries.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    });
  }
});
