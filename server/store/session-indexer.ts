/**
 * Indexes coding sessions and pack activation reports as a bench's log entries are stored, inside the
 * batch's own transaction: support lookups and canary health read the index, never scan the log.
 *
 * What the bench's session engine writes is declared in common/central-api/session-log-entries.ts:
 * `session.started` (sessionId, partNumber, serial), steps carrying `sessionId`, then one terminal entry
 * `session.completed` (verdict pass|fail), `session.aborted` or `session.refused`, with the pack and the
 * reason code. The pack manager writes `packs.activate` and `packs.activate_refused`.
 */
import type { Kysely } from 'kysely';
import type { SessionEndedEntryType, SessionEndedPayload, SessionStartedPayload } from '../../common/central-api/session-log-entries';
import type { DialectName } from './database';
import type { ServerDatabase } from './schema';
import type { ReleaseActivationTable, SessionOutcome } from './fleet-schema';
import { Statement, type RowColumns } from './statement';
import type { LogEntryRecord } from '../../common/integrity-log/records';

type EndedStatus = SessionEndedEntryType extends `session.${infer Status}` ? Status : never;
// A Map, not an object literal: an entry type such as `constructor` must not find Object.prototype's.
const TERMINAL_TYPES = new Map<string, EndedStatus>([
  ['session.completed', 'completed'],
  ['session.aborted', 'aborted'],
  ['session.refused', 'refused'],
] satisfies [`session.${EndedStatus}`, EndedStatus][]);

type Payload = Record<string, unknown>;
/**
 * A payload as a bench sent it: the declared field names, values not yet checked. The schemas are not
 * parsed here (the ingest path reads a few fields of many entries); `text` checks each value it keeps.
 */
type Unchecked<T> = { readonly [K in keyof T]?: unknown };

const text = (value: unknown, max = 200): string | null => (typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null);

function parsePayload(entry: LogEntryRecord): Payload | null {
  try {
    const value: unknown = JSON.parse(entry.payloadJson);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Payload) : null;
  } catch {
    return null;
  }
}

const SESSION_ID_MAX = 100;

/**
 * The session engine writes `sessionId` as the first key of every payload. When it is there, the id is read
 * without parsing the whole payload: '' when it is not a usable id, undefined when the payload has another
 * shape (then it is parsed).
 */
const LEADING_SESSION_ID = /^\{"sessionId":("(?:[^"\\]|\\.)*")/;
function leadingSessionId(payloadJson: string): string | undefined {
  const match = LEADING_SESSION_ID.exec(payloadJson);
  if (!match?.[1]) return undefined;
  try {
    return text(JSON.parse(match[1]), SESSION_ID_MAX) ?? '';
  } catch {
    return undefined;
  }
}

function extendRange(sessions: Map<string, SessionFacts>, sessionId: string, seq: number): SessionFacts {
  let facts = sessions.get(sessionId);
  if (!facts) {
    facts = { sessionId, firstSeq: seq, lastSeq: seq };
    sessions.set(sessionId, facts);
  }
  facts.firstSeq = Math.min(facts.firstSeq, seq);
  facts.lastSeq = Math.max(facts.lastSeq, seq);
  return facts;
}

/** What one batch says about one session; merged into its row. */
export interface SessionFacts {
  sessionId: string;
  firstSeq: number;
  lastSeq: number;
  started?: { at: string; partNumber: string | null; serial: string | null };
  ended?: {
    at: string;
    outcome: Exclude<SessionOutcome, 'running'>;
    errorClass: string | null;
    partNumber: string | null;
    serial: string | null;
    family: string | null;
    version: string | null;
    sha256: string | null;
  };
}

function outcomeOf(status: EndedStatus, payload: Unchecked<SessionEndedPayload>): Exclude<SessionOutcome, 'running'> {
  if (status === 'completed') return payload.verdict === 'pass' ? 'passed' : 'failed';
  return status;
}

