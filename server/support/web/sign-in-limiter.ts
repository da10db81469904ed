/**
 * Failed sign-ins to the support web view, counted per client address and user name, and per client address
 * alone (so spraying many names from one address is bounded too). After `maxFailures` failed sign-ins within
 * `windowMs` the key is locked for `lockoutMs`: sign-ins are then answered 429 with Retry-After before any
 * password is checked (no scrypt is spent on them). A successful sign-in clears its own name's count.
 *
 * The counters live in the database (server/store/shared-state-repository.ts), so a restart keeps them and
 * several server instances on one database count together. The address is the client's: behind a reverse
 * proxy the server must be told to trust it (--trust-proxy), or every client would share the proxy's
 * address and one address's failures would lock everyone out.
 */
import type { SharedStateRepository } from '../../store/shared-state-repository';

export interface SignInLimits {
  /** Failed sign-ins for one name from one address within the window that lock that name for that address. */
  maxFailures: number;
  /** Failed sign-ins from one address within the window, whatever the names, that lock the address. */
  maxFailuresPerAddress: number;
  windowMs: number;
  lockoutMs: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  maxFailures: 5,
  maxFailuresPerAddress: 20,
  windowMs: 15 * 60_000,
  lockoutMs: 15 * 60_000,
};

export interface Lockout {
  /** 'name': this name from this address; 'address': every sign-in from this address. */
  scope: 'name' | 'address';
  lockedUntil: Date;
  retryAfterSeconds: number;
  failures: number;
}

export class SignInLimiter {
  readonly #limits: SignInLimits;

  constructor(
    private readonly store: SharedStateRepository,
    limits: Partial<SignInLimits> = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#limits = { ...DEFAULT_SIGN_IN_LIMITS, ...limits };
  }

  get limits(): Readonly<SignInLimits> {
    return this.#limits;
  }

  /** The lockout in force for this attempt, or null when it may be checked. */
  async lockout(address: string, name: string): Promise<Lockout | null> {
    const at = this.now();
    const keys = this.#keys(address, name);
    const counters = await this.store.counters(keys.map(([, key]) => key));
    for (const [scope, key] of keys) {
      const counter = counters.get(key);
      if (counter?.lockedUntil && counter.lockedUntil > at.toISOString()) return describe(scope, counter.lockedUntil, counter.failures, at);
    }
    return null;
  }

  /** Counts a failed sign-in; returns the lockout it started, if this failure reached a limit. */
  async recordFailure(address: string, name: string): Promise<Lockout | null> {
    const at = this.now();
    const times = { now: at.toISOString(), windowStartedBefore: new Date(at.getTime() - this.#limits.windowMs).toISOString(), lockUntil: new Date(at.getTime() + this.#limits.lockoutMs).toISOString() };
    let started: Lockout | null = null;
    for (const [scope, key] of this.#keys(address, name)) {
      const limit = scope === 'name' ? this.#limits.maxFailures : this.#limits.maxFailuresPerAddress;
      const counter = await this.store.countFailure({ key, limit }, times);
      // This failure started the lockout when the lock ends exactly where this failure put it.
      if (counter.lockedUntil === times.lockUntil && counter.failures >= limit) started ??= describe(scope, counter.lockedUntil, counter.failures, at);
    }
    await this.store.forgetIdleCounters(times.windowStartedBefore, times.now);
    return started;
  }

  /** A successful sign-in clears its own name's count from that address (not the address's). */
  async recordSuccess(address: string, name: string): Promise<void> {
    await this.store.clearCounter(this.#keys(address, name)[0][1]);
  }

  #keys(address: string, name: string): [['name', string], ['address', string]] {
    // A token sign-in has no name; it is counted under its own key.
    return [
      ['name', JSON.stringify(['name', address, name.toLowerCase() || '(token)'])],
      ['address', JSON.stringify(['address', address])],
    ];
  }
}

function describe(scope: Lockout['scope'], lockedUntil: string, failures: number, at: Date): Lockout {
  const until = new Date(lockedUntil);
  return { scope, lockedUntil: until, retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - at.getTime()) / 1000)), failures };
}
