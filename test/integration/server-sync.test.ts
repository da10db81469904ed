/**
 * The central server on 127.0.0.1 with real benches (each its own data dir, store, key, log and outbox),
 * against SQLite and PostgreSQL. After every fault the server must hold exactly what the benches
 * acknowledged, once, and the benches must keep all their data.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { generateKeyPair, signDetached, encodeBase64 } from '../../trust/ed25519';
import { SyncError, sendSignedRequest } from '../../common/central-api/client';
import { enrolResponseSchema, logAckSchema, requestSigningMessage, signatureHeaders } from '../../common/central-api/protocol';
import type { CentralServer } from '../../server/central-server';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, callAs, finishedLogCheck, newEnrolmentCode, pullLog, startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { startFaultProxy } from '../helpers/fault-proxy';
import { tamperWith } from '../helpers/tamper';
import { useTempDirs } from '../helpers/temp-dir';
import { openTestBench, type TestBench } from '../helpers/test-bench';
import { LOG_BATCH_PATH, ENROL_PATH, supportLogPath } from '../../common/central-api/paths';
import { ADMIN_CODES_PATH } from '../../common/central-api/paths';

async function expectRefusal(promise: Promise<unknown>, code: string): Promise<SyncError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, `expected a ${code} refusal`).toBeInstanceOf(SyncError);
  expect((error as SyncError).code).toBe(code);
  return error as SyncError;
}

/** The server's copy equals the bench's log up to `throughSeq`, entry by entry, each once. */
async function expectServerHolds(server: CentralServer, bench: TestBench, throughSeq: number): Promise<void> {
  const pulled = await pullLog(server.url, bench.identity.benchId);
  const local = bench.localEntries().filter((entry) => entry.seq <= throughSeq);
  expect(pulled.entries.map((e) => [e.seq, e.entryHash, e.payloadJson])).toEqual(local.map((e) => [e.seq, e.entryHash, e.payloadJson]));
  expect(pulled.integrity.ok).toBe(true);
}

