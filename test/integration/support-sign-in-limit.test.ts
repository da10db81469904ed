/**
 * Sign-in to the support web view is rate limited: after 5 failed sign-ins for one name from one address
 * (or 8 from one address whatever the names, in this test) within the window, sign-in answers 429 with
 * Retry-After and says until when, even with the right password; the lockout is written to the server log
 * once, with the name and address but no password or token; it ends when the lockout time has passed.
 * SQLite and PostgreSQL (support users live in the store).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, callAs, startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { SUPPORT_USERS_PATH } from '../../common/central-api/paths';

const MINUTE_MS = 60_000;

describeEachDialect('support web sign-in rate limit', (dialect) => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase;
  let server: CentralServer;
  let clockOffsetMs = 0;
  const logLines: string[] = [];
  let password = '';

  beforeAll(async () => {
    database = await createTestDatabase(dialect, tempDir());
    const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    server = await startTestServer(database.url, { logger, now: () => new Date(Date.now() + clockOffsetMs), supportWeb: { signInLimits: { maxFailuresPerAddress: 8 } } });
    const created = await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', SUPPORT_USERS_PATH, { name: 'ana' });
    expect(created.status).toBe(201);
    password = (created.body as { password: string }).password;
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  async function signIn(form: Record<string, string>): Promise<{ status: number; retryAfter: string | null; body: string }> {
    const response = await fetch(new URL('/support/sign-in', server.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.text() };
  }

  it('locks a name after 5 failures, then the address after 8, answers 429 with Retry-After, logs it without secrets, and unlocks after the lockout', async () => {
    const wrong = (n: number) => `wrong-password-${n}`;
    for (let n = 1; n <= 4; n += 1) expect((await signIn({ name: 'ana', token: wrong(n) })).status).toBe(401);
    const fifth = await signIn({ name: 'ana', token: wrong(5) });
    expect(fifth.status).toBe(429);
    expect(fifth.retryAfter).toBe('900');
    expect(fifth.body).toContain('Too many failed sign-ins for this name from your address: sign-in is locked for 15 minutes (until ');

    // Locked: the right password is not even checked, and the wait shrinks with the clock.
    clockOffsetMs = 5 * MINUTE_MS;
    const right = await signIn({ name: 'ana', token: password });
    expect(right.status).toBe(429);
    expect(Number(right.retryAfter)).toBeGreaterThan(590);
    expect(Number(right.retryAfter)).toBeLessThanOrEqual(600);
    // Another name from the same address, and the support token, are not locked by ana's lockout.
    expect((await signIn({ name: 'bob', token: wrong(6) })).status).toBe(401);
    expect((await signIn({ token: TEST_SUPPORT_TOKEN })).status).toBe(303);
    // Two more failures (8 from this address in the window) lock the whole address.
    expect((await signIn({ name: 'bob', token: wrong(7) })).status).toBe(401);
    const address = await signIn({ name: 'carl', token: wrong(8) });
    expect(address.status).toBe(429);
    expect(address.body).toContain('Too many failed sign-ins from your address');
    expect((await signIn({ token: TEST_SUPPORT_TOKEN })).status).toBe(429);

    const lockouts = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'support sign-in locked after repeated failures');
    expect(lockouts.map((line) => [line.user, line.address, line.scope, line.failures])).toEqual([
      ['ana', '127.0.0.1', 'name', 5],
      ['carl', '127.0.0.1', 'address', 8],
    ]);
    expect(lockouts[0]?.lockedUntil).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const log = logLines.join('');
    for (const secret of [password, TEST_SUPPORT_TOKEN, wrong(1), wrong(5), wrong(8)]) expect(log).not.toContain(secret);

    // After the lockout (15 min after the address lock), the right password signs in again.
    clockOffsetMs = 21 * MINUTE_MS;
    expect((await signIn({ name: 'ana', token: password })).status).toBe(303);
    expect((await signIn({ token: TEST_SUPPORT_TOKEN })).status).toBe(303);
  }, 60_000);
});
