/**
 * Support reads of the session index: find sessions (by id, bench and time, injector serial) and pull one
 * session's trace with its integrity checked. Every lookup goes through an index; a trace is a primary-key
 * range of the bench's log plus the signed checkpoint that seals it, so its cost does not grow with the log.
 */
import type { Kysely } from 'kysely';
import { verifyIntegrityLog, type LogFaultCode } from '../../common/integrity-log/verify-log';
import type { ServerRepository, StoredLogEntry } from './server-repository';
import { withFleetTables, type FleetDatabase, type SessionIndexTable, type SessionOutcome } from './fleet-schema';

export interface SessionSummary {
  benchId: string;
  sessionId: string;
  serial: string | null;
  partNumber: string | null;
  family: string | null;
  packVersion: string | null;
  packSha256: string | null;
  startedAt: string | null;
  endedAt: string | null;
  outcome: SessionOutcome;
  errorClass: string | null;
  firstSeq: number;
  lastSeq: number;
}

/** Where a page of sessions ended: its last row's start, bench and session. */
export interface SessionCursor {
  startedAt: string;
  benchId: string;
  sessionId: string;
}

export const encodeCursor = (s: SessionSummary): string | null => (s.startedAt ? Buffer.from(JSON.stringify([s.startedAt, s.benchId, s.sessionId])).toString('base64url') : null);

export function decodeCursor(text: string): SessionCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3 || !value.every((part) => typeof part === 'string' && part.length <= 100)) return null;
    const [startedAt, benchId, sessionId] = value as [string, string, string];
    return { startedAt, benchId, sessionId };
  } catch {
    return null;
  }
}

export interface SessionQuery {
  sessionId?: string;
  benchId?: string;
  serial?: string;
  /** ISO times, inclusive, on the session's start. */
  from?: string;
  to?: string;
  outcome?: SessionOutcome;
  family?: string;
  limit: number;
  /** Newest first; the next page starts after this row of the previous one (keyset paging, ties included). */
  after?: SessionCursor;
}

/**
 * A trace's integrity: sealed when the entries chain to a checkpoint the bench signed; unsealed when they
 * chain but no checkpoint covers them yet; broken names the first bad entry.
 */
export type TraceIntegrity =
  | { status: 'sealed'; checkpointSeq: number; signedAt: string }
  | { status: 'unsealed'; checkedThrough: number }
  | { status: 'broken'; code: LogFaultCode | 'ENTRY_MISSING'; seq: number; reason: string };

export interface TraceEntry extends StoredLogEntry {
  /** True when the entry names this session; others are what the bench logged meanwhile. */
  sessionEntry: boolean;
}

export interface SessionTrace {
  session: SessionSummary;
  benchStatus: string;
  integrity: TraceIntegrity;
  entries: TraceEntry[];
}

/** A seal further away than this is not fetched; the trace then counts as unsealed. */
export const MAX_SEAL_DISTANCE = 5000;

export function toSummary(row: SessionIndexTable): SessionSummary {
  return {
    benchId: row.bench_id,
    sessionId: row.session_id,
    serial: row.injector_serial,
    partNumber: row.part_number,
    family: row.family,
    packVersion: row.pack_version,
    packSha256: row.pack_sha256,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    outcome: row.outcome,
    errorClass: row.error_class,
    firstSeq: Number(row.first_seq),
    lastSeq: Number(row.last_seq),
  };
}

export class SessionIndexRepository {
  private readonly db: Kysely<FleetDatabase>;

  constructor(private readonly log: ServerRepository) {
    this.db = withFleetTables(log.db);
  }

