/**
 * Admission control for log batches. A server past its capacity that queues every batch makes every bench
 * wait (at 200 benches flat out, p99 reached 13 s against the benches' 15 s timeout), and a bench that times
 * out sends its batch again, adding load. Past its bound the server answers 429 OVERLOADED with Retry-After;
 * the bench keeps the batch and sends it again after that time (sync-outbox.ts), so nothing it holds is
 * lost, and the batches the server does take are answered promptly.
 *
 * Three rules, the first two at the door (decided from the request's headers alone: before the body is
 * parsed, the signature checked or the database asked), the third before the write:
 *
 * - Batches in progress (admitted, not yet answered: reading the body, verifying, writing) follow what the
 *   server can do (Little's law): completions per second while busy × the time a batch may wait, so a server
 *   that slows down takes fewer at once. Until it has measured itself it takes a few; never more than
 *   `maxInFlight`.
 * - A standing queue sheds at the door (CoDel's signal: waiting time, not queue length). When the oldest
 *   batch whose body has arrived has waited longer than `targetWaitSeconds` without reaching its write, the
 *   server is behind whatever the rate estimate says (a loaded machine, a slow disk, a burst) and new
 *   batches are turned away until it catches up.
 * - A batch that waited longer than `maxWaitSeconds` from its body's arrival to its write is shed instead of
 *   written: its answer would come too late to be worth the work, and the bench, told so with Retry-After,
 *   sends it again. Nothing was written for it, so nothing acknowledged is lost. The clock starts when the
 *   body has arrived, so a bench on a slow line is never shed for its upload time.
 *
 * A batch shed at the door is still read (and dropped) when its declared body is within the route's limit
 * and arrives within SHED_BODY_WITHIN_SECONDS, so its 429 goes out on a connection that stays open and the
 * bench sends again without reconnecting (http-errors.ts, discardBodyOrClose). Closing it instead made every
 * shed bench reconnect, and a busy Node server takes one new connection per listening socket per event-loop
 * iteration: the benches waited seconds in the kernel's accept queue, which neither the server's log nor these
 * rules see (docs/benchmarks.md, "### Overload").
 *
 * Measured on a loaded machine (bench/server-overload.ts) the in-flight bound alone let accepted batches
 * wait seconds: the rate it follows lags the machine's, while waiting time shows a backlog at once.
 * With the shed batch's connection kept (2026-12-05, 2 shared CPUs, twice the saturating rate,
 * bench/server-overload.ts): on Node 24, with the server on four sockets (central-server.ts), the benches'
 * own p99 of accepted batches was 0.78-1.89 s in 5 of 7 runs (SQLite and PostgreSQL) and 2.7-2.9 s at load
 * 5.8-6.3, against 10.4-13.4 s when shed connections were closed; with one socket 3 of 6 runs were back at
 * 11-12 s; the server's log p99 0.6-1.4 s; zero acknowledged entries lost; 25-92 % shed. On Node 20 (one
 * socket) the benches' p99 stayed 4.4-12.4 s.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { discardBodyOrClose } from '../http-errors';

/** Batches in progress before the server sheds, at most. */
export const DEFAULT_MAX_INGEST_IN_FLIGHT = 64;
/** Batches taken at once before the server has measured its capacity: a fleet's first burst meets a small bound, which then grows. */
export const INITIAL_INGEST_IN_FLIGHT = 8;
/** Never fewer in progress than this: a light load is never shed for a rate measured on too little. */
const MIN_IN_FLIGHT = 4;
/** How long an accepted batch may expect to wait for those ahead of it; past it, with a standing queue, the door sheds. */
export const DEFAULT_TARGET_WAIT_SECONDS = 0.5;
/** The longest a batch may wait between its body's arrival and its write; past it, it is shed instead of written. */
export const DEFAULT_MAX_WAIT_SECONDS = 1;
/** What a shed bench is told to wait; its outbox adds jitter up to as much again, so a fleet does not return in step. */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;
/** How long a batch shed at the door may take to finish its upload, read and dropped, before its 429 goes out on a connection kept open; a slower one has its connection closed. */
export const SHED_BODY_WITHIN_SECONDS = 2;
const WINDOW_MS = 1000;
/** A window's measured rate counts for this much of the estimate (the rest is the estimate before it). */
const SMOOTHING = 0.3;

export interface IngestAdmissionOptions {
  /** The most batches in progress (admitted, not yet answered); Infinity turns shedding off. */
  maxInFlight?: number;
  targetWaitSeconds?: number;
  maxWaitSeconds?: number;
  retryAfterSeconds?: number;
  /** The route's body limit: a batch shed at the door that declares at most this many bytes is read and dropped before its 429, keeping its connection; a larger or unbounded one is not read and its connection is closed. */
  bodyLimitBytes?: number;
  /** Told of every shed batch, with the rule that shed it (the server's metrics count them). */
  onShed?: (reason: ShedReason) => void;
}

/** Why a batch was shed: at the door by the in-flight bound or a standing queue, or before its write because it waited too long. */
export type ShedReason = 'in-flight' | 'standing-queue' | 'waited';

/** Thrown by the ingest when `readyToWrite` says no: the route answers with `shedAnswer`, nothing was written. */
export class BatchShed extends Error {
  constructor() {
    super('The batch waited too long for the server and was shed before its write.');
    this.name = 'BatchShed';
  }
}

