/**
 * Admission control for log batches. A server past its capacity that queues every batch makes every bench
 * wait (at 200 benches flat out, p99 reached 13 s against the benches' 15 s timeout), and a bench that times
 * out sends its batch again, adding load. Past a bound of batches in progress the server answers
 * 429 OVERLOADED with Retry-After at once, from the request's headers alone: before the body is read, the
 * signature checked or the database asked. The bench keeps the batch and sends it again after that time
 * (sync-outbox.ts); nothing it holds is lost, and the batches the server does take are answered promptly.
 *
 * The bound follows what the server can do (Little's law): batches in progress = completions per second
 * while busy × the time a batch may wait, so a server that slows down (a loaded machine, a slow disk) takes
 * fewer at once instead of letting every accepted batch wait longer. Until it has measured itself it takes
 * a few; never more than `maxInFlight`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { closeIfBodyUnread } from '../http-errors';

/** Batches in progress before the server sheds, at most. */
export const DEFAULT_MAX_INGEST_IN_FLIGHT = 64;
/** Batches taken at once before the server has measured its capacity: a fleet's first burst meets a small bound, which then grows. */
export const INITIAL_INGEST_IN_FLIGHT = 8;
/** Never fewer in progress than this: a light load is never shed for a rate measured on too little. */
const MIN_IN_FLIGHT = 4;
/** How long an accepted batch may expect to wait for those ahead of it. */
export const DEFAULT_TARGET_WAIT_SECONDS = 1;
/** What a shed bench is told to wait; its outbox adds jitter up to as much again, so a fleet does not return in step. */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;
const WINDOW_MS = 1000;
/** A window's measured rate counts for this much of the estimate (the rest is the estimate before it). */
const SMOOTHING = 0.3;

export interface IngestAdmissionOptions {
  /** The most batches in progress (admitted, not yet answered); Infinity turns shedding off. */
  maxInFlight?: number;
  targetWaitSeconds?: number;
  retryAfterSeconds?: number;
}

export class IngestAdmission {
  private inFlight = 0;
  private shedCount = 0;
  private readonly maxInFlight: number;
  private readonly targetWaitSeconds: number;
  private readonly retryAfterSeconds: number;
  /** Batches completed per second of busy time (at least one batch in progress); null until measured. */
  private capacityPerSecond: number | null = null;
  private windowStart = performance.now();
  private windowCompleted = 0;
  private windowBusyMs = 0;
  private busySince: number | null = null;

  constructor(options: IngestAdmissionOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_INGEST_IN_FLIGHT;
    this.targetWaitSeconds = options.targetWaitSeconds ?? DEFAULT_TARGET_WAIT_SECONDS;
    this.retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  }

  /** Batches shed since the server started. */
  get shed(): number {
    return this.shedCount;
  }

  /** Batches the server takes at once now. */
  get bound(): number {
    if (this.maxInFlight === Infinity) return Infinity;
    if (this.capacityPerSecond === null) return Math.min(this.maxInFlight, INITIAL_INGEST_IN_FLIGHT);
    return Math.min(this.maxInFlight, Math.max(MIN_IN_FLIGHT, Math.round(this.capacityPerSecond * this.targetWaitSeconds)));
  }

  /** The route's onRequest hook: admits the batch and counts it until its answer is sent or the connection ends. */
  readonly onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    this.measure(performance.now());
    if (this.inFlight >= this.bound) {
      this.shedCount += 1;
      closeIfBodyUnread(request, reply);
      await reply
        .code(429)
        .header('retry-after', String(this.retryAfterSeconds))
        .send({ ok: false, error: { code: 'OVERLOADED', message: `The server is busy with ${this.inFlight} log batches; send this one again in ${this.retryAfterSeconds} s. The bench keeps it.` } });
      return;
    }
    if (this.inFlight === 0) this.busySince = performance.now();
    this.inFlight += 1;
    // 'close' comes once per response, answered or cut off, so every admitted batch is released once.
    reply.raw.once('close', () => {
      const now = performance.now();
      this.inFlight -= 1;
      this.windowCompleted += 1;
      if (this.inFlight === 0 && this.busySince !== null) {
        this.windowBusyMs += now - this.busySince;
        this.busySince = null;
      }
      this.measure(now);
    });
  };

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
