/**
 * Failed sign-ins to the support web view, counted in memory per client address and user name, and per
 * client address alone (so spraying many names from one address is bounded too). After `maxFailures` failed
 * sign-ins within `windowMs` the key is locked for `lockoutMs`: sign-ins are then answered 429 with
 * Retry-After before any password is checked (no scrypt is spent on them). A successful sign-in clears its
 * own name's count. Memory is bounded (`maxKeys`; expired keys are dropped first, then the oldest).
 *
 * Kept per server process: a restart forgets the counts, and several server processes count apart.
 */

export interface SignInLimits {
  /** Failed sign-ins for one name from one address within the window that lock that name for that address. */
  maxFailures: number;
  /** Failed sign-ins from one address within the window, whatever the names, that lock the address. */
  maxFailuresPerAddress: number;
  windowMs: number;
  lockoutMs: number;
  maxKeys: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  maxFailures: 5,
  maxFailuresPerAddress: 20,
  windowMs: 15 * 60_000,
  lockoutMs: 15 * 60_000,
  maxKeys: 10_000,
};

interface Counter {
  /** Start of the current counting window. */
  since: number;
  failures: number;
  lockedUntil: number | null;
}

export interface Lockout {
  /** 'name': this name from this address; 'address': every sign-in from this address. */
  scope: 'name' | 'address';
  lockedUntil: Date;
  retryAfterSeconds: number;
  failures: number;
}

export class SignInLimiter {
  readonly #limits: SignInLimits;
  readonly #counters = new Map<string, Counter>();

  constructor(
    limits: Partial<SignInLimits> = {},
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#limits = { ...DEFAULT_SIGN_IN_LIMITS, ...limits };
  }

  get limits(): Readonly<SignInLimits> {
    return this.#limits;
  }

  /** The lockout in force for this attempt, or null when it may be checked. */
  lockout(address: string, name: string): Lockout | null {
    const at = this.now().getTime();
    for (const [scope, key] of this.#keys(address, name)) {
      const counter = this.#counters.get(key);
      if (counter?.lockedUntil && counter.lockedUntil > at) return this.#describe(scope, counter, at);
    }
    return null;
  }

  /** Counts a failed sign-in; returns the lockout it started, if this failure reached a limit. */
  recordFailure(address: string, name: string): Lockout | null {
    const at = this.now().getTime();
    let started: Lockout | null = null;
    for (const [scope, key] of this.#keys(address, name)) {
      let counter = this.#counters.get(key);
      if (!counter || at - counter.since >= this.#limits.windowMs || (counter.lockedUntil !== null && counter.lockedUntil <= at)) {
        counter = { since: at, failures: 0, lockedUntil: null };
      }
      counter.failures += 1;
      const limit = scope === 'name' ? this.#limits.maxFailures : this.#limits.maxFailuresPerAddress;
      if (counter.lockedUntil === null && counter.failures >= limit) {
        counter.lockedUntil = at + this.#limits.lockoutMs;
        started ??= this.#describe(scope, counter, at);
      }
      // Re-inserted so the map's order is the order of last use (the oldest is evicted first).
      this.#counters.delete(key);
      this.#counters.set(key, counter);
    }
    this.#bound(at);
    return started;
  }

  /** A successful sign-in clears its own name's count from that address (not the address's). */
  recordSuccess(address: string, name: string): void {
    this.#counters.delete(this.#keys(address, name)[0][1]);
  }

  #keys(address: string, name: string): [['name', string], ['address', string]] {
    // A token sign-in has no name; it is counted under its own key.
    return [
      ['name', `name\u0000${address}\u0000${name.toLowerCase() || '(token)'}`],
      ['address', `address\u0000${address}`],
    ];
  }

  #describe(scope: Lockout['scope'], counter: Counter, at: number): Lockout {
    const lockedUntil = counter.lockedUntil ?? at;
    return { scope, lockedUntil: new Date(lockedUntil), retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil - at) / 1000)), failures: counter.failures };
  }

  #bound(at: number): void {
    if (this.#counters.size <= this.#limits.maxKeys) return;
    for (const [key, counter] of this.#counters) {
      const expired = counter.lockedUntil !== null ? counter.lockedUntil <= at : at - counter.since >= this.#limits.windowMs;
      if (expired) this.#counters.delete(key);
    }
    for (const key of this.#counters.keys()) {
      if (this.#counters.size <= this.#limits.maxKeys) break;
      this.#counters.delete(key);
    }
  }
}