export class IngestAdmission {
  private inFlight = 0;
  private readonly shedCounts: Record<ShedReason, number> = { 'in-flight': 0, 'standing-queue': 0, waited: 0 };
  private readonly maxInFlight: number;
  private readonly targetWaitSeconds: number;
  private readonly maxWaitMs: number;
  private readonly retryAfterSeconds: number;
  private readonly bodyLimitBytes: number;
  private readonly onShed: (reason: ShedReason) => void;
  /** Admitted batches whose body has arrived and which have not reached their write, with that time; oldest first (a Map keeps insertion order). */
  private readonly waiting = new Map<FastifyRequest, number>();
  /** Batches completed per second of busy time (at least one batch in progress); null until measured. */
  private capacityPerSecond: number | null = null;
  private windowStart = performance.now();
  private windowCompleted = 0;
  private windowBusyMs = 0;
  private busySince: number | null = null;

  constructor(options: IngestAdmissionOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_INGEST_IN_FLIGHT;
    this.targetWaitSeconds = options.targetWaitSeconds ?? DEFAULT_TARGET_WAIT_SECONDS;
    this.maxWaitMs = (options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS) * 1000;
    this.retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
    this.bodyLimitBytes = options.bodyLimitBytes ?? 0;
    this.onShed = options.onShed ?? (() => undefined);
  }

  /** Batches shed since the server started, by reason. */
  get shed(): Readonly<Record<ShedReason, number>> {
    return this.shedCounts;
  }

  /** Batches the server takes at once now. */
  get bound(): number {
    if (this.maxInFlight === Infinity) return Infinity;
    if (this.capacityPerSecond === null) return Math.min(this.maxInFlight, INITIAL_INGEST_IN_FLIGHT);
    return Math.min(this.maxInFlight, Math.max(MIN_IN_FLIGHT, Math.round(this.capacityPerSecond * this.targetWaitSeconds)));
  }

  /** How long the oldest batch waiting for its write has waited, in ms (0 when none waits). */
  private oldestWaitMs(now: number): number {
    for (const since of this.waiting.values()) return now - since;
    return 0;
  }

  /** The route's onRequest hook: admits the batch and counts it until its answer is sent or the connection ends. */
  readonly onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const now = performance.now();
    this.measure(now);
    const reason: ShedReason | null =
      this.inFlight >= this.bound ? 'in-flight' : this.maxInFlight !== Infinity && this.oldestWaitMs(now) > this.targetWaitSeconds * 1000 ? 'standing-queue' : null;
    if (reason) {
      await discardBodyOrClose(request, reply, { maxBytes: this.bodyLimitBytes, withinMs: SHED_BODY_WITHIN_SECONDS * 1000 });
      await this.shedAnswer(reply, reason, `The server is busy with ${this.inFlight} log batches`);
      return;
    }
    if (this.inFlight === 0) this.busySince = performance.now();
    this.inFlight += 1;
    // 'close' comes once per response, answered or cut off, so every admitted batch is released once.
    reply.raw.once('close', () => {
      const now = performance.now();
      this.waiting.delete(request);
      this.inFlight -= 1;
      this.windowCompleted += 1;
      if (this.inFlight === 0 && this.busySince !== null) {
        this.windowBusyMs += now - this.busySince;
        this.busySince = null;
      }
      this.measure(now);
    });
  };

  /** The route's preValidation hook: the body has arrived, and the batch's wait for the server starts now. */
  readonly onBodyReceived = async (request: FastifyRequest): Promise<void> => {
    if (this.maxInFlight !== Infinity) this.waiting.set(request, performance.now());
  };

  /**
   * Called just before the batch is written: false when it waited longer than the bound since its body
   * arrived, and then the caller answers with `shedAnswer` and writes nothing.
   */
  readyToWrite(request: FastifyRequest): boolean {
    const since = this.waiting.get(request);
    this.waiting.delete(request);
    return since === undefined || performance.now() - since <= this.maxWaitMs;
  }

  /** 429 OVERLOADED with Retry-After: the bench keeps the batch and sends it again after that wait. */
  async shedAnswer(reply: FastifyReply, reason: ShedReason, busyWith = 'The server is behind'): Promise<void> {
    this.shedCounts[reason] += 1;
    this.onShed(reason);
    await reply
      .code(429)
      .header('retry-after', String(this.retryAfterSeconds))
      .send({ ok: false, error: { code: 'OVERLOADED', message: `${busyWith}; send this batch again in ${this.retryAfterSeconds} s. The bench keeps it, nothing of it was stored.` } });
  }

  /** Closes a window once it is WINDOW_MS old: its completions per busy second update the estimate. */
  private measure(now: number): void {
    if (now - this.windowStart < WINDOW_MS) return;
    const busyMs = this.windowBusyMs + (this.busySince === null ? 0 : now - this.busySince);
    if (this.windowCompleted > 0 && busyMs >= WINDOW_MS / 10) {
      const rate = this.windowCompleted / (busyMs / 1000);
      this.capacityPerSecond = this.capacityPerSecond === null ? rate : this.capacityPerSecond * (1 - SMOOTHING) + rate * SMOOTHING;
    }
    this.windowStart = now;
    this.windowCompleted = 0;
    this.windowBusyMs = 0;
    if (this.busySince !== null) this.busySince = now;
  }
}
