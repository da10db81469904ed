/**
 * Admission control of log batches, on the server as it ships (its default bound, before it has measured its capacity): past the bound of
 * batches in progress a batch is answered 429 with Retry-After without being parsed or checked, and the
 * bench's outbox waits that long, sends again, and loses nothing. A shed batch whose body arrives in time is
 * answered on a connection kept open, so the outbox sends again on the same connection; one whose body is
 * unbounded, over the limit or too slow has its connection closed. A batch that waited too long inside the
 * server (here: behind a database held by another transaction) is shed before its write, the same way.
 */
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { LOG_BATCH_PATH } from '../../common/central-api/paths';
import type { CentralServer } from '../../server/central-server';
import { MAX_BATCH_BYTES } from '../../common/central-api/protocol';
import { INITIAL_INGEST_IN_FLIGHT, DEFAULT_MAX_WAIT_SECONDS, DEFAULT_RETRY_AFTER_SECONDS, DEFAULT_TARGET_WAIT_SECONDS, SHED_BODY_WITHIN_SECONDS } from '../../server/sync/ingest-admission';
import { TEST_ADMIN_TOKEN, newEnrolmentCode, pullLog, startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { openTestBench, type TestBench } from '../helpers/test-bench';

/**
 * A log batch whose headers arrive and whose body never does (by default a declared 1 MB of which 1 byte is
 * sent): the server holds it in progress. `framing` and `sent` change the body's framing header and what of it is sent.
 */
function stalledBatch(serverUrl: string, framing = 'Content-Length: 1000000', sent = '{'): Promise<{ socket: Socket; answer: Promise<string> }> {
  const url = new URL(serverUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`POST ${LOG_BATCH_PATH} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n${sent}`);
      let received = '';
      const answer = new Promise<string>((settle) => {
        socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        socket.on('close', () => settle(received));
        socket.on('error', () => settle(received));
      });
      resolve({ socket, answer });
    });
    socket.once('error', reject);
  });
}

