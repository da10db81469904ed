/**
 * Indexes coding sessions and pack activation reports as a bench's log entries are stored, inside the
 * batch's own transaction: support lookups and canary health read the index, never scan the log.
 *
 * What the bench's session engine writes (electron/services/session/session-engine.ts):
 * `session.started` (sessionId, partNumber, serial), steps carrying `sessionId`, then one terminal entry
 * `session.completed` (verdict pass|fail), `session.aborted` or `session.refused`, with the pack and the
 * reason code. The pack manager writes `packs.activate` and `packs.activate_refused`.
 */
import type { Kysely } from 'kysely';
import type { LogEntryRecord } from '../../electron/services/store/integrity-log-repository';
import { bulkInsert, type BulkInsertShape } from './bulk-insert';
import type { DialectName } from './database';
import type { ServerDatabase } from './schema';
import { withFleetTables, type ReleaseActivationTable, type SessionIndexTable, type SessionOutcome } from './fleet-schema';

// A Map, not an object literal: an entry type such as `constructor` must not find Object.prototype's.
const TERMINAL_TYPES = new Map<string, 'completed' | 'aborted' | 'refused'>([
  ['session.completed', 'completed'],
  ['session.aborted', 'aborted'],
  ['session.refused', 'refused'],
]);

type Payload = Record<string, unknown>;

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
interface SessionFacts {
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

function outcomeOf(status: 'completed' | 'aborted' | 'refused', payload: Payload): Exclude<SessionOutcome, 'running'> {
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
      facts.started = { at: entry.recordedAt, partNumber: text(payload.partNumber, 64), serial: text(payload.serial, 64) };
    }
    if (terminal) {
      const pack = payload.pack && typeof payload.pack === 'object' ? (payload.pack as Payload) : {};
      facts.ended = {
        at: entry.recordedAt,
        outcome: outcomeOf(terminal, payload),
        errorClass: text(payload.reason, 64),
        partNumber: text(payload.partNumber, 64),
        serial: text(payload.serial, 64),
        family: text(pack.family, 64),
        version: text(pack.version, 32),
        sha256: text(pack.sha256, 64),
      };
    }
  }
  return { sessions, activations };
}

function merge(benchId: string, existing: SessionIndexTable | undefined, facts: SessionFacts): SessionIndexTable {
  const row: SessionIndexTable = existing
    ? { ...existing, first_seq: Number(existing.first_seq), last_seq: Number(existing.last_seq) }
    : {
        bench_id: benchId,
        session_id: facts.sessionId,
        injector_serial: null,
        part_number: null,
        family: null,
        pack_version: null,
        pack_sha256: null,
        started_at: null,
        ended_at: null,
        outcome: 'running',
        error_class: null,
        first_seq: facts.firstSeq,
        last_seq: facts.lastSeq,
      };
  row.first_seq = Math.min(row.first_seq, facts.firstSeq);
  row.last_seq = Math.max(row.last_seq, facts.lastSeq);
  if (facts.started) {
    row.started_at = facts.started.at;
    row.part_number = facts.started.partNumber ?? row.part_number;
    row.injector_serial = facts.started.serial ?? row.injector_serial;
  }
  if (facts.ended) {
    row.ended_at = facts.ended.at;
    row.outcome = facts.ended.outcome;
    row.error_class = facts.ended.errorClass;
    row.part_number = row.part_number ?? facts.ended.partNumber;
    row.injector_serial = row.injector_serial ?? facts.ended.serial;
    row.family = facts.ended.family ?? row.family;
    row.pack_version = facts.ended.version ?? row.pack_version;
    row.pack_sha256 = facts.ended.sha256 ?? row.pack_sha256;
    // A session closed after a crash has no start in this batch: its start is its first entry.
    row.started_at = row.started_at ?? facts.ended.at;
  }
  return row;
}

const IN_CHUNK = 200;

const sessionRows: BulkInsertShape<SessionIndexTable> = {
  table: 'session_index',
  columns: ['bench_id', 'session_id', 'injector_serial', 'part_number', 'family', 'pack_version', 'pack_sha256', 'started_at', 'ended_at', 'outcome', 'error_class', 'first_seq', 'last_seq'],
  // The batch holds the bench's row lock, so the rows read before this write cannot have changed: each
  // session's row is replaced by its merged form.
  onConflict: `ON CONFLICT (bench_id, session_id) DO UPDATE SET ${['injector_serial', 'part_number', 'family', 'pack_version', 'pack_sha256', 'started_at', 'ended_at', 'outcome', 'error_class', 'first_seq', 'last_seq']
    .map((column) => `${column} = excluded.${column}`)
    .join(', ')}`,
};

const activationRows: BulkInsertShape<ReleaseActivationTable> = {
  table: 'release_activations',
  columns: ['bench_id', 'seq', 'family', 'version', 'sha256', 'outcome', 'code', 'recorded_at'],
  onConflict: 'ON CONFLICT (bench_id, seq) DO NOTHING',
};

/**
 * Upserts the sessions and activations found in freshly stored entries. Runs on the batch's transaction
 * (`trx`), so the index commits or rolls back with the entries themselves.
 */
export async function indexLogEntries(trx: Kysely<ServerDatabase>, dialect: DialectName, benchId: string, entries: readonly LogEntryRecord[]): Promise<void> {
  const { sessions, activations } = extractFacts(entries);
  if (sessions.size === 0 && activations.length === 0) return;
  const db = withFleetTables(trx);
  const ids = [...sessions.keys()];
  const existing = new Map<string, SessionIndexTable>();
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const rows = await db.selectFrom('session_index').selectAll().where('bench_id', '=', benchId).where('session_id', 'in', ids.slice(i, i + IN_CHUNK)).execute();
    for (const row of rows) existing.set(row.session_id, row);
  }
  await bulkInsert(
    trx,
    dialect,
    sessionRows,
    [...sessions.values()].map((facts) => merge(benchId, existing.get(facts.sessionId), facts)),
  );
  await bulkInsert(
    trx,
    dialect,
    activationRows,
    activations.map((activation) => ({ ...activation, bench_id: benchId })),
  );
}
