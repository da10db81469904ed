/**
 * Admission control for log batches. A server past its capacity that queues every batch makes every bench
 * wait (at 200 benches flat out, p99 reached 13 s against the benches' 15 s timeout), and a bench that times
 * out sends its batch again, adding load. Past a bound of batches in progress the server answers
 * 429 OVERLOADED with Retry-After at once, from the request's headers alone: before the body is read, the
 * signature checked or the database asked. The bench keeps the batch and sends it again after that time
 * (sync-outbox.ts); nothing it holds is lost, and the batches the server does take are answered promptly.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { closeIfBodyUnread } from '../http-errors';

/** Batches in progress before the server sheds: a few times what two cores work on at once, so they never idle. */
export const DEFAULT_MAX_INGEST_IN_FLIGHT = 32;
/** What a shed bench is told to wait; its outbox adds jitter up to as much again, so a fleet does not return in step. */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;

export interface IngestAdmissionOptions {
  /** Batches in progress (admitted, not yet answered) past which new ones are shed; Infinity turns shedding off. */
  maxInFlight?: number;
  retryAfterSeconds?: number;
}

export class IngestAdmission {
  private inFlight = 0;
  private shedCount = 0;
  private readonly maxInFlight: number;
  private readonly retryAfterSeconds: number;

  constructor(options: IngestAdmissionOptions = {}) {
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_INGEST_IN_FLIGHT;
    this.retryAfterSeconds = options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  }

  /** Batches shed since the server started. */
  get shed(): number {
    return this.shedCount;
  }

  /** The route's onRequest hook: admits the batch and counts it until its answer is sent or the connection ends. */
  readonly onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (this.inFlight >= this.maxInFlight) {
      this.shedCount += 1;
      closeIfBodyUnread(request, reply);
      await reply
        .code(429)
        .header('retry-after', String(this.retryAfterSeconds))
        .send({ ok: false, error: { code: 'OVERLOADED', message: `The server is busy with ${this.inFlight} log batches; send this one again in ${this.retryAfterSeconds} s. The bench keeps it.` } });
      return;
    }
    this.inFlight += 1;
    // 'close' comes once per response, answered or cut off, so every admitted batch is released once.
    reply.raw.once('close', () => {
      this.inFlight -= 1;
    });
  };
}
