/**
 * The support sign-in limiter counts in the database: two limiters on one database (two server instances)
 * count together, concurrent failures lose none, windows and lockouts end on time, and one address's
 * failures do not lock another address out. SQLite and PostgreSQL.
 */
import { expect, it } from 'vitest';
import { SharedStateRepository } from '../../server/store/shared-state-repository';
import { SignInLimiter } from '../../server/support/web/sign-in-limiter';
import { describeEachDialect, useTestRepository } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';

describeEachDialect('support sign-in limiter in the database', (dialect) => {
  const tempDir = useTempDirs();
  const store = useTestRepository(dialect, tempDir);

  it('counts failures within the window only, and a success clears its name', async () => {
    let at = Date.parse('2026-11-22T10:00:00Z');
    const limiter = new SignInLimiter(new SharedStateRepository(store.repository.db), { maxFailures: 3, maxFailuresPerAddress: 100, windowMs: 60_000, lockoutMs: 120_000 }, () => new Date(at));
    await limiter.recordFailure('10.0.0.1', 'Ana');
    await limiter.recordFailure('10.0.0.1', 'ana');
    at += 61_000; // the window passed: counting starts again
    expect(await limiter.recordFailure('10.0.0.1', 'ana')).toBeNull();
    expect(await limiter.recordFailure('10.0.0.1', 'ana')).toBeNull();
    await limiter.recordSuccess('10.0.0.1', 'ana');
    expect(await limiter.recordFailure('10.0.0.1', 'ana')).toBeNull();
    expect(await limiter.recordFailure('10.0.0.1', 'ana')).toBeNull();
    expect(await limiter.recordFailure('10.0.0.1', 'ANA')).toMatchObject({ scope: 'name', failures: 3, retryAfterSeconds: 120 });
    // Another address is not locked by this one's failures.
    expect(await limiter.lockout('10.0.0.2', 'ana')).toBeNull();
    at += 119_000;
    expect(await limiter.lockout('10.0.0.1', 'ana')).toMatchObject({ retryAfterSeconds: 1 });
    at += 1_000;
    expect(await limiter.lockout('10.0.0.1', 'ana')).toBeNull();
  });

  it('is shared by two instances on one database, and concurrent failures are all counted', async () => {
    const limits = { maxFailures: 1000, maxFailuresPerAddress: 40, windowMs: 60_000, lockoutMs: 60_000 };
    const first = new SignInLimiter(new SharedStateRepository(store.repository.db), limits);
    const second = new SignInLimiter(new SharedStateRepository(store.repository.db), limits);
    // 39 failures from one address, spread over both instances and all at once: none is lost.
    const outcomes = await Promise.all(Array.from({ length: 39 }, (_, n) => (n % 2 === 0 ? first : second).recordFailure('192.0.2.7', `user${n}`)));
    expect(outcomes.every((lockout) => lockout === null)).toBe(true);
    expect(await second.lockout('192.0.2.7', 'anyone')).toBeNull();
    expect(await first.recordFailure('192.0.2.7', 'user39')).toMatchObject({ scope: 'address', failures: 40 });
    // Locked on both instances, for that address only.
    expect(await second.lockout('192.0.2.7', 'someone-else')).toMatchObject({ scope: 'address' });
    expect(await first.lockout('198.51.100.1', 'someone-else')).toBeNull();
  });

  it('forgets counters whose window passed, so the table stays as small as the attack', async () => {
    let at = Date.parse('2026-11-22T10:00:00Z');
    const shared = new SharedStateRepository(store.repository.db);
    const limiter = new SignInLimiter(shared, { maxFailures: 5, maxFailuresPerAddress: 20, windowMs: 60_000, lockoutMs: 60_000 }, () => new Date(at));
    for (let n = 0; n < 10; n += 1) await limiter.recordFailure(`10.1.0.${n}`, 'bob');
    at += 61_000;
    await limiter.recordFailure('10.2.0.1', 'eve');
    const rows = await shared.counters([JSON.stringify(['address', '10.1.0.0']), JSON.stringify(['address', '10.2.0.1'])]);
    expect([...rows.keys()]).toEqual([JSON.stringify(['address', '10.2.0.1'])]);
  });
});
