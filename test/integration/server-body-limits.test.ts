/**
 * Bounded before authenticated: a token route checks the token in onRequest, before any byte of the body
 * is read, and a declared Content-Length over the route's limit is refused at once. A refused request that
 * still has body in flight gets `Connection: close`, so a client declaring 60 MB and sending 1 KB cannot
 * hold the connection. The 64 MiB metadata limit applies only to a request with the release token.
 * (Authenticated publishes through the same route: server-distribution.test.ts.)
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { TEST_ADMIN_TOKEN, TEST_RELEASE_TOKEN, TEST_SUPPORT_TOKEN, startTestServer } from '../helpers/central-server';
import { createTestDatabase, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { ADMIN_CODES_PATH, ADMIN_GRANTS_PATH, ENROL_PATH, PROMOTIONS_PATH, RELEASE_METADATA_PATH } from '../../common/central-api/paths';

const MB = 1024 * 1024;

interface RawAnswer {
  status: number;
  head: string;
  body: string;
  /** From the first byte written to the server closing the connection. */
  closedAfterMs: number;
}

/**
 * A POST over a raw socket that declares `declaredLength` bytes and sends `sentBytes` of them (1 MiB chunks,
 * reused, with backpressure), then waits for the server to answer and close. fetch cannot declare more than
 * it sends.
 */
function rawPost(serverUrl: string, path: string, options: { declaredLength: number; sentBytes: number; token?: string }): Promise<RawAnswer> {
  const { hostname, port } = new URL(serverUrl);
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(Number(port), hostname);
    let response = '';
    let closed = false;
    socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
    // The server closing while we still write gives EPIPE/ECONNRESET here: its answer is what the test reads.
    socket.on('error', () => undefined);
    socket.setTimeout(15_000, () => socket.destroy());
    socket.on('close', () => {
      closed = true;
      const [head = '', body = ''] = response.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body, closedAfterMs: performance.now() - started });
    });
    socket.on('connect', () => {
      const auth = options.token ? `Authorization: Bearer ${options.token}\r\n` : '';
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${options.declaredLength}\r\n${auth}\r\n`);
      const chunk = Buffer.alloc(MB, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (!closed && sent < options.sentBytes) {
          const size = Math.min(chunk.length, options.sentBytes - sent);
          sent += size;
          if (!socket.write(chunk.subarray(0, size))) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

describe('request bodies are bounded before they are read', () => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase;
  let server: CentralServer;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite', tempDir());
    server = await startTestServer(database.url);
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('answers an anonymous 60 MB metadata publish with 401 before reading it, and closes the connection', async () => {
    const answer = await rawPost(server.url, RELEASE_METADATA_PATH, { declaredLength: 60 * MB, sentBytes: 1024 });
    expect(answer.status).toBe(401);
    expect(answer.head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(answer.closedAfterMs).toBeLessThan(2000);
  });

  it('refuses wrong, support and admin tokens on the metadata route the same way (401, 403)', async () => {
    const wrong = await rawPost(server.url, RELEASE_METADATA_PATH, { declaredLength: 60 * MB, sentBytes: 1024, token: 'x'.repeat(40) });
    expect(wrong.status).toBe(401);
    for (const token of [TEST_SUPPORT_TOKEN, TEST_ADMIN_TOKEN]) {
      const answer = await rawPost(server.url, RELEASE_METADATA_PATH, { declaredLength: 60 * MB, sentBytes: 1024, token });
      expect(answer.status).toBe(403);
      expect(answer.closedAfterMs).toBeLessThan(2000);
    }
  });

  it('does not grow the server by the body size when anonymous callers send 3 × 60 MB', async () => {
    const before = process.memoryUsage().rss;
    for (let n = 0; n < 3; n += 1) {
      const answer = await rawPost(server.url, RELEASE_METADATA_PATH, { declaredLength: 60 * MB, sentBytes: 60 * MB });
      expect(answer.status).toBe(401);
    }
    // Before: each body was buffered and parsed (RSS +436 MB for three); now nothing of it is kept.
    expect(process.memoryUsage().rss - before).toBeLessThan(40 * MB);
  });

  it('answers 413 at once to the release token with a declared body over the 64 MiB metadata limit', async () => {
    const answer = await rawPost(server.url, RELEASE_METADATA_PATH, { declaredLength: 65 * MB, sentBytes: 1024, token: TEST_RELEASE_TOKEN });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: 'OVERSIZE' } });
    expect(answer.closedAfterMs).toBeLessThan(2000);
  });

  it('answers an enrolment (anonymous by nature) declaring more than 16 KiB with 413 at once', async () => {
    const answer = await rawPost(server.url, ENROL_PATH, { declaredLength: MB, sentBytes: 1024 });
    expect(answer.status).toBe(413);
    expect(answer.closedAfterMs).toBeLessThan(2000);
  });

  it('keeps the small limit on every other token route: 401 anonymous, 413 at once with the right token', async () => {
    for (const path of [ADMIN_CODES_PATH, ADMIN_GRANTS_PATH, PROMOTIONS_PATH]) {
      const anonymous = await rawPost(server.url, path, { declaredLength: 60 * MB, sentBytes: 1024 });
      expect(anonymous.status, path).toBe(401);
      const oversize = await rawPost(server.url, path, { declaredLength: 60 * MB, sentBytes: 1024, token: TEST_ADMIN_TOKEN });
      expect(oversize.status, path).toBe(413);
      expect(oversize.closedAfterMs, path).toBeLessThan(2000);
    }
  });
});