  async find(query: SessionQuery): Promise<SessionSummary[]> {
    let select = this.db.selectFrom('session_index').selectAll();
    if (query.sessionId) select = select.where('session_id', '=', query.sessionId);
    if (query.benchId) select = select.where('bench_id', '=', query.benchId);
    if (query.serial) select = select.where('injector_serial', '=', query.serial);
    if (query.from) select = select.where('started_at', '>=', query.from);
    if (query.to) select = select.where('started_at', '<=', query.to);
    const after = query.after;
    if (after) {
      // Rows after the cursor in the order below: earlier start, or the same start and a later (bench, session).
      select = select.where((eb) =>
        eb.or([
          eb('started_at', '<', after.startedAt),
          eb.and([eb('started_at', '=', after.startedAt), eb.or([eb('bench_id', '>', after.benchId), eb.and([eb('bench_id', '=', after.benchId), eb('session_id', '>', after.sessionId)])])]),
        ]),
      );
    }
    if (query.outcome) select = select.where('outcome', '=', query.outcome);
    if (query.family) select = select.where('family', '=', query.family);
    const rows = await select.orderBy('started_at', 'desc').orderBy('bench_id').orderBy('session_id').limit(query.limit).execute();
    return rows.map(toSummary);
  }

  async session(benchId: string, sessionId: string): Promise<SessionSummary | null> {
    const row = await this.db.selectFrom('session_index').selectAll().where('bench_id', '=', benchId).where('session_id', '=', sessionId).executeTakeFirst();
    return row ? toSummary(row) : null;
  }

  /** One session's entries and whether they are intact and sealed by the bench's key. */
  async trace(session: SessionSummary): Promise<SessionTrace | null> {
    const bench = await this.db.selectFrom('benches').select(['public_key', 'status']).where('bench_id', '=', session.benchId).executeTakeFirst();
    if (!bench) return null;
    const seal = await this.db
      .selectFrom('log_checkpoints')
      .selectAll()
      .where('bench_id', '=', session.benchId)
      .where('seq', '>=', session.lastSeq)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    const sealSeq = seal && Number(seal.seq) - session.lastSeq <= MAX_SEAL_DISTANCE ? Number(seal.seq) : null;
    const anchorSeq = session.firstSeq - 1;
    const fromSeq = Math.max(1, anchorSeq);
    // A primary-key range read; with a gap (an altered database) it runs past the range and the check names the gap.
    const fetched = (await this.log.entries(session.benchId, fromSeq, (sealSeq ?? session.lastSeq) - fromSeq + 1)).filter((entry) => entry.seq <= (sealSeq ?? session.lastSeq));
    const anchor = anchorSeq >= 1 ? fetched.find((entry) => entry.seq === anchorSeq) : undefined;
    const checked = fetched.filter((entry) => entry.seq >= session.firstSeq);
    const integrity = this.verify(session, bench.public_key, checked, anchorSeq, anchor, seal && sealSeq !== null ? { seq: sealSeq, entryHash: seal.entry_hash, signedAt: seal.signed_at, signature: seal.signature } : null);
    const entries = checked
      .filter((entry) => entry.seq <= session.lastSeq)
      .map((entry) => ({ ...entry, sessionEntry: entry.payloadJson.includes(`"sessionId":${JSON.stringify(session.sessionId)}`) }));
    return { session, benchStatus: bench.status, integrity, entries };
  }

  private verify(
    session: SessionSummary,
    publicKey: string,
    entries: StoredLogEntry[],
    anchorSeq: number,
    anchor: StoredLogEntry | undefined,
    seal: { seq: number; entryHash: string; signedAt: string; signature: string } | null,
  ): TraceIntegrity {
    if (anchorSeq >= 1 && !anchor) return { status: 'broken', code: 'ENTRY_MISSING', seq: anchorSeq, reason: `entry ${anchorSeq}, the one the session's first entry links to, is missing` };
    const verdict = verifyIntegrityLog({
      benchId: session.benchId,
      publicKey,
      entries,
      checkpoints: seal ? [seal] : [],
      after: anchor ? { seq: anchor.seq, entryHash: anchor.entryHash } : undefined,
    });
    if (!verdict.ok) return { status: 'broken', code: verdict.code, seq: verdict.seq, reason: verdict.reason };
    // The verifier counts in sequence numbers: `entries` is the last seq it checked.
    const through = verdict.entries;
    if (through < session.lastSeq) return { status: 'broken', code: 'ENTRY_MISSING', seq: through + 1, reason: `entry ${through + 1} of the session is missing` };
    return seal ? { status: 'sealed', checkpointSeq: seal.seq, signedAt: seal.signedAt } : { status: 'unsealed', checkedThrough: through };
  }
}