describeEachDialect('central server sync', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase;
  let server: CentralServer;
  let clockOffsetMs = 0;
  const benches: TestBench[] = [];

  beforeEach(async () => {
    clockOffsetMs = 0;
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url, { now: () => new Date(Date.now() + clockOffsetMs) });
  });

  afterEach(async () => {
    for (const bench of benches.splice(0)) bench.close();
    await server.close();
    await database.drop();
  });

  async function enrolledBench(options: Parameters<typeof openTestBench>[1] = {}): Promise<TestBench> {
    const bench = openTestBench(tempDir(), options);
    benches.push(bench);
    await bench.outbox.enrol(server.url, await newEnrolmentCode(server.url));
    return bench;
  }

  it('enrols a bench with a one-time code and refuses every misuse of codes by name', async () => {
    expect((await callAs(null, server.url, 'POST', ADMIN_CODES_PATH, {})).status).toBe(401);
    expect((await callAs('wrong-token-wrong-token-wrong-token-x', server.url, 'POST', ADMIN_CODES_PATH, {})).status).toBe(401);
    const asSupport = await callAs(TEST_SUPPORT_TOKEN, server.url, 'POST', ADMIN_CODES_PATH, {});
    expect(asSupport).toMatchObject({ status: 403, body: { ok: false, error: { code: 'FORBIDDEN' } } });

    const code = await newEnrolmentCode(server.url);
    const first = openTestBench(tempDir());
    const second = openTestBench(tempDir());
    benches.push(first, second);
    const enrolled = await first.outbox.enrol(server.url, code);
    // The server adopts the bench's own id, which is derived from its key.
    expect(enrolled.benchId).toBe(first.identity.benchId);
    expect((await server.repository.bench(first.identity.benchId))?.public_key).toBe(first.identity.publicKey);
    expect(first.outbox.backlog().serverUrl).toBe(server.url);

    await expectRefusal(second.outbox.enrol(server.url, code), 'ENROLMENT_CODE_USED');
    await expectRefusal(second.outbox.enrol(server.url, 'NOPE-NOPE-NOPE-NOPE'), 'ENROLMENT_CODE_UNKNOWN');
    await expectRefusal(first.outbox.enrol(server.url, await newEnrolmentCode(server.url)), 'ALREADY_ENROLLED');

    const shortLived = (await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', ADMIN_CODES_PATH, { ttlMinutes: 1 })).body as { code: string };
    clockOffsetMs = 2 * 60_000;
    await expectRefusal(second.outbox.enrol(server.url, shortLived.code), 'ENROLMENT_CODE_EXPIRED');
    clockOffsetMs = 0;

    // A bench id that is not the key's own is refused, and so is an enrolment signed by another key.
    const stranger = generateKeyPair();
    await expectRefusal(
      sendSignedRequest({
        serverUrl: server.url,
        identity: { benchId: second.identity.benchId, sign: (m) => signDetached(m, stranger.secretKey) },
        method: 'POST',
        path: ENROL_PATH,
        body: { code: await newEnrolmentCode(server.url), benchId: second.identity.benchId, publicKey: encodeBase64(stranger.publicKey) },
        responseSchema: enrolResponseSchema,
        timeoutMs: 5000,
      }),
      'INVALID_REQUEST',
    );
    expect(await server.repository.bench(second.identity.benchId)).toBeNull();
  });

  it('syncs several benches in bounded batches, each log exactly once, with its integrity verified', async () => {
    const fleet = [await enrolledBench({ maxBatchEntries: 7 }), await enrolledBench({ maxBatchEntries: 50 }), await enrolledBench({ maxBatchBytes: 2000 })];
    fleet.forEach((bench, index) => bench.append(40 + index * 13, 10));
    const outcomes = await Promise.all(fleet.map((bench) => bench.outbox.drain({ maxDurationMs: 30_000 })));
    for (const [index, bench] of fleet.entries()) {
      const outcome = outcomes[index];
      expect(outcome?.stopped).toBe('idle');
      const head = bench.store.integrityLog.head()?.seq ?? 0;
      expect(head).toBe(40 + index * 13);
      expect(bench.outbox.backlog()).toMatchObject({ unsentEntries: 0, unsentCheckpoints: 0, ackedEntrySeq: head, lastError: null, blocked: false });
      await expectServerHolds(server, bench, head);
      const pulled = await pullLog(server.url, bench.identity.benchId);
      expect(pulled.integrity).toMatchObject({ ok: true, sealedThrough: Math.floor(head / 10) * 10 });
      expect(pulled.entries.at(-1)?.integrity).toBe(head % 10 === 0 ? 'sealed' : 'unsealed');
    }
    // The first bench's 40 entries in batches of at most 7.
    expect(outcomes[0]?.batches).toBe(Math.ceil(40 / 7));

    // A checkpoint signed after its entry was sent travels with that entry again, and the server seals it.
    const late = fleet[0] as TestBench;
    late.append(3);
    await late.outbox.drain();
    expect((await pullLog(server.url, late.identity.benchId)).integrity).toMatchObject({ ok: true, sealedThrough: 40 });
    late.log.checkpoint();
    expect(late.outbox.backlog().unsentCheckpoints).toBe(1);
    expect(late.outbox.nextBatch()?.entries.map((e) => e.seq)).toEqual([43]);
    await late.outbox.drain();
    expect((await pullLog(server.url, late.identity.benchId)).integrity).toMatchObject({ ok: true, entries: 43, sealedThrough: 43 });
    expect(late.outbox.backlog()).toMatchObject({ unsentEntries: 0, unsentCheckpoints: 0 });
  });

  it('answers a re-sent batch with the same acknowledgement and stores it once', async () => {
    const bench = await enrolledBench();
    bench.append(12, 6);
    const batch = bench.outbox.nextBatch();
    if (!batch) throw new Error('no batch');
    const send = (body: { body: unknown } | { bodyJson: Buffer<ArrayBuffer> }) =>
      sendSignedRequest({ serverUrl: server.url, identity: bench.identity, method: 'POST', path: LOG_BATCH_PATH, ...body, responseSchema: logAckSchema, timeoutMs: 5000 });
    const firstAck = await send({ body: batch });
    // Sent again as the JSON's bytes (as a caller holding it serialized does): the same request to the server.
    const secondAck = await send({ bodyJson: Buffer.from(JSON.stringify(batch)) });
    expect(secondAck).toEqual(firstAck);
    expect(firstAck).toEqual({ benchId: bench.identity.benchId, throughSeq: 12, throughHash: bench.store.integrityLog.head()?.entryHash, checkpointsThrough: 12 });
    // The outbox did not record the hand-sent acknowledgement: it sends the batch a third time, harmlessly.
    expect((await bench.outbox.drain()).batches).toBe(1);
    await expectServerHolds(server, bench, 12);
    expect(await server.repository.alarms()).toEqual([]);
  });

  it('refuses forged and altered requests, and stores nothing from them', async () => {
    const bench = await enrolledBench();
    const other = await enrolledBench();
    bench.append(5);
    const batch = bench.outbox.nextBatch();
    const base = { serverUrl: server.url, method: 'POST' as const, path: LOG_BATCH_PATH, body: batch, responseSchema: logAckSchema, timeoutMs: 5000 };
    // Signed by another enrolled bench's key, under this bench's id.
    await expectRefusal(sendSignedRequest({ ...base, identity: { benchId: bench.identity.benchId, sign: other.identity.sign } }), 'BAD_SIGNATURE');
    // A key the server never saw.
    const stranger = generateKeyPair();
    await expectRefusal(sendSignedRequest({ ...base, identity: { benchId: bench.identity.benchId, sign: (m) => signDetached(m, stranger.secretKey) } }), 'BAD_SIGNATURE');
    // The body changed after signing.
    const time = new Date().toISOString();
    const signed = JSON.stringify(batch);
    const altered = signed.replace('"test.step"', '"test.stop"');
    expect(altered).not.toBe(signed);
    const signature = bench.identity.sign(requestSigningMessage({ method: 'POST', path: LOG_BATCH_PATH, body: signed, benchId: bench.identity.benchId, time, nonce: 'nonce-altered-1' }));
    const response = await fetch(new URL(LOG_BATCH_PATH, server.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [signatureHeaders.bench]: bench.identity.benchId,
        [signatureHeaders.time]: time,
        [signatureHeaders.nonce]: 'nonce-altered-1',
        [signatureHeaders.signature]: encodeBase64(signature),
      },
      body: altered,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'BAD_SIGNATURE' } });
    // No signature at all, and an unknown bench.
    const unsigned = await callAs(null, server.url, 'POST', LOG_BATCH_PATH, batch);
    expect(unsigned.body).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
    expect((await pullLog(server.url, bench.identity.benchId)).entries).toEqual([]);

    // The genuine bench is unaffected.
    await bench.outbox.drain();
    await expectServerHolds(server, bench, 5);
  });

  it('refuses a replayed request and a stale one', async () => {
    const bench = await enrolledBench();
    bench.append(4);
    const body = JSON.stringify(bench.outbox.nextBatch());
    const time = new Date().toISOString();
    const nonce = 'replayed-nonce-0001';
    const signature = encodeBase64(bench.identity.sign(requestSigningMessage({ method: 'POST', path: LOG_BATCH_PATH, body, benchId: bench.identity.benchId, time, nonce })));
    const replay = () =>
      fetch(new URL(LOG_BATCH_PATH, server.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [signatureHeaders.bench]: bench.identity.benchId,
          [signatureHeaders.time]: time,
          [signatureHeaders.nonce]: nonce,
          [signatureHeaders.signature]: signature,
        },
        body,
      });
    expect((await replay()).status).toBe(200);
    const second = await replay();
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: 'REPLAYED_REQUEST' } });

    const staleError = await expectRefusal(
      sendSignedRequest({
        serverUrl: server.url,
        identity: bench.identity,
        method: 'POST',
        path: LOG_BATCH_PATH,
        body: bench.outbox.nextBatch() ?? { entries: bench.localEntries(), checkpoints: [] },
        responseSchema: logAckSchema,
        timeoutMs: 5000,
        now: () => new Date(Date.now() - 10 * 60_000),
      }),
      'STALE_REQUEST',
    );
    expect(staleError.retryable).toBe(true);
    await expectServerHolds(server, bench, 4);
  });

  it('refuses a forked log with LOG_FORK, raises an alarm, and the bench keeps all its data', async () => {
    const bench = await enrolledBench();
    const bystander = await enrolledBench();
    bench.append(10, 5);
    bystander.append(6);
    await bench.outbox.drain();
    // Someone rewrites the bench's history after entry 5 and carries on logging.
    tamperWith(bench.dataDir, (db) => {
      db.prepare('DELETE FROM integrity_log WHERE seq > 5').run();
      db.prepare('DELETE FROM integrity_checkpoints WHERE seq > 5').run();
    });
    bench.append(8);
    const localBefore = bench.localEntries();
    expect(localBefore).toHaveLength(13);

    const outcome = await bench.outbox.drain();
    expect(outcome).toMatchObject({ stopped: 'blocked', lastError: { code: 'LOG_FORK' } });
    expect(bench.outbox.backlog()).toMatchObject({ blocked: true, lastError: { code: 'LOG_FORK' }, ackedEntrySeq: 10 });
    expect(bench.localEntries()).toEqual(localBefore);

    const alarms = await server.repository.alarms(bench.identity.benchId);
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ kind: 'LOG_FORK', detail: { firstSeq: 11 } });
    // The server still holds the 10 entries it acknowledged, not the rewritten ones.
    const pulled = await pullLog(server.url, bench.identity.benchId);
    expect(pulled.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(pulled.entries[6]?.entryHash).not.toBe(localBefore[6]?.entryHash);
    expect(pulled.integrity.ok).toBe(true);

    // Re-sending a rewritten entry the server already acknowledged is a fork as well.
    await expectRefusal(
      sendSignedRequest({
        serverUrl: server.url,
        identity: bench.identity,
        method: 'POST',
        path: LOG_BATCH_PATH,
        body: { entries: localBefore.slice(5, 7), checkpoints: [] },
        responseSchema: logAckSchema,
        timeoutMs: 5000,
      }),
      'LOG_FORK',
    );
    expect(await server.repository.alarms(bench.identity.benchId)).toHaveLength(2);

    await bystander.outbox.drain();
    await expectServerHolds(server, bystander, 6);
  });

  it('refuses the replay of a refused batch as a replay, without a second alarm', async () => {
    const bench = await enrolledBench({ maxBatchEntries: 3 });
    bench.append(9);
    await bench.outbox.drain({ maxBatches: 1 });
    const body = JSON.stringify({ entries: bench.localEntries().slice(5, 8), checkpoints: [] });
    const time = new Date().toISOString();
    const nonce = 'gap-request-nonce-1';
    const signature = encodeBase64(bench.identity.sign(requestSigningMessage({ method: 'POST', path: LOG_BATCH_PATH, body, benchId: bench.identity.benchId, time, nonce })));
    const send = async () => {
      const response = await fetch(new URL(LOG_BATCH_PATH, server.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [signatureHeaders.bench]: bench.identity.benchId,
          [signatureHeaders.time]: time,
          [signatureHeaders.nonce]: nonce,
          [signatureHeaders.signature]: signature,
        },
        body,
      });
      return ((await response.json()) as { error?: { code: string } }).error?.code;
    };
    expect(await send()).toBe('LOG_GAP');
    expect(await send()).toBe('REPLAYED_REQUEST');
    expect(await server.repository.alarms(bench.identity.benchId)).toHaveLength(1);
    await expectServerHolds(server, bench, 3);
  });

  it('syncs in the background until stopped, and at once when nudged', async () => {
    const bench = await enrolledBench();
    const waitForBacklog = async (seq: number) => {
      for (let i = 0; i < 500 && bench.outbox.backlog().ackedEntrySeq < seq; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    bench.append(5);
    bench.outbox.start(60_000);
    await waitForBacklog(5);
    expect(bench.outbox.backlog()).toMatchObject({ ackedEntrySeq: 5, unsentEntries: 0 });
    // The loop now sleeps for a minute; a nudge wakes it for the entries of a session just sealed.
    bench.append(3, 8);
    bench.outbox.nudge();
    await waitForBacklog(8);
    expect(bench.outbox.backlog()).toMatchObject({ ackedEntrySeq: 8, unsentEntries: 0, unsentCheckpoints: 0 });
    await bench.outbox.stop();
    bench.append(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bench.outbox.backlog()).toMatchObject({ ackedEntrySeq: 8, unsentEntries: 1 });
    await expectServerHolds(server, bench, 8);
  });

  it('refuses a gap with LOG_GAP and an alarm, then accepts the missing part', async () => {
    const bench = await enrolledBench({ maxBatchEntries: 5 });
    bench.append(12);
    await bench.outbox.drain({ maxBatches: 1 });
    expect(bench.outbox.backlog().ackedEntrySeq).toBe(5);
    const entries = bench.localEntries();
    await expectRefusal(
      sendSignedRequest({
        serverUrl: server.url,
        identity: bench.identity,
        method: 'POST',
        path: LOG_BATCH_PATH,
        body: { entries: entries.slice(7, 10), checkpoints: [] },
        responseSchema: logAckSchema,
        timeoutMs: 5000,
      }),
      'LOG_GAP',
    );
    expect(await server.repository.alarms(bench.identity.benchId)).toMatchObject([{ kind: 'LOG_GAP', detail: { firstSeq: 8, serverHead: 5 } }]);
    await expectServerHolds(server, bench, 5);
    await bench.outbox.drain();
    await expectServerHolds(server, bench, 12);
  });

  it("shows entries altered in the server's database as broken where they are read, and the admin's re-check finds them", async () => {
    const bench = await enrolledBench();
    bench.append(11, 4);
    await bench.outbox.drain();
    expect((await pullLog(server.url, bench.identity.benchId)).integrity).toMatchObject({ ok: true, entries: 11, sealedThrough: 8, unsealedEntries: 3 });

    // Someone with database access edits entry 6 on the server.
    const statement = "UPDATE log_entries SET payload_json = '{\"n\":666}' WHERE bench_id = $1 AND seq = 6";
    if (dialect === 'sqlite') {
      const db = new Database(database.url.slice('sqlite:'.length));
      db.prepare(statement.replace('$1', '?')).run(bench.identity.benchId);
      db.close();
    } else {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query(statement, [bench.identity.benchId]);
      await client.end();
    }
    const pulled = await pullLog(server.url, bench.identity.benchId);
    expect(pulled.integrity).toMatchObject({ ok: false, code: 'ENTRY_ALTERED', seq: 6 });
    expect(pulled.entries.map((e) => e.integrity)).toEqual(['sealed', 'sealed', 'sealed', 'sealed', 'unsealed', 'broken', 'broken', 'broken', 'broken', 'broken', 'broken']);
    // A page after the altered entry does not re-hash it: the admin's re-check finds it, and every read reports it from then on.
    const later = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${supportLogPath(bench.identity.benchId)}?fromSeq=9`);
    expect(later.body).toMatchObject({ integrity: { ok: true }, entries: [{ seq: 9, integrity: 'unsealed' }, { seq: 10 }, { seq: 11 }] });
    const check = await finishedLogCheck(server.url, bench.identity.benchId);
    expect(check).toMatchObject({ state: 'done', headSeq: 11, checkedThrough: 5, verdict: { ok: false, code: 'ENTRY_ALTERED', seq: 6 } });
    const afterCheck = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${supportLogPath(bench.identity.benchId)}?fromSeq=9`);
    expect(afterCheck.body).toMatchObject({ integrity: { ok: false, code: 'ENTRY_ALTERED', seq: 6 }, entries: [{ seq: 9, integrity: 'broken' }, { seq: 10, integrity: 'broken' }, { seq: 11, integrity: 'broken' }] });
  });

  it('rides out 5xx answers, timeouts and lost acknowledgements through a fault proxy, storing each entry once', async () => {
    const bench = await enrolledBench({ maxBatchEntries: 10, requestTimeoutMs: 400 });
    const proxy = await startFaultProxy(server.url, ['503', 'hang', 'lose-answer', 'forward', 'lose-answer', '503', 'hang']);
    try {
      bench.store.syncState.setEnrolment(proxy.url, new Date().toISOString(), new Date().toISOString());
      bench.append(30, 10);
      const outcome = await bench.outbox.drain({ maxAttempts: 10, maxDurationMs: 30_000 });
      expect(outcome).toMatchObject({ stopped: 'idle', batches: 3 });
      expect(outcome.attempts).toBe(3 + 6 + 1);
      expect(proxy.seen.slice(0, 7)).toEqual(['503', 'hang', 'lose-answer', 'forward', 'lose-answer', '503', 'hang']);
      expect(bench.outbox.backlog()).toMatchObject({ unsentEntries: 0, unsentCheckpoints: 0, lastError: null });
      await expectServerHolds(server, bench, 30);
      expect((await pullLog(server.url, bench.identity.benchId)).integrity).toMatchObject({ ok: true, sealedThrough: 30 });
      expect(await server.repository.alarms()).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  if (dialect === 'postgres') {
    it('keeps serving after PostgreSQL closes its connections (restart, failover)', async () => {
      const bench = await enrolledBench();
      bench.append(3);
      await bench.outbox.drain();
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      const killed = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      await admin.end();
      expect(killed.rowCount).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      bench.append(2);
      expect(await bench.outbox.drain()).toMatchObject({ stopped: 'idle' });
      await expectServerHolds(server, bench, 5);
    });
  }

  it('refuses every request of a revoked bench by name; the bench keeps its data, other benches go on', async () => {
    const bench = await enrolledBench();
    const bystander = await enrolledBench();
    bench.append(4);
    await bench.outbox.drain();
    bench.append(3);
    bystander.append(3);

    expect((await callAs(TEST_SUPPORT_TOKEN, server.url, 'POST', `/api/v1/admin/benches/${bench.identity.benchId}/revoke`, { reason: 'stolen' })).status).toBe(403);
    const revoked = await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', `/api/v1/admin/benches/${bench.identity.benchId}/revoke`, { reason: 'bench reported stolen' });
    expect(revoked).toMatchObject({ status: 200, body: { status: 'revoked', reason: 'bench reported stolen' } });

    const outcome = await bench.outbox.drain();
    expect(outcome).toMatchObject({ stopped: 'blocked', lastError: { code: 'BENCH_REVOKED' } });
    expect(bench.outbox.backlog()).toMatchObject({ blocked: true, unsentEntries: 3 });
    expect(bench.localEntries()).toHaveLength(7);
    const pulled = await pullLog(server.url, bench.identity.benchId);
    expect(pulled).toMatchObject({ benchStatus: 'revoked' });
    expect(pulled.entries).toHaveLength(4);

    await bystander.outbox.drain();
    await expectServerHolds(server, bystander, 3);
  });
});