/** Reads the session and activation facts out of a batch; pure, for the ingest transaction. */
export function extractFacts(entries: readonly LogEntryRecord[]): { sessions: Map<string, SessionFacts>; activations: ReleaseActivationTable[] } {
  const sessions = new Map<string, SessionFacts>();
  const activations: ReleaseActivationTable[] = [];
  for (const entry of entries) {
    const isActivation = entry.type === 'packs.activate' || entry.type === 'packs.activate_refused';
    const terminal = TERMINAL_TYPES.get(entry.type);
    const isStart = entry.type === 'session.started';
    // Cheap tests first: most entries of a busy log are a session's steps, which only extend its range.
    if (!isActivation && !entry.payloadJson.includes('"sessionId"')) continue;
    if (!isActivation && !terminal && !isStart) {
      const sessionId = leadingSessionId(entry.payloadJson);
      if (sessionId !== undefined) {
        if (sessionId) extendRange(sessions, sessionId, entry.seq);
        continue;
      }
    }
    const payload = parsePayload(entry);
    if (!payload) continue;
    if (isActivation) {
      const family = text(payload.family, 64);
      if (!family) continue;
      activations.push({
        bench_id: '',
        seq: entry.seq,
        family,
        version: entry.type === 'packs.activate' ? text(payload.version, 32) : null,
        sha256: entry.type === 'packs.activate' ? text(payload.sha256, 64) : null,
        outcome: entry.type === 'packs.activate' ? 'activated' : 'refused',
        code: text(payload.code, 64),
        recorded_at: entry.recordedAt,
      });
      continue;
    }
    const sessionId = text(payload.sessionId, SESSION_ID_MAX);
    if (!sessionId) continue;
    const facts = extendRange(sessions, sessionId, entry.seq);
    if (isStart) {
      const start: Unchecked<SessionStartedPayload> = payload;
      facts.started = { at: entry.recordedAt, partNumber: text(start.partNumber, 64), serial: text(start.serial, 64) };
    }
    if (terminal) {
      const end: Unchecked<SessionEndedPayload> = payload;
      const pack: Unchecked<NonNullable<SessionEndedPayload['pack']>> = end.pack && typeof end.pack === 'object' ? end.pack : {};
      facts.ended = {
        at: entry.recordedAt,
        outcome: outcomeOf(terminal, end),
        errorClass: text(end.reason, 64),
        partNumber: text(end.partNumber, 64),
        serial: text(end.serial, 64),
        family: text(pack.family, 64),
        version: text(pack.version, 32),
        sha256: text(pack.sha256, 64),
      };
    }
  }
  return { sessions, activations };
}

/** What a batch says about a session, one row per session: null where the batch says nothing. */
interface SessionFactRow {
  session_id: string;
  first_seq: number;
  last_seq: number;
  start_at: string | null;
  start_part: string | null;
  start_serial: string | null;
  end_at: string | null;
  outcome: string | null;
  error_class: string | null;
  end_part: string | null;
  end_serial: string | null;
  family: string | null;
  pack_version: string | null;
  pack_sha256: string | null;
}

const SESSION_FACT_COLUMNS: RowColumns<SessionFactRow> = [
  ['session_id', 'text'],
  ['first_seq', 'integer'],
  ['last_seq', 'integer'],
  ['start_at', 'text'],
  ['start_part', 'text'],
  ['start_serial', 'text'],
  ['end_at', 'text'],
  ['outcome', 'text'],
  ['error_class', 'text'],
  ['end_part', 'text'],
  ['end_serial', 'text'],
  ['family', 'text'],
  ['pack_version', 'text'],
  ['pack_sha256', 'text'],
];

function sessionFactRow({ sessionId, firstSeq, lastSeq, started, ended }: SessionFacts): SessionFactRow {
  return {
    session_id: sessionId,
    first_seq: firstSeq,
    last_seq: lastSeq,
    start_at: started?.at ?? null,
    start_part: started?.partNumber ?? null,
    start_serial: started?.serial ?? null,
    end_at: ended?.at ?? null,
    outcome: ended?.outcome ?? null,
    error_class: ended?.errorClass ?? null,
    end_part: ended?.partNumber ?? null,
    end_serial: ended?.serial ?? null,
    family: ended?.family ?? null,
    pack_version: ended?.version ?? null,
    pack_sha256: ended?.sha256 ?? null,
  };
}

const UPDATED_SESSION_COLUMNS = ['injector_serial', 'part_number', 'family', 'pack_version', 'pack_sha256', 'started_at', 'ended_at', 'outcome', 'error_class', 'first_seq', 'last_seq'];

/**
 * Upserts the sessions a batch touches, each merged in SQL with its stored row (`s`, absent for a new
 * session), so no read precedes the write. The merge: the range widens; a start sets the start time and
 * its part and serial; an end sets the outcome, its error class and pack, and fills in a part, a serial or
 * a start time still missing (a session closed after a crash has no start: its start is its end). The
 * caller holds the bench's row, so the stored rows cannot change under the statement.
 *
 * `guard` is the statement's WHERE: `true`, or the condition of the CTE it is part of (server-repository).
 */
