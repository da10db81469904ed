/**
 * The bench's sync outbox for its integrity log. The log itself is the outbox: what is unsent is every
 * entry after the position the server last acknowledged, and that position is kept in the bench store,
 * so the outbox resumes where it was after a crash or a restart. Batches are bounded in entries and
 * bytes; failed attempts are retried with exponential backoff and full jitter; a refusal that no retry
 * can fix (fork, gap, revoked bench) stops the outbox and is reported, and the bench keeps all its data.
 */
import type { BenchIdentity } from '../identity/bench-identity';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import type { Logger } from '../../../common/logger';
import type { BenchStore } from '../store/bench-store';
import { SyncError, retryDelayMs, sendSignedRequest } from '../../../common/central-api/client';
import { sha256Hex } from '../../../trust/crypto';
import { DEFAULT_BATCH_ENTRIES, MAX_BATCH_BYTES, MAX_BATCH_ENTRIES, enrolResponseSchema, logAckSchema, type EnrolResponse, type LogAck, type LogBatch } from '../../../common/central-api/protocol';
import { ENROL_PATH, LOG_BATCH_PATH } from '../../../common/central-api/paths';
import type { CheckpointRecord, LogEntryRecord } from '../../../common/integrity-log/records';

export interface SyncOutboxOptions {
  store: BenchStore;
  identity: BenchIdentity;
  logger: Logger;
  /** Where the enrolment is recorded as evidence (an admin action); the app always passes its log. */
  integrityLog?: Pick<IntegrityLog, 'append'>;
  maxBatchEntries?: number;
  maxBatchBytes?: number;
  /** First retry waits up to this long; each further failure doubles the ceiling, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  requestTimeoutMs?: number;
  now?: () => Date;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SyncBacklog {
  serverUrl: string | null;
  headSeq: number;
  ackedEntrySeq: number;
  unsentEntries: number;
  unsentCheckpoints: number;
  lastSuccessAt: string | null;
  lastError: { code: string; message: string } | null;
  consecutiveFailures: number;
  /** A refusal no retry can fix: the outbox will not send until someone looks. */
  blocked: boolean;
}

export interface DrainOutcome {
  batches: number;
  entriesAcked: number;
  attempts: number;
  /** Why the drain ended. */
  stopped: 'idle' | 'blocked' | 'attempts' | 'deadline' | 'batches' | 'stopped';
  lastError: SyncError | null;
}

export interface DrainLimits {
  maxBatches?: number;
  /** Failed attempts allowed in a row before giving up for this drain. */
  maxAttempts?: number;
  maxDurationMs?: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Only these refusals block the outbox; everything else is worth trying again later. */
const blockingCodes = new Set(['LOG_GAP', 'LOG_FORK', 'LOG_INVALID', 'BENCH_REVOKED', 'UNKNOWN_BENCH', 'BAD_SIGNATURE', 'NOT_ENROLLED']);

export class SyncOutbox {
  readonly #store: BenchStore;
  readonly #identity: BenchIdentity;
  readonly #logger: Logger;
  readonly #integrityLog: Pick<IntegrityLog, 'append'> | null;
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #stopRequested = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(options: SyncOutboxOptions) {
    this.#store = options.store;
    this.#identity = options.identity;
    this.#logger = options.logger;
    this.#integrityLog = options.integrityLog ?? null;
    this.#maxEntries = Math.min(options.maxBatchEntries ?? DEFAULT_BATCH_ENTRIES, MAX_BATCH_ENTRIES);
    this.#maxBytes = Math.min(options.maxBatchBytes ?? MAX_BATCH_BYTES / 2, MAX_BATCH_BYTES);
    this.#baseDelayMs = options.baseDelayMs ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    this.#timeoutMs = options.requestTimeoutMs ?? 15_000;
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  backlog(): SyncBacklog {
    const state = this.#store.syncState.get();
    const headSeq = this.#store.integrityLog.head()?.seq ?? 0;
    const unsentCheckpoints = this.#store.integrityLog.checkpointsAfter(state.ackedCheckpointSeq, MAX_BATCH_ENTRIES + 1).length;
    return {
      serverUrl: state.serverUrl,
      headSeq,
      ackedEntrySeq: state.ackedEntrySeq,
      unsentEntries: Math.max(0, headSeq - state.ackedEntrySeq),
      unsentCheckpoints,
      lastSuccessAt: state.lastSuccessAt,
      lastError: state.lastErrorCode ? { code: state.lastErrorCode, message: state.lastErrorMessage ?? '' } : null,
      consecutiveFailures: state.consecutiveFailures,
      blocked: state.lastErrorCode !== null && blockingCodes.has(state.lastErrorCode),
    };
  }

