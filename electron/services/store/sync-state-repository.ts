import type Database from 'better-sqlite3';

/** Where the sync outbox stands: the server it talks to and what that server has acknowledged. */
export interface SyncState {
  serverUrl: string | null;
  enrolledAt: string | null;
  ackedEntrySeq: number;
  ackedEntryHash: string | null;
  ackedCheckpointSeq: number;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  consecutiveFailures: number;
}

interface SyncStateRow {
  server_url: string | null;
  enrolled_at: string | null;
  acked_entry_seq: number;
  acked_entry_hash: string | null;
  acked_checkpoint_seq: number;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error_code: string | null;
  last_error_message: string | null;
  consecutive_failures: number;
}

const initial: SyncState = {
  serverUrl: null,
  enrolledAt: null,
  ackedEntrySeq: 0,
  ackedEntryHash: null,
  ackedCheckpointSeq: 0,
  lastAttemptAt: null,
  lastSuccessAt: null,
  lastErrorCode: null,
  lastErrorMessage: null,
  consecutiveFailures: 0,
};

/** One row, written in one statement per change under synchronous=FULL: the position survives a crash. */
export class SyncStateRepository {
  readonly #select: Database.Statement<[], SyncStateRow>;
  readonly #ensure: Database.Statement<[string]>;
  readonly #setEnrolment: Database.Statement<[string, string, string]>;
  readonly #recordAck: Database.Statement<[{ seq: number; hash: string; checkpointSeq: number; now: string }]>;
  readonly #recordFailure: Database.Statement<[{ code: string; message: string; now: string }]>;

  constructor(db: Database.Database) {
    this.#select = db.prepare('SELECT * FROM sync_state WHERE singleton = 1');
    this.#ensure = db.prepare('INSERT INTO sync_state (singleton, updated_at) VALUES (1, ?) ON CONFLICT(singleton) DO NOTHING');
    this.#setEnrolment = db.prepare('UPDATE sync_state SET server_url = ?, enrolled_at = ?, updated_at = ? WHERE singleton = 1');
    // MAX() keeps the position monotonic even if an old acknowledgement arrives late.
    this.#recordAck = db.prepare(
      `UPDATE sync_state SET
         acked_entry_hash = CASE WHEN @seq >= acked_entry_seq THEN @hash ELSE acked_entry_hash END,
         acked_entry_seq = MAX(acked_entry_seq, @seq),
         acked_checkpoint_seq = MAX(acked_checkpoint_seq, @checkpointSeq),
         last_attempt_at = @now, last_success_at = @now, last_error_code = NULL, last_error_message = NULL,
         consecutive_failures = 0, updated_at = @now
       WHERE singleton = 1`,
    );
    this.#recordFailure = db.prepare(
      `UPDATE sync_state SET last_attempt_at = @now, last_error_code = @code, last_error_message = @message,
         consecutive_failures = consecutive_failures + 1, updated_at = @now WHERE singleton = 1`,
    );
  }

  get(): SyncState {
    const row = this.#select.get();
    if (!row) return { ...initial };
    return {
      serverUrl: row.server_url,
      enrolledAt: row.enrolled_at,
      ackedEntrySeq: row.acked_entry_seq,
      ackedEntryHash: row.acked_entry_hash,
      ackedCheckpointSeq: row.acked_checkpoint_seq,
      lastAttemptAt: row.last_attempt_at,
      lastSuccessAt: row.last_success_at,
      lastErrorCode: row.last_error_code,
      lastErrorMessage: row.last_error_message,
      consecutiveFailures: row.consecutive_failures,
    };
  }

  setEnrolment(serverUrl: string, enrolledAt: string, now: string): void {
    this.#ensure.run(now);
    this.#setEnrolment.run(serverUrl, enrolledAt, now);
  }

  recordAck(ack: { entrySeq: number; entryHash: string; checkpointSeq: number }, now: string): void {
    this.#ensure.run(now);
    this.#recordAck.run({ seq: ack.entrySeq, hash: ack.entryHash, checkpointSeq: ack.checkpointSeq, now });
  }

  recordFailure(code: string, message: string, now: string): void {
    this.#ensure.run(now);
    this.#recordFailure.run({ code, message, now });
  }
}