describeEachDialect('log batch admission control', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase;
  let server: CentralServer;
  const held: Socket[] = [];
  const benches: TestBench[] = [];

  beforeEach(async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    for (const socket of held.splice(0)) socket.destroy();
    for (const bench of benches.splice(0)) bench.close();
    await server.close();
    await database.drop();
  });

  async function holdTheBound(): Promise<void> {
    for (let i = 0; i < INITIAL_INGEST_IN_FLIGHT; i += 1) held.push((await stalledBatch(server.url)).socket);
    // Every held batch has been admitted once the server answers the next one at once.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  it('sheds a batch past the bound with 429 and Retry-After and closes its connection when its body does not arrive in time, and takes batches again once below', async () => {
    await holdTheBound();
    const started = performance.now();
    const shed = await stalledBatch(server.url);
    const answer = await shed.answer;
    expect(performance.now() - started).toBeLessThan(SHED_BODY_WITHIN_SECONDS * 1000 + 5000);
    expect(answer).toMatch(/^HTTP\/1\.1 429 /);
    expect(answer).toMatch(new RegExp(`\\r\\nretry-after: ${DEFAULT_RETRY_AFTER_SECONDS}\\r\\n`, 'i'));
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toContain('"code":"OVERLOADED"');

    held.splice(0).forEach((socket) => socket.destroy());
    const bench = openTestBench(tempDir());
    benches.push(bench);
    await bench.outbox.enrol(server.url, await newEnrolmentCode(server.url));
    bench.append(5, 5);
    // Released when their connections ended: a batch is admitted again.
    await expect.poll(async () => (await bench.outbox.drain({ maxAttempts: 1 })).stopped, { timeout: 5000 }).toBe('idle');
    expect(bench.outbox.backlog()).toMatchObject({ unsentEntries: 0 });
  });

  it('answers a shed batch on a connection kept open once its whole body has arrived, and closes one with no length or a length over the limit without reading it', async () => {
    await holdTheBound();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const url = new URL(server.url);
    const send = (method: string, path: string, body?: Buffer) =>
      new Promise<{ response: IncomingMessage; text: string; reusedSocket: boolean }>((resolve, reject) => {
        const request = httpRequest({ host: url.hostname, port: url.port, method, path, agent, headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {} }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve({ response, text, reusedSocket: request.reusedSocket }));
        });
        request.on('error', reject);
        request.end(body);
      });
    try {
      const shed = await send('POST', LOG_BATCH_PATH, Buffer.from(JSON.stringify({ entries: [], checkpoints: [], pad: 'x'.repeat(200_000) })));
      expect(shed.response.statusCode).toBe(429);
      expect(shed.response.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
      expect(shed.response.headers.connection).not.toBe('close');
      expect(shed.text).toContain('"code":"OVERLOADED"');
      const next = await send('GET', '/healthz');
      expect(next.response.statusCode).toBe(200);
      expect(next.reusedSocket).toBe(true);
    } finally {
      agent.destroy();
    }

    for (const [framing, sent] of [['Transfer-Encoding: chunked', '1\r\n{\r\n'], [`Content-Length: ${MAX_BATCH_BYTES * 2}`, '{']] as const) {
      const started = performance.now();
      const stalled = await stalledBatch(server.url, framing, sent);
      held.push(stalled.socket);
      const answer = await stalled.answer;
      // Not waited for: answered long before a slow body would have had its time.
      expect(performance.now() - started).toBeLessThan(SHED_BODY_WITHIN_SECONDS * 1000);
      expect(answer).toMatch(/^HTTP\/1\.1 429 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    }
  });

  it("has the bench's outbox wait what the server asked, send again on the same connection, and lose nothing", async () => {
    const waits: number[] = [];
    const bench = openTestBench(tempDir(), { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, (waits.push(ms), ms))) });
    benches.push(bench);
    await bench.outbox.enrol(server.url, await newEnrolmentCode(server.url));
    bench.append(30, 10);
    await holdTheBound();
    const batchSockets: unknown[] = [];
    const statuses: number[] = [];
    server.app.server.on('request', (request: IncomingMessage, response) => {
      if (request.url !== LOG_BATCH_PATH) return;
      batchSockets.push(request.socket);
      response.on('finish', () => statuses.push(response.statusCode));
    });
    // The bound is released while the outbox waits out its first Retry-After.
    setTimeout(() => held.splice(0).forEach((socket) => socket.destroy()), 1000);
    const outcome = await bench.outbox.drain({ maxAttempts: 2 });
    expect(outcome).toMatchObject({ stopped: 'idle', entriesAcked: bench.localEntries().length });
    expect(bench.outbox.backlog()).toMatchObject({ unsentEntries: 0, blocked: false });
    expect(outcome.attempts).toBeGreaterThanOrEqual(2);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(DEFAULT_RETRY_AFTER_SECONDS * 1000);
      expect(wait).toBeLessThanOrEqual(2 * DEFAULT_RETRY_AFTER_SECONDS * 1000);
    }
    expect(statuses[0]).toBe(429);
    expect(statuses).toContain(200);
    // Every batch, the shed one and those sent after it, went over one connection: the bench never reconnected.
    expect(new Set(batchSockets).size).toBe(1);
    const pulled = await pullLog(server.url, bench.identity.benchId);
    expect(pulled.entries.map((e) => e.entryHash)).toEqual(bench.localEntries().map((e) => e.entryHash));
  });

  /**
   * Holds the server's database for `ms` (SQLite: its one connection; PostgreSQL: the benches table, which
   * every bench request reads first), as a slow disk or a long transaction would.
   */
  async function holdDatabase(ms: number): Promise<void> {
    const sleep = () => new Promise((resolve) => setTimeout(resolve, ms));
    if (dialect === 'sqlite') {
      await server.repository.db.connection().execute(sleep);
      return;
    }
    await server.repository.db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE benches IN ACCESS EXCLUSIVE MODE`.execute(trx);
      await sleep();
    });
  }

  /** Batches shed by one admission rule, from the server's metrics. */
  async function shedBy(rule: 'in-flight' | 'standing-queue' | 'waited'): Promise<number> {
    const response = await fetch(new URL('/metrics', server.url), { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    const line = (await response.text()).split('\n').find((l) => l.startsWith(`injbench_ingest_shed_total{reason="${rule}"}`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  }

  it('sheds a batch that waited past the bound before its write with 429 and Retry-After; nothing of it is stored, and the outbox sends it again and loses nothing', async () => {
    let databaseHeld: Promise<void> | null = null;
    const storedWhileWaiting: number[] = [];
    const waits: number[] = [];
    const bench = openTestBench(tempDir(), {
      sleep: async (ms) => {
        waits.push(ms);
        // The outbox waits out the Retry-After: the shed batch must not be in the server's log.
        await databaseHeld;
        storedWhileWaiting.push((await pullLog(server.url, bench.identity.benchId)).entries.length);
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    benches.push(bench);
    await bench.outbox.enrol(server.url, await newEnrolmentCode(server.url));
    bench.append(30, 10);
    // The database is held from the moment the batch is sent, for longer than a batch may wait before its write.
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      databaseHeld ??= holdDatabase(DEFAULT_MAX_WAIT_SECONDS * 1000 + 1500);
      return realFetch(input, init);
    });
    const outcome = await bench.outbox.drain({ maxAttempts: 2 });
    expect(outcome).toMatchObject({ stopped: 'idle', entriesAcked: bench.localEntries().length });
    expect(outcome.attempts).toBeGreaterThanOrEqual(2);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(DEFAULT_RETRY_AFTER_SECONDS * 1000);
    expect(storedWhileWaiting[0]).toBe(0);
    expect(await shedBy('waited')).toBe(1);
    const pulled = await pullLog(server.url, bench.identity.benchId);
    expect(pulled.entries.map((e) => e.entryHash)).toEqual(bench.localEntries().map((e) => e.entryHash));
    expect(bench.outbox.backlog()).toMatchObject({ unsentEntries: 0, blocked: false });
  });

  it('shuts the door while a batch inside has waited past the target: a new batch gets 429 and Retry-After at once, and both benches lose nothing', async () => {
    const first = openTestBench(tempDir());
    const second = openTestBench(tempDir());
    benches.push(first, second);
    for (const bench of [first, second]) {
      await bench.outbox.enrol(server.url, await newEnrolmentCode(server.url));
      bench.append(20, 10);
    }
    let databaseHeld: Promise<void> | null = null;
    let released = false;
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      databaseHeld ??= holdDatabase(DEFAULT_MAX_WAIT_SECONDS * 1000 + 2500).then(() => void (released = true));
      return realFetch(input, init);
    });
    const firstDrain = first.outbox.drain({ maxAttempts: 2 });
    // The first bench's batch is inside, waiting for the database, past the target wait.
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_TARGET_WAIT_SECONDS * 1000 + 1000));
    // A whole (if malformed) batch: it is read at once, so its answer waits for nothing but the door (and
    // the client asks for the connection to be closed after it, so its answer ends with it).
    const shed = await stalledBatch(server.url, 'Content-Length: 1\r\nConnection: close', '{');
    held.push(shed.socket);
    const answer = await shed.answer;
    // Answered while the database was still held: turned away at the door, not after waiting for it.
    expect(released).toBe(false);
    expect(answer).toMatch(/^HTTP\/1\.1 429 /);
    expect(answer).toMatch(new RegExp(`\\r\\nretry-after: ${DEFAULT_RETRY_AFTER_SECONDS}\\r\\n`, 'i'));
    expect(answer).toContain('"code":"OVERLOADED"');
    expect(await shedBy('standing-queue')).toBe(1);

    expect(await firstDrain).toMatchObject({ stopped: 'idle', entriesAcked: first.localEntries().length });
    expect(await second.outbox.drain({ maxAttempts: 2 })).toMatchObject({ stopped: 'idle', entriesAcked: second.localEntries().length });
    for (const bench of [first, second]) {
      const pulled = await pullLog(server.url, bench.identity.benchId);
      expect(pulled.entries.map((e) => e.entryHash)).toEqual(bench.localEntries().map((e) => e.entryHash));
    }
  });
});
