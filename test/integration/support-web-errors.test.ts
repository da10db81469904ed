/**
 * The support web view answers a refused request with the framework's own status as an HTML error page
 * (415 unsupported content type, 413 form over its limit or a huge declared Content-Length, 400 malformed
 * body), not 500, and none of them reaches the server log at error level; a real fault is a 500, logged at
 * error level without the request body.
 */
import { sql } from 'kysely';
import { connect } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { startTestServer } from '../helpers/central-server';
import { createTestDatabase, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';

const PINO_ERROR_LEVEL = 50;

describe('support web error statuses', () => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase;
  let server: CentralServer;
  const logLines: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('sqlite', tempDir());
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    server = await startTestServer(database.url, { logger });
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  async function postSignIn(contentType: string, body: string): Promise<{ status: number; type: string | null; text: string }> {
    const response = await fetch(new URL('/support/sign-in', server.url), { method: 'POST', redirect: 'manual', headers: { 'content-type': contentType, origin: server.url }, body });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  }

  const errorLines = () => logLines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level >= PINO_ERROR_LEVEL);

  it('answers an unsupported content type with 415', async () => {
    const answer = await postSignIn('application/xml', '<sign-in name="ana"/>');
    expect(answer.status).toBe(415);
    expect(answer.type).toContain('text/html');
    expect(answer.text).toContain('Error 415');
  });

  it('answers a form over its 4 KiB limit with 413', async () => {
    const answer = await postSignIn('application/x-www-form-urlencoded', new URLSearchParams({ name: 'ana', token: 'x'.repeat(5000) }).toString());
    expect(answer.status).toBe(413);
    expect(answer.text).toContain('Error 413');
  });

  it('answers a malformed JSON body with 400', async () => {
    const answer = await postSignIn('application/json', '{"name":');
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('Error 400');
  });

  it('answers a huge declared Content-Length with 413 at once and closes the connection', async () => {
    const { hostname, port } = new URL(server.url);
    const started = performance.now();
    const head = await new Promise<string>((resolve) => {
      let response = '';
      const socket = connect(Number(port), hostname, () => {
        socket.write(`POST /support/sign-in HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1073741824\r\n\r\nname=ana`);
      });
      socket.on('data', (chunk: Buffer) => (response += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.setTimeout(10_000, () => socket.destroy());
      socket.on('close', () => resolve(response));
    });
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('logs none of these refusals at error level', () => {
    expect(errorLines()).toEqual([]);
  });

  it('answers a real fault (the users table gone) with 500, logged at error level without the request body', async () => {
    await sql`ALTER TABLE support_users RENAME TO support_users_away`.execute(server.repository.db);
    try {
      const answer = await postSignIn('application/x-www-form-urlencoded', new URLSearchParams({ name: 'ana', token: 'secret-password-never-logged' }).toString());
      expect(answer.status).toBe(500);
      expect(answer.text).toContain('The server failed to show this page');
    } finally {
      await sql`ALTER TABLE support_users_away RENAME TO support_users`.execute(server.repository.db);
    }
    expect(errorLines().map((line) => line.msg)).toEqual(['support page failed']);
    expect(logLines.join('\n')).not.toContain('secret-password-never-logged');
  });
});