export function sessionUpsert(statement: Statement, benchId: string, sessions: readonly SessionFacts[], guard: string): string {
  // Parameters are bound in the order they are written: SQLite's `?` are positional.
  const selected = `SELECT ${statement.param(benchId, 'text')}, f.session_id,
      COALESCE(f.start_serial, s.injector_serial, f.end_serial),
      COALESCE(f.start_part, s.part_number, f.end_part),
      COALESCE(f.family, s.family),
      COALESCE(f.pack_version, s.pack_version),
      COALESCE(f.pack_sha256, s.pack_sha256),
      COALESCE(f.start_at, s.started_at, f.end_at),
      CASE WHEN f.end_at IS NULL THEN s.ended_at ELSE f.end_at END,
      CASE WHEN f.end_at IS NULL THEN COALESCE(s.outcome, 'running') ELSE f.outcome END,
      CASE WHEN f.end_at IS NULL THEN s.error_class ELSE f.error_class END,
      CASE WHEN s.first_seq < f.first_seq THEN s.first_seq ELSE f.first_seq END,
      CASE WHEN s.last_seq > f.last_seq THEN s.last_seq ELSE f.last_seq END`;
  const facts = statement.rows('f', SESSION_FACT_COLUMNS, sessions.map(sessionFactRow));
  // Each session of the batch is one primary-key lookup. PostgreSQL, when its statistics lag behind the table
  // (a fresh database, a bench that synced a lot since the last ANALYZE), would rather hash every session
  // the bench ever stored, a cost that grows with its history (4 ms a batch at 3,800 sessions); LIMIT keeps
  // the subquery from being flattened into that join. SQLite has no LATERAL, and a lookup is its only join.
  const bench = statement.param(benchId, 'text');
  const stored =
    statement.dialect === 'postgres'
      ? `LEFT JOIN LATERAL (SELECT * FROM session_index WHERE bench_id = ${bench} AND session_id = f.session_id LIMIT 1) AS s ON true`
      : `LEFT JOIN session_index AS s ON s.bench_id = ${bench} AND s.session_id = f.session_id`;
  return `INSERT INTO session_index (bench_id, session_id, ${UPDATED_SESSION_COLUMNS.join(', ')})
    ${selected}
    FROM ${facts}
    ${stored}
    WHERE ${guard}
    ON CONFLICT (bench_id, session_id) DO UPDATE SET ${UPDATED_SESSION_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', ')}`;
}

/** Inserts a batch's activation reports; one already stored (a re-sent entry) is left as it is. */
export function activationInsert(statement: Statement, benchId: string, activations: readonly ReleaseActivationTable[], guard: string): string {
  const rows = activations.map((a) => ({ ...a, bench_id: benchId }));
  return `INSERT INTO release_activations (${ACTIVATION_COLUMNS.map(([name]) => name).join(', ')})
    SELECT * FROM ${statement.rows('a', ACTIVATION_COLUMNS, rows)} WHERE ${guard} ON CONFLICT (bench_id, seq) DO NOTHING`;
}

const ACTIVATION_COLUMNS: RowColumns<ReleaseActivationTable> = [
  ['bench_id', 'text'],
  ['seq', 'integer'],
  ['family', 'text'],
  ['version', 'text'],
  ['sha256', 'text'],
  ['outcome', 'text'],
  ['code', 'text'],
  ['recorded_at', 'text'],
];

// At most 14 parameters a row on SQLite: well under both dialects' limits on bound parameters.
const ROWS_PER_STATEMENT = 500;

/**
 * Upserts the sessions and activations found in freshly stored entries. Runs on the batch's transaction
 * (`trx`), so the index commits or rolls back with the entries themselves.
 */
export async function indexLogEntries(trx: Pick<Kysely<ServerDatabase>, 'executeQuery'>, dialect: DialectName, benchId: string, entries: readonly LogEntryRecord[]): Promise<void> {
  const { sessions, activations } = extractFacts(entries);
  const facts = [...sessions.values()];
  for (let start = 0; start < facts.length; start += ROWS_PER_STATEMENT) {
    const statement = new Statement(dialect);
    await trx.executeQuery(statement.compile(sessionUpsert(statement, benchId, facts.slice(start, start + ROWS_PER_STATEMENT), 'true')));
  }
  for (let start = 0; start < activations.length; start += ROWS_PER_STATEMENT) {
    const statement = new Statement(dialect);
    await trx.executeQuery(statement.compile(activationInsert(statement, benchId, activations.slice(start, start + ROWS_PER_STATEMENT), 'true')));
  }
}
