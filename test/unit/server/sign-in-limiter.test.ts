import { describe, expect, it } from 'vitest';
import { SignInLimiter } from '../../../server/support/web/sign-in-limiter';

describe('support sign-in limiter', () => {
  it('counts failures within the window only, and a success clears its name', () => {
    let at = Date.parse('2026-11-22T10:00:00Z');
    const limiter = new SignInLimiter({ maxFailures: 3, maxFailuresPerAddress: 100, windowMs: 60_000, lockoutMs: 120_000 }, () => new Date(at));
    limiter.recordFailure('10.0.0.1', 'Ana');
    limiter.recordFailure('10.0.0.1', 'ana');
    at += 61_000; // the window passed: counting starts again
    expect(limiter.recordFailure('10.0.0.1', 'ana')).toBeNull();
    expect(limiter.recordFailure('10.0.0.1', 'ana')).toBeNull();
    limiter.recordSuccess('10.0.0.1', 'ana');
    expect(limiter.recordFailure('10.0.0.1', 'ana')).toBeNull();
    expect(limiter.recordFailure('10.0.0.1', 'ana')).toBeNull();
    const lock = limiter.recordFailure('10.0.0.1', 'ANA');
    expect(lock).toMatchObject({ scope: 'name', failures: 3, retryAfterSeconds: 120 });
    expect(limiter.lockout('10.0.0.2', 'ana')).toBeNull();
    at += 119_000;
    expect(limiter.lockout('10.0.0.1', 'ana')).toMatchObject({ retryAfterSeconds: 1 });
    at += 1_000;
    expect(limiter.lockout('10.0.0.1', 'ana')).toBeNull();
  });

  it('keeps at most maxKeys counters, dropping the oldest', () => {
    const limiter = new SignInLimiter({ maxFailures: 2, maxFailuresPerAddress: 1000, maxKeys: 50 });
    limiter.recordFailure('10.0.0.1', 'first');
    limiter.recordFailure('10.0.0.1', 'first');
    expect(limiter.lockout('10.0.0.1', 'first')).not.toBeNull();
    for (let n = 0; n < 100; n += 1) limiter.recordFailure(`10.0.1.${n}`, `user${n}`);
    // The oldest lock was evicted to keep memory bounded; the newest counters are kept.
    expect(limiter.lockout('10.0.0.1', 'first')).toBeNull();
    limiter.recordFailure('10.0.1.99', 'user99');
    expect(limiter.lockout('10.0.1.99', 'user99')).not.toBeNull();
  });
});
