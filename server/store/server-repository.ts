/**
 * Every query of the central server, in one place and in Kysely, so the same code runs on SQLite and on
 * PostgreSQL. Writes that must agree with each other (enrolment, a log batch) run in one transaction.
 */
import { sql, type CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { randomUUID } from 'node:crypto';
import { GENESIS_HASH } from '../../common/integrity-log/log-format';
import { ServerError } from '../server-error';
import { activationInsert, extractFacts, indexLogEntries, sessionUpsert } from './session-indexer';
import type { DialectName } from './database';
import type { BenchTable, LogCheckpointTable, LogEntryTable, ServerDatabase } from './schema';
import { bulkInsert, type BulkInsertShape } from './bulk-insert';
import { binaryArray } from './postgres-binary-array';
import { Statement, type RowColumns } from './statement';
import { WalSync } from './wal-sync';
import type { CheckpointRecord, LogEntryRecord } from '../../common/integrity-log/records';

export type BenchRecord = BenchTable;

export interface AlarmRecord {
  alarmId: string;
  benchId: string;
  kind: string;
  message: string;
  detail: Record<string, unknown>;
  raisedAt: string;
}

export interface StoredLogEntry extends LogEntryRecord {
  receivedAt: string;
}

/**
 * What a verified log batch writes: the entries after the head it was verified against, its checkpoints
 * (those already stored are left as they are: a re-sent batch carries them again), and the new head.
 */
export interface LogAppend {
  /** The bench's head the batch was verified against; nothing is written unless it is still the head. */
  expectedHead: { seq: number; hash: string };
  /**
   * The new head. `sealedThrough` is the batch's highest checkpoint: the stored value is raised to it, never
   * lowered (a checkpoint re-sent with its entry raises it without moving the head, and a batch verified
   * against that same head may not know).
   */
  head: { seq: number; hash: string; sealedThrough: number };
  entries: readonly LogEntryRecord[];
  checkpoints: readonly CheckpointRecord[];
  receivedAt: string;
}

/** What a log batch may do to one bench, while that bench's row is locked. */
export interface LogBatchTransaction {
  readonly bench: BenchRecord;
  /** Records the request's nonce with the batch; false when it was seen before (a replay). */
  rememberNonce(nonce: string, seenAt: string): Promise<boolean>;
  /** Stored entry hashes for seq in [from, to]. */
  entryHashes(from: number, to: number): Promise<Map<number, string>>;
  /** Writes the batch; the expected head is the locked bench's. */
  append(batch: Omit<LogAppend, 'expectedHead'>): Promise<void>;
}

/** How an optimistic append ended (ServerRepository.appendLogBatch). */
export type AppendOutcome = 'appended' | 'head-moved' | 'replayed';

/**
 * SQLite has one writer and one fsync per commit. Batches that arrive while a commit is running share the
 * next transaction (group commit); each runs in its own savepoint, so a refused batch rolls back alone and
 * every caller is answered only after the commit that holds its rows has returned.
 */
const MAX_GROUP_BATCHES = 32;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface QueuedBatch {
  benchId: string;
  work: (tx: LogBatchTransaction) => Promise<unknown>;
  settle: (outcome: Outcome) => void;
}

export class ServerRepository {
  private readonly queuedBatches: QueuedBatch[] = [];
  private groupCommitRunning = false;

  private readonly walSync: WalSync | null;

  constructor(
    readonly db: Kysely<ServerDatabase>,
    readonly dialect: DialectName,
    /** SQLite's write-ahead log: given, log batches are flushed off the event loop (wal-sync.ts). */
    options: { walFile?: string | null } = {},
  ) {
    this.walSync = dialect === 'sqlite' && options.walFile ? new WalSync(options.walFile) : null;
  }

  /** A trivial query: the database answers (readiness, server/readiness.ts). */
  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.walSync?.close();
  }

  async addEnrolmentCode(row: { codeHash: string; createdAt: string; expiresAt: string; note: string | null }): Promise<void> {
    await this.db
      .insertInto('enrolment_codes')
      .values({ code_hash: row.codeHash, created_at: row.createdAt, expires_at: row.expiresAt, note: row.note, used_at: null, used_by: null })
      .execute();
  }

  /** Uses the code and registers the bench, or refuses with the precise reason; all or nothing. */
  async enrol(request: { codeHash: string; benchId: string; publicKey: string; now: string }): Promise<BenchRecord> {
    return this.db.transaction().execute(async (trx) => {
      const code = await trx.selectFrom('enrolment_codes').selectAll().where('code_hash', '=', request.codeHash).executeTakeFirst();
      if (!code) throw new ServerError('ENROLMENT_CODE_UNKNOWN', 'This enrolment code is not known to the server: check it, or ask the server admin for a new one.');
      if (code.used_at !== null) throw new ServerError('ENROLMENT_CODE_USED', 'This enrolment code has already been used: ask the server admin for a new one.');
      if (code.expires_at <= request.now) throw new ServerError('ENROLMENT_CODE_EXPIRED', `This enrolment code expired at ${code.expires_at}: ask the server admin for a new one.`);
      const existing = await trx
        .selectFrom('benches')
        .select('bench_id')
        .where((eb) => eb.or([eb('bench_id', '=', request.benchId), eb('public_key', '=', request.publicKey)]))
        .executeTakeFirst();
      if (existing) throw new ServerError('ALREADY_ENROLLED', `Bench ${existing.bench_id} is already enrolled with this server; the code was not used.`);
      // The guard on used_at makes two concurrent enrolments with one code impossible.
      const used = await trx
        .updateTable('enrolment_codes')
        .set({ used_at: request.now, used_by: request.benchId })
        .where('code_hash', '=', request.codeHash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) throw new ServerError('ENROLMENT_CODE_USED', 'This enrolment code has just been used by another bench.');
      const bench: BenchRecord = {
        bench_id: request.benchId,
        public_key: request.publicKey,
        status: 'active',
        enrolled_at: request.now,
        revoked_at: null,
        revoke_reason: null,
        head_seq: 0,
        head_hash: GENESIS_HASH,
        sealed_through: 0,
        last_seen_at: request.now,
      };
      await trx.insertInto('benches').values(bench).execute();
      return bench;
    });
  }

  async bench(benchId: string): Promise<BenchRecord | null> {
    return (await this.db.selectFrom('benches').selectAll().where('bench_id', '=', benchId).executeTakeFirst()) ?? null;
  }

  async benches(): Promise<BenchRecord[]> {
    return this.db.selectFrom('benches').selectAll().orderBy('bench_id').execute();
  }

  /**
   * Records that the bench made a signed request at `at`, unless it was already seen after `notBefore`: a
   * bench syncing flat out costs one write a minute, not one per request.
   */
  async markSeen(benchId: string, at: string, notBefore: string): Promise<void> {
    await this.db
      .updateTable('benches')
      .set({ last_seen_at: at })
      .where('bench_id', '=', benchId)
      .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', notBefore)]))
      .execute();
  }

  /** How many alarms of each kind the database holds (alarms are never deleted, so each count only grows). */
  async alarmCounts(): Promise<{ kind: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('alarms')
      .select((eb) => ['kind', eb.fn.countAll<number | string | bigint>().as('count')])
      .groupBy('kind')
      .orderBy('kind')
      .execute();
    return rows.map((row) => ({ kind: row.kind, count: Number(row.count) }));
  }

  async revoke(benchId: string, reason: string, now: string): Promise<BenchRecord> {
    const result = await this.db
      .updateTable('benches')
      .set({ status: 'revoked', revoked_at: now, revoke_reason: reason })
      .where('bench_id', '=', benchId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    const bench = await this.bench(benchId);
    if (!bench) throw new ServerError('NOT_FOUND', `No bench ${benchId} is enrolled with this server.`);
    if (Number(result.numUpdatedRows) === 0 && bench.status !== 'revoked') throw new ServerError('INTERNAL', `Bench ${benchId} could not be revoked.`);
    return bench;
  }

  /** Records a request nonce; false when this bench has used it before (a replay). */
  async rememberNonce(benchId: string, nonce: string, seenAt: string): Promise<boolean> {
    const result = await this.db
      .insertInto('request_nonces')
      .values({ bench_id: benchId, nonce, seen_at: seenAt })
      .onConflict((oc) => oc.columns(['bench_id', 'nonce']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Nonces older than the clock-skew window can no longer be replayed (the time check refuses them). */
  async forgetNoncesBefore(cutoff: string): Promise<void> {
    await this.db.deleteFrom('request_nonces').where('seen_at', '<', cutoff).execute();
  }

  /** Runs `work` with the bench's row locked against concurrent batches; commits only if it returns. */
  async withBenchLocked<T>(benchId: string, work: (tx: LogBatchTransaction) => Promise<T>): Promise<T> {
    // PostgreSQL commits concurrent transactions in parallel and groups their WAL flushes itself.
    if (this.dialect === 'postgres') return this.db.transaction().execute((trx) => runWithBenchRow(trx, benchId, work, 'postgres'));
    return new Promise<T>((resolve, reject) => {
      this.queuedBatches.push({ benchId, work, settle: (outcome) => (outcome.ok ? resolve(outcome.value as T) : reject(outcome.error)) });
      if (!this.groupCommitRunning) {
        this.groupCommitRunning = true;
        setImmediate(() => void this.commitQueuedGroups());
      }
    });
  }

  /**
   * Writes a batch verified against the head the caller read without a lock, if that is still the bench's
   * head (and the bench is still active), with the request's nonce: 'head-moved' when it is not (nothing is
   * written; judge the batch again under the lock), 'replayed' when the nonce was used before. On
   * PostgreSQL this is one statement, so one round trip and one commit.
   */
  async appendLogBatch(benchId: string, nonce: string, batch: LogAppend): Promise<AppendOutcome> {
    if (this.dialect === 'postgres') {
      try {
        const appended = await this.db.executeQuery(postgresAppend(benchId, batch, { nonce, seenAt: batch.receivedAt }));
        return appended.rows.length === 1 ? 'appended' : 'head-moved';
      } catch (error) {
        if (isNonceConflict(error)) return 'replayed';
        throw error;
      }
    }
    return this.withBenchLocked(benchId, async (tx): Promise<AppendOutcome> => {
      if (tx.bench.status !== 'active' || tx.bench.head_seq !== batch.expectedHead.seq || tx.bench.head_hash !== batch.expectedHead.hash) return 'head-moved';
      if (!(await tx.rememberNonce(nonce, batch.receivedAt))) return 'replayed';
      await tx.append(batch);
      return 'appended';
    });
  }

  private async commitQueuedGroups(): Promise<void> {
    while (this.queuedBatches.length > 0) {
      const group = this.queuedBatches.splice(0, MAX_GROUP_BATCHES);
      let outcomes: Outcome[];
      try {
        outcomes = await this.commitGroup(group);
      } catch (error) {
        // The commit itself failed (disk full, I/O error): nothing of the group is stored or acknowledged.
        for (const batch of group) batch.settle({ ok: false, error });
        continue;
      }
      const answer = () => group.forEach((batch, index) => batch.settle(outcomes[index] ?? { ok: false, error: new ServerError('INTERNAL', 'A log batch lost its outcome.') }));
      if (!this.walSync) {
        answer();
        continue;
      }
      // Committed but not yet on disk: answered once the WAL is flushed, while the next group is written.
      this.walSync.flush().then(answer, (error: unknown) => {
        const refusal = new ServerError('INTERNAL', `The server could not make the batch durable: ${error instanceof Error ? error.message : String(error)}. Nothing was acknowledged; the bench keeps its data and retries.`, { cause: error });
        for (const batch of group) batch.settle({ ok: false, error: refusal });
      });
    }
    this.groupCommitRunning = false;
  }

  private async commitGroup(group: QueuedBatch[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const runAll = async (trx: Transaction<ServerDatabase>) => {
      for (const [index, batch] of group.entries()) {
        const savepoint = sql.raw(`batch_${index}`);
        await sql`SAVEPOINT ${savepoint}`.execute(trx);
        try {
          outcomes.push({ ok: true, value: await runWithBenchRow(trx, batch.benchId, batch.work, 'sqlite') });
        } catch (error) {
          await sql`ROLLBACK TO ${savepoint}`.execute(trx);
          outcomes.push({ ok: false, error });
        }
        await sql`RELEASE ${savepoint}`.execute(trx);
      }
    };
    if (!this.walSync) {
      await this.db.transaction().execute(runAll);
      return outcomes;
    }
    // The connection is held throughout, so no other write commits while the log is not flushed at COMMIT.
    await this.db.connection().execute(async (connection) => {
      await sql`PRAGMA synchronous = NORMAL`.execute(connection);
      try {
        await connection.transaction().execute(runAll);
      } finally {
        await sql`PRAGMA synchronous = FULL`.execute(connection);
      }
    });
    return outcomes;
  }

  async raiseAlarm(alarm: { benchId: string; kind: string; message: string; detail: Record<string, unknown>; raisedAt: string }): Promise<AlarmRecord> {
    const alarmId = randomUUID();
    await this.db
      .insertInto('alarms')
      .values({ alarm_id: alarmId, bench_id: alarm.benchId, kind: alarm.kind, message: alarm.message, detail_json: JSON.stringify(alarm.detail), raised_at: alarm.raisedAt })
      .execute();
    return { alarmId, ...alarm };
  }

  async alarms(benchId?: string): Promise<AlarmRecord[]> {
    let query = this.db.selectFrom('alarms').selectAll();
    if (benchId) query = query.where('bench_id', '=', benchId);
    const rows = await query.orderBy('raised_at').orderBy('alarm_id').execute();
    return rows.map((row) => ({
      alarmId: row.alarm_id,
      benchId: row.bench_id,
      kind: row.kind,
      message: row.message,
      detail: JSON.parse(row.detail_json) as Record<string, unknown>,
      raisedAt: row.raised_at,
    }));
  }

  async entries(benchId: string, fromSeq: number, limit: number): Promise<StoredLogEntry[]> {
    const rows = await this.db
      .selectFrom('log_entries')
      .selectAll()
      .where('bench_id', '=', benchId)
      .where('seq', '>=', fromSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(storedEntry);
  }

  /**
   * One page of a bench's stored log, read by primary-key range whatever the log's length: the entries
   * [fromSeq, fromSeq + limit), the entry before them (the page's chain starts from its hash), the
   * checkpoints inside the page and the first checkpoint at or after its last entry (the one sealing it).
   */
  async logPage(benchId: string, fromSeq: number, limit: number): Promise<LogPage> {
    const rows = await this.db
      .selectFrom('log_entries')
      .selectAll()
      .where('bench_id', '=', benchId)
      .where('seq', '>=', fromSeq - 1)
      .where('seq', '<', fromSeq + limit)
      .orderBy('seq')
      .execute();
    const entries = rows.map(storedEntry);
    const anchor = entries[0]?.seq === fromSeq - 1 ? (entries.shift() ?? null) : null;
    const lastSeq = entries.at(-1)?.seq ?? fromSeq - 1;
    if (entries.length === 0) return { anchor: anchor ? { seq: anchor.seq, entryHash: anchor.entryHash } : null, entries, checkpoints: [], sealing: null };
    // The page's checkpoints and the one sealing its last entry, in one query: those from fromSeq up to the
    // first at or after lastSeq (up to lastSeq when none is).
    const checkpointRows = await this.db
      .selectFrom('log_checkpoints')
      .selectAll()
      .where('bench_id', '=', benchId)
      .where('seq', '>=', fromSeq)
      .where(({ eb, fn, selectFrom, val }) =>
        eb('seq', '<=', fn.coalesce(selectFrom('log_checkpoints').select(fn.min<number>('seq').as('sealing_seq')).where('bench_id', '=', benchId).where('seq', '>=', lastSeq), val(lastSeq))),
      )
      .orderBy('seq')
      .execute();
    const found = checkpointRows.map(storedCheckpoint);
    const sealing = found.at(-1)?.seq ?? 0;
    return {
      anchor: anchor ? { seq: anchor.seq, entryHash: anchor.entryHash } : null,
      entries,
      checkpoints: found.filter((checkpoint) => checkpoint.seq <= lastSeq),
      sealing: sealing >= lastSeq ? (found.at(-1) ?? null) : null,
    };
  }

  async checkpoints(benchId: string): Promise<CheckpointRecord[]> {
    const rows = await this.db.selectFrom('log_checkpoints').selectAll().where('bench_id', '=', benchId).orderBy('seq').execute();
    return rows.map(storedCheckpoint);
  }

  /** The checkpoints sealing entries from..through, by primary-key range. */
  async checkpointsBetween(benchId: string, from: number, through: number): Promise<CheckpointRecord[]> {
    const rows = await this.db.selectFrom('log_checkpoints').selectAll().where('bench_id', '=', benchId).where('seq', '>=', from).where('seq', '<=', through).orderBy('seq').execute();
    return rows.map(storedCheckpoint);
  }
}

/** A page of a stored log (ServerRepository.logPage). */
export interface LogPage {
  /** The entry just before the page (null on the first page, or when it is missing). */
  anchor: { seq: number; entryHash: string } | null;
  entries: StoredLogEntry[];
  /** Checkpoints of entries inside the page. */
  checkpoints: CheckpointRecord[];
  /** The first checkpoint at or after the page's last entry; null while the page is not sealed yet. */
  sealing: CheckpointRecord | null;
}

const storedEntry = (row: LogEntryTable): StoredLogEntry => ({
  seq: Number(row.seq),
  prevHash: row.prev_hash,
  entryHash: row.entry_hash,
  recordedAt: row.recorded_at,
  type: row.type,
  payloadJson: row.payload_json,
  receivedAt: row.received_at,
});

const storedCheckpoint = (row: LogCheckpointTable): CheckpointRecord => ({ seq: Number(row.seq), entryHash: row.entry_hash, signedAt: row.signed_at, signature: row.signature });

async function runWithBenchRow<T>(trx: Transaction<ServerDatabase>, benchId: string, work: (tx: LogBatchTransaction) => Promise<T>, dialect: DialectName): Promise<T> {
  let query = trx.selectFrom('benches').selectAll().where('bench_id', '=', benchId);
  // SQLite has one writer and no FOR UPDATE; PostgreSQL needs the row lock.
  if (dialect === 'postgres') query = query.forUpdate();
  const bench = await query.executeTakeFirst();
  if (!bench) throw new ServerError('UNKNOWN_BENCH', `Bench ${benchId} is not enrolled with this server.`);
  return work(logBatchTransaction(trx, bench, dialect));
}

const entryRows: BulkInsertShape<LogEntryTable> = {
  table: 'log_entries',
  columns: ['bench_id', 'seq', 'prev_hash', 'entry_hash', 'recorded_at', 'type', 'payload_json', 'received_at'],
  onConflict: '',
};

const checkpointRows: BulkInsertShape<LogCheckpointTable> = {
  table: 'log_checkpoints',
  columns: ['bench_id', 'seq', 'entry_hash', 'signed_at', 'signature', 'received_at'],
  // A re-sent batch carries checkpoints already stored: they are left as they are.
  onConflict: 'ON CONFLICT (bench_id, seq) DO NOTHING',
};

function logBatchTransaction(trx: Transaction<ServerDatabase>, bench: BenchRecord, dialect: DialectName): LogBatchTransaction {
  const benchId = bench.bench_id;
  return {
    bench: { ...bench, head_seq: Number(bench.head_seq), sealed_through: Number(bench.sealed_through) },
    async rememberNonce(nonce, seenAt) {
      const result = await trx
        .insertInto('request_nonces')
        .values({ bench_id: benchId, nonce, seen_at: seenAt })
        .onConflict((oc) => oc.columns(['bench_id', 'nonce']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async entryHashes(from, to) {
      const rows = await trx
        .selectFrom('log_entries')
        .select(['seq', 'entry_hash'])
        .where('bench_id', '=', benchId)
        .where('seq', '>=', from)
        .where('seq', '<=', to)
        .execute();
      return new Map(rows.map((row) => [Number(row.seq), row.entry_hash]));
    },
    async append(batch) {
      if (dialect === 'postgres') {
        // Under the lock the guard on the head always holds.
        const appended = await trx.executeQuery(postgresAppend(benchId, { ...batch, expectedHead: { seq: Number(bench.head_seq), hash: bench.head_hash } }, null));
        if (appended.rows.length !== 1) throw new ServerError('INTERNAL', `Bench ${benchId} changed while its row was locked.`);
        return;
      }
      // SQLite runs in-process: a statement per table costs no round trip. The entries are one multi-row
      // statement per chunk, its text built once per shape and its prepared form cached by the driver.
      const { entries, receivedAt } = batch;
      if (entries.length > 0) {
        await bulkInsert(
          trx,
          dialect,
          entryRows,
          entries.map((e) => ({ bench_id: benchId, seq: e.seq, prev_hash: e.prevHash, entry_hash: e.entryHash, recorded_at: e.recordedAt, type: e.type, payload_json: e.payloadJson, received_at: receivedAt })),
        );
        // Sessions and activation reports are indexed in the same transaction as the entries they come from.
        await indexLogEntries(trx, dialect, benchId, entries);
      }
      await bulkInsert(
        trx,
        dialect,
        checkpointRows,
        batch.checkpoints.map((c) => ({ bench_id: benchId, seq: c.seq, entry_hash: c.entryHash, signed_at: c.signedAt, signature: c.signature, received_at: receivedAt })),
      );
      await trx
        .updateTable('benches')
        .set({ head_seq: batch.head.seq, head_hash: batch.head.hash, sealed_through: sql<number>`MAX(sealed_through, ${batch.head.sealedThrough})` })
        .where('bench_id', '=', benchId)
        .execute();
    },
  };
}

/**
 * The whole of a log batch as one PostgreSQL statement: the bench's row is updated only if its head is the
 * one the batch was verified against (the update takes the row lock; a concurrent batch that moved the head
 * first leaves it unmatched), and every insert reads that update's row, so all of them happen or none does.
 * The entries travel as binary arrays (postgres-binary-array.ts), the smaller row sets as one jsonb parameter
 * each (statement.ts), so the statement's text stays short whatever the batch holds. A nonce already used
 * fails the statement on its primary key.
 */
function postgresAppend(benchId: string, batch: LogAppend, nonce: { nonce: string; seenAt: string } | null): CompiledQuery<unknown> {
  const statement = new Statement('postgres');
  const guard = 'EXISTS (SELECT 1 FROM head)';
  const { sessions, activations } = extractFacts(batch.entries);
  const parts = [
    `head AS (UPDATE benches SET head_seq = ${statement.param(batch.head.seq, 'integer')}, head_hash = ${statement.param(batch.head.hash, 'text')},
      sealed_through = GREATEST(sealed_through, ${statement.param(batch.head.sealedThrough, 'integer')})
      WHERE bench_id = ${statement.param(benchId, 'text')} AND status = 'active'
        AND head_seq = ${statement.param(batch.expectedHead.seq, 'integer')} AND head_hash = ${statement.param(batch.expectedHead.hash, 'text')}
      RETURNING bench_id)`,
  ];
  if (nonce) {
    parts.push(`nonce AS (INSERT INTO request_nonces (bench_id, nonce, seen_at) SELECT bench_id, ${statement.param(nonce.nonce, 'text')}, ${statement.param(nonce.seenAt, 'text')} FROM head)`);
  }
  if (batch.entries.length > 0) {
    const entries = batch.entries;
    const texts = (values: string[]) => `${statement.param(binaryArray('text', values))}::text[]`;
    parts.push(`entries AS (INSERT INTO log_entries (bench_id, seq, prev_hash, entry_hash, recorded_at, type, payload_json, received_at)
      SELECT head.bench_id, e.*, ${statement.param(batch.receivedAt, 'text')}
      FROM head, unnest(${statement.param(binaryArray('integer', entries.map((e) => e.seq)))}::integer[], ${texts(entries.map((e) => e.prevHash))},
        ${texts(entries.map((e) => e.entryHash))}, ${texts(entries.map((e) => e.recordedAt))}, ${texts(entries.map((e) => e.type))},
        ${texts(entries.map((e) => e.payloadJson))}) AS e)`);
  }
  if (sessions.size > 0) parts.push(`sessions AS (${sessionUpsert(statement, benchId, [...sessions.values()], guard)})`);
  if (activations.length > 0) parts.push(`activations AS (${activationInsert(statement, benchId, activations, guard)})`);
  if (batch.checkpoints.length > 0) {
    const checkpoints = batch.checkpoints.map((c) => ({ seq: c.seq, entry_hash: c.entryHash, signed_at: c.signedAt, signature: c.signature }));
    parts.push(`checkpoints AS (INSERT INTO log_checkpoints (bench_id, seq, entry_hash, signed_at, signature, received_at)
      SELECT head.bench_id, c.*, ${statement.param(batch.receivedAt, 'text')} FROM head, ${statement.rows('c', CHECKPOINT_COLUMNS, checkpoints)}
      ON CONFLICT (bench_id, seq) DO NOTHING)`);
  }
  return statement.compile(`WITH ${parts.join(',\n')} SELECT bench_id FROM head`);
}

// In table order: the insert above selects `c.*`.
const CHECKPOINT_COLUMNS: RowColumns<Omit<LogCheckpointTable, 'bench_id' | 'received_at'>> = [
  ['seq', 'integer'],
  ['entry_hash', 'text'],
  ['signed_at', 'text'],
  ['signature', 'text'],
];

function isNonceConflict(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505' && (error as { constraint?: unknown }).constraint === 'request_nonces_pk';
}