  /** Registers this bench with the server using a one-time code from the server admin. */
  async enrol(serverUrl: string, code: string): Promise<EnrolResponse> {
    const url = new URL(serverUrl);
    const response = await sendSignedRequest({
      serverUrl: url.origin,
      identity: this.#identity,
      method: 'POST',
      path: ENROL_PATH,
      body: { code, benchId: this.#identity.benchId, publicKey: this.#identity.publicKey },
      responseSchema: enrolResponseSchema,
      timeoutMs: this.#timeoutMs,
      now: this.#now,
    });
    this.#store.syncState.setEnrolment(url.origin, response.enrolledAt, this.#now().toISOString());
    // A first directive the server handed over is recorded by hash; the pack update verifies and applies it.
    const firstDirectiveSha256 = response.directive ? sha256Hex(Buffer.from(response.directive, 'base64')) : null;
    this.#integrityLog?.append('sync.enrolled', { serverUrl: url.origin, benchId: response.benchId, enrolledAt: response.enrolledAt, firstDirectiveSha256 });
    return response;
  }

  /** The next batch to send, or null when the server has everything. Overlaps acknowledged entries only to carry a late checkpoint. */
  nextBatch(): LogBatch | null {
    const state = this.#store.syncState.get();
    const pendingCheckpoints = this.#store.integrityLog.checkpointsAfter(state.ackedCheckpointSeq, this.#maxEntries);
    let start = state.ackedEntrySeq + 1;
    const firstCheckpoint = pendingCheckpoints[0];
    // A checkpoint signed after its entry was sent travels with that entry again, so the server can check it.
    if (firstCheckpoint && firstCheckpoint.seq < start) start = firstCheckpoint.seq;
    const entries: LogEntryRecord[] = [];
    let bytes = 0;
    for (const entry of this.#store.integrityLog.entriesFrom(start, this.#maxEntries)) {
      const size = JSON.stringify(entry).length + 1;
      if (entries.length > 0 && bytes + size > this.#maxBytes) break;
      entries.push(entry);
      bytes += size;
    }
    const first = entries[0];
    const last = entries.at(-1);
    if (!first || !last) return null;
    const checkpoints: CheckpointRecord[] = pendingCheckpoints.filter((c) => c.seq >= first.seq && c.seq <= last.seq);
    if (last.seq <= state.ackedEntrySeq && checkpoints.length === 0) return null;
    return { entries, checkpoints };
  }

  /** Sends one batch. Returns null when there is nothing to send; throws SyncError on failure (recorded). */
  async pushOnce(): Promise<{ batch: LogBatch; ack: LogAck } | null> {
    const state = this.#store.syncState.get();
    if (!state.serverUrl) throw this.#fail(new SyncError('NOT_ENROLLED', 'This bench is not enrolled with a central server yet.', false));
    const batch = this.nextBatch();
    if (!batch) return null;
    const last = batch.entries.at(-1) as LogEntryRecord;
    let ack: LogAck;
    try {
      ack = await sendSignedRequest({
        serverUrl: state.serverUrl,
        identity: this.#identity,
        method: 'POST',
        path: LOG_BATCH_PATH,
        body: batch,
        responseSchema: logAckSchema,
        timeoutMs: this.#timeoutMs,
        now: this.#now,
      });
    } catch (error) {
      throw this.#fail(error instanceof SyncError ? error : new SyncError('NETWORK_ERROR', String(error), true));
    }
    if (ack.benchId !== this.#identity.benchId || ack.throughSeq !== last.seq || ack.throughHash !== last.entryHash) {
      throw this.#fail(new SyncError('BAD_RESPONSE', `The server acknowledged ${ack.throughSeq} for a batch ending at ${last.seq}; nothing was marked sent.`, true));
    }
    const checkpointSeq = batch.checkpoints.at(-1)?.seq ?? state.ackedCheckpointSeq;
    this.#store.syncState.recordAck({ entrySeq: last.seq, entryHash: last.entryHash, checkpointSeq }, this.#now().toISOString());
    return { batch, ack };
  }

  /** Full jitter: a random wait up to an exponentially growing ceiling, so a fleet does not retry in step; a server's Retry-After first. */
  retryDelayMs(failuresInARow: number, failure: SyncError | null = null): number {
    return retryDelayMs(failure, failuresInARow, { baseDelayMs: this.#baseDelayMs, maxDelayMs: this.#maxDelayMs }, this.#random);
  }

  /** Sends batches until the backlog is empty, a refusal blocks, or a limit is reached. */
  async drain(limits: DrainLimits = {}): Promise<DrainOutcome> {
    const maxBatches = limits.maxBatches ?? 10_000;
    const maxAttempts = limits.maxAttempts ?? 8;
    const deadline = Date.now() + (limits.maxDurationMs ?? 5 * 60_000);
    const outcome: DrainOutcome = { batches: 0, entriesAcked: 0, attempts: 0, stopped: 'idle', lastError: null };
    let failuresInARow = 0;
    while (outcome.batches < maxBatches) {
      if (this.#stopRequested) return { ...outcome, stopped: 'stopped' };
      if (Date.now() >= deadline) return { ...outcome, stopped: 'deadline' };
      outcome.attempts += 1;
      try {
        const before = this.#store.syncState.get().ackedEntrySeq;
        const sent = await this.pushOnce();
        if (!sent) return { ...outcome, stopped: 'idle' };
        outcome.batches += 1;
        outcome.entriesAcked += Math.max(0, sent.ack.throughSeq - before);
        failuresInARow = 0;
      } catch (error) {
        // Anything but a SyncError is a local failure (the store): retrying the network will not fix it.
        if (!(error instanceof SyncError)) throw error;
        const failure = error;
        outcome.lastError = failure;
        if (!failure.retryable || blockingCodes.has(failure.code)) return { ...outcome, stopped: 'blocked' };
        // A server that sheds load (429 with Retry-After) is working, not failing: its wait is honoured and
        // does not use up the drain's attempts; the drain's deadline still bounds it.
        if (failure.retryAfterMs === undefined) failuresInARow += 1;
        if (failuresInARow >= maxAttempts) return { ...outcome, stopped: 'attempts' };
        const delay = Math.min(this.retryDelayMs(Math.max(1, failuresInARow), failure), Math.max(0, deadline - Date.now()));
        await this.#sleepUnlessStopped(delay);
      }
    }
    return { ...outcome, stopped: 'batches' };
  }

  /** Drains in the background every `intervalMs` until stop(); nudge() drains at once (after a session). */
  start(intervalMs = 30_000): void {
    if (this.#loop) return;
    this.#stopRequested = false;
    this.#loop = (async () => {
      while (!this.#stopRequested) {
        const outcome = await this.drain({ maxDurationMs: Math.max(intervalMs, 60_000) });
        if (outcome.lastError && outcome.stopped !== 'idle') {
          this.#logger.warn({ code: outcome.lastError.code, stopped: outcome.stopped }, 'sync outbox paused');
        }
        await this.#sleepUnlessStopped(intervalMs);
      }
    })();
  }

  nudge(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopRequested = true;
    this.#wake?.();
    await this.#loop;
    this.#loop = null;
  }

  #sleepUnlessStopped(ms: number): Promise<void> {
    if (this.#stopRequested || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      this.#wake = done;
      if (this.#sleep === defaultSleep) timer = setTimeout(done, ms);
      else void this.#sleep(ms).then(done);
    });
  }

  #fail(error: SyncError): SyncError {
    this.#store.syncState.recordFailure(error.code, error.message, this.#now().toISOString());
    this.#logger.warn({ code: error.code, retryable: error.retryable }, 'sync attempt failed');
    return error;
  }
}
