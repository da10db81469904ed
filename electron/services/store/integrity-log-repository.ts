import type Database from 'better-sqlite3';
import type { CheckpointRecord, LogEntryRecord } from '../../../common/integrity-log/records';

export interface LogSearch {
  /** Entry types starting with this, e.g. "auth." or "admin.operator". */
  typePrefix?: string;
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
  /** Only entries older than this sequence number (paging backwards). */
  beforeSeq?: number;
  limit: number;
}

interface EntryRow {
  seq: number;
  prev_hash: string;
  entry_hash: string;
  recorded_at: string;
  type: string;
  payload_json: string;
}

interface CheckpointRow {
  seq: number;
  entry_hash: string;
  signed_at: string;
  signature: string;
}

const toEntry = (row: EntryRow): LogEntryRecord => ({
  seq: row.seq,
  prevHash: row.prev_hash,
  entryHash: row.entry_hash,
  recordedAt: row.recorded_at,
  type: row.type,
  payloadJson: row.payload_json,
});

const toCheckpoint = (row: CheckpointRow): CheckpointRecord => ({
  seq: row.seq,
  entryHash: row.entry_hash,
  signedAt: row.signed_at,
  signature: row.signature,
});

/**
 * Storage of the hash-chained integrity log. Appends run in an IMMEDIATE transaction so the head read
 * and the insert cannot interleave with another writer; the chain itself is computed by the caller.
 */
export class IntegrityLogRepository {
  readonly #head: Database.Statement<[], EntryRow>;
  readonly #insertEntry: Database.Statement<[number, string, string, string, string, string]>;
  readonly #insertCheckpoint: Database.Statement<[number, string, string, string]>;
  readonly #entriesFrom: Database.Statement<[number, number], EntryRow>;
  readonly #checkpoints: Database.Statement<[], CheckpointRow>;
  readonly #search: Database.Statement<Record<string, string | number | null>, EntryRow>;
  readonly #lastCheckpoint: Database.Statement<[], CheckpointRow>;
  readonly #checkpointsAfter: Database.Statement<[number, number], CheckpointRow>;

  constructor(private readonly db: Database.Database) {
    this.#head = db.prepare('SELECT * FROM integrity_log ORDER BY seq DESC LIMIT 1');
    this.#insertEntry = db.prepare(
      'INSERT INTO integrity_log (seq, prev_hash, entry_hash, recorded_at, type, payload_json) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#insertCheckpoint = db.prepare('INSERT INTO integrity_checkpoints (seq, entry_hash, signed_at, signature) VALUES (?, ?, ?, ?)');
    this.#entriesFrom = db.prepare('SELECT * FROM integrity_log WHERE seq >= ? ORDER BY seq LIMIT ?');
    this.#checkpoints = db.prepare('SELECT * FROM integrity_checkpoints ORDER BY seq');
    // A prefix compare rather than LIKE: entry types may contain '_', which LIKE treats as a wildcard.
    this.#search = db.prepare(`
      SELECT * FROM integrity_log
      WHERE (@prefix IS NULL OR substr(type, 1, length(@prefix)) = @prefix)
        AND (@from IS NULL OR recorded_at >= @from)
        AND (@to IS NULL OR recorded_at <= @to)
        AND (@before IS NULL OR seq < @before)
      ORDER BY seq DESC
      LIMIT @limit`);
    this.#lastCheckpoint = db.prepare('SELECT * FROM integrity_checkpoints ORDER BY seq DESC LIMIT 1');
    this.#checkpointsAfter = db.prepare('SELECT * FROM integrity_checkpoints WHERE seq > ? ORDER BY seq LIMIT ?');
  }

  /** Runs `build` with the current head and stores the entry it returns, atomically. */
  append(build: (head: LogEntryRecord | null) => LogEntryRecord): LogEntryRecord {
    return this.db
      .transaction(() => {
        const headRow = this.#head.get();
        const entry = build(headRow ? toEntry(headRow) : null);
        this.#insertEntry.run(entry.seq, entry.prevHash, entry.entryHash, entry.recordedAt, entry.type, entry.payloadJson);
        return entry;
      })
      .immediate();
  }

  head(): LogEntryRecord | null {
    const row = this.#head.get();
    return row ? toEntry(row) : null;
  }

  addCheckpoint(checkpoint: CheckpointRecord): void {
    this.#insertCheckpoint.run(checkpoint.seq, checkpoint.entryHash, checkpoint.signedAt, checkpoint.signature);
  }

  lastCheckpoint(): CheckpointRecord | null {
    const row = this.#lastCheckpoint.get();
    return row ? toCheckpoint(row) : null;
  }

  /** Entries in sequence order, a page at a time so a long log never loads whole. */
  *entries(pageSize = 1000): Generator<LogEntryRecord> {
    let next = 1;
    for (;;) {
      const page = this.#entriesFrom.all(next, pageSize);
      for (const row of page) yield toEntry(row);
      if (page.length < pageSize) return;
      next = (page.at(-1)?.seq ?? next) + 1;
    }
  }

  /** Newest first, for the evidence view. */
  search(query: LogSearch): LogEntryRecord[] {
    return this.#search
      .all({ prefix: query.typePrefix ?? null, from: query.from ?? null, to: query.to ?? null, before: query.beforeSeq ?? null, limit: query.limit })
      .map(toEntry);
  }

  /** Up to `limit` entries from `seq` on, in order (the sync outbox's next batch). */
  entriesFrom(seq: number, limit: number): LogEntryRecord[] {
    return this.#entriesFrom.all(seq, limit).map(toEntry);
  }

  checkpointsAfter(seq: number, limit: number): CheckpointRecord[] {
    return this.#checkpointsAfter.all(seq, limit).map(toCheckpoint);
  }

  checkpoints(): CheckpointRecord[] {
    return this.#checkpoints.all().map(toCheckpoint);
  }
}
