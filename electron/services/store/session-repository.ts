import type Database from 'better-sqlite3';

export type SessionStatus = 'running' | 'completed' | 'aborted' | 'refused';

export interface SessionRecord {
  id: string;
  operatorId: string | null;
  partNumber: string;
  injectorSerial: string;
  family: string | null;
  packVersion: string | null;
  packSha256: string | null;
  startedAt: string;
  endedAt: string | null;
  status: SessionStatus;
  verdict: 'pass' | 'fail' | null;
  code: string | null;
  creditsDebited: number;
  reasonCode: string | null;
  reason: string | null;
  reportJson: string | null;
  jobId: string | null;
  jobPosition: number | null;
  retestOf: string | null;
  /** Joined from the operators and jobs tables for lists; null when not known. */
  operatorName: string | null;
  customer: string | null;
}

interface SessionRow {
  id: string;
  operator_id: string | null;
  part_number: string;
  injector_serial: string;
  family: string | null;
  pack_version: string | null;
  pack_sha256: string | null;
  started_at: string;
  ended_at: string | null;
  status: SessionStatus;
  verdict: 'pass' | 'fail' | null;
  code: string | null;
  credits_debited: number;
  reason_code: string | null;
  reason: string | null;
  report_json: string | null;
  job_id: string | null;
  job_position: number | null;
  retest_of: string | null;
  operator_name?: string | null;
  customer?: string | null;
}

const toRecord = (row: SessionRow): SessionRecord => ({
  id: row.id,
  operatorId: row.operator_id,
  partNumber: row.part_number,
  injectorSerial: row.injector_serial,
  family: row.family,
  packVersion: row.pack_version,
  packSha256: row.pack_sha256,
  startedAt: row.started_at,
  endedAt: row.ended_at,
  status: row.status,
  verdict: row.verdict,
  code: row.code,
  creditsDebited: row.credits_debited,
  reasonCode: row.reason_code,
  reason: row.reason,
  reportJson: row.report_json,
  jobId: row.job_id,
  jobPosition: row.job_position,
  retestOf: row.retest_of,
  operatorName: row.operator_name ?? null,
  customer: row.customer ?? null,
});

/** A LIKE pattern that matches the text anywhere, with the text's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

export interface SessionEnd {
  endedAt: string;
  status: Exclude<SessionStatus, 'running'>;
  verdict: 'pass' | 'fail' | null;
  code: string | null;
  reasonCode: string | null;
  reason: string | null;
  reportJson: string;
  family: string | null;
  packVersion: string | null;
  packSha256: string | null;
}

export interface GrantRecord {
  grantId: string;
  credits: number;
  issuedAt: string;
  expires: string;
  importedAt: string;
}

export interface LedgerRecord {
  id: number;
  at: string;
  kind: 'grant' | 'spend';
  amount: number;
  grantId: string | null;
  sessionId: string | null;
  /** The bench balance right after this entry. */
  balanceAfter: number;
}

export interface SessionSearch {
  serial?: string;
  /** Part of a serial, a job id, customer, VIN or order number. */
  text?: string;
  /** Part of the operator's name. */
  operator?: string;
  /** The sessions of one job. */
  jobId?: string;
  from?: string;
  to?: string;
  beforeStartedAt?: string;
  limit: number;
}

/**
 * Coding sessions and the credits ledger. A session's end and its one debit are written in the same
 * transaction: a code is never recorded without its charge, and a charge never without its code.
 */
export class SessionRepository {
  readonly #insert: Database.Statement<[string, string | null, string, string, string, string | null, number | null, string | null]>;
  readonly #end: Database.Statement<Record<string, string | number | null>>;
  readonly #recordPack: Database.Statement<[string, string, string, string]>;
  readonly #byId: Database.Statement<[string], SessionRow>;
  readonly #search: Database.Statement<Record<string, string | number | null>, SessionRow>;
  readonly #debit: Database.Statement<[string, number, string]>;
  readonly #grant: Database.Statement<[string, number, string, string, string, Buffer]>;
  readonly #grantEntry: Database.Statement<[string, number, string]>;
  readonly #hasGrant: Database.Statement<[string], { n: number }>;
  readonly #balance: Database.Statement<[], { balance: number | null }>;
  readonly #running: Database.Statement<[], SessionRow>;
  readonly #grants: Database.Statement<[number], { grant_id: string; credits: number; issued_at: string; expires: string; imported_at: string }>;
  readonly #ledger: Database.Statement<
    [number],
    { id: number; at: string; debit_account: string; amount: number; grant_id: string | null; session_id: string | null; balance_after: number }
  >;

  constructor(private readonly db: Database.Database) {
    this.#insert = db.prepare(
      "INSERT INTO coding_sessions (id, operator_id, part_number, injector_serial, started_at, status, job_id, job_position, retest_of) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)",
    );
    this.#end = db.prepare(`
      UPDATE coding_sessions SET ended_at = @endedAt, status = @status, verdict = @verdict, code = @code, reason_code = @reasonCode,
        reason = @reason, report_json = @reportJson, family = @family, pack_version = @packVersion, pack_sha256 = @packSha256,
        credits_debited = @creditsDebited
      WHERE id = @id AND status = 'running'`);
    this.#recordPack = db.prepare("UPDATE coding_sessions SET family = ?, pack_version = ?, pack_sha256 = ? WHERE id = ? AND status = 'running'");
    this.#byId = db.prepare('SELECT * FROM coding_sessions WHERE id = ?');
    this.#search = db.prepare(`
      SELECT s.*, o.name AS operator_name, j.customer AS customer FROM coding_sessions s
        LEFT JOIN operators o ON o.id = s.operator_id
        LEFT JOIN jobs j ON j.id = s.job_id
      WHERE (@serial IS NULL OR s.injector_serial = @serial)
        AND (@text IS NULL OR s.injector_serial LIKE @text ESCAPE '\\' OR s.job_id LIKE @text ESCAPE '\\'
             OR j.customer LIKE @text ESCAPE '\\' OR j.vin LIKE @text ESCAPE '\\' OR j.order_number LIKE @text ESCAPE '\\')
        AND (@operator IS NULL OR o.name LIKE @operator ESCAPE '\\')
        AND (@jobId IS NULL OR s.job_id = @jobId)
        AND (@from IS NULL OR s.started_at >= @from)
        AND (@to IS NULL OR s.started_at <= @to)
        AND (@before IS NULL OR s.started_at < @before)
      ORDER BY s.started_at DESC LIMIT @limit`);
    this.#debit = db.prepare("INSERT INTO ledger_entries (at, debit_account, credit_account, amount, session_id) VALUES (?, 'spent', 'bench', ?, ?)");
    this.#grant = db.prepare('INSERT INTO credit_grants (grant_id, credits, issued_at, expires, imported_at, envelope) VALUES (?, ?, ?, ?, ?, ?)');
    this.#grantEntry = db.prepare("INSERT INTO ledger_entries (at, debit_account, credit_account, amount, grant_id) VALUES (?, 'bench', 'server', ?, ?)");
    this.#hasGrant = db.prepare('SELECT COUNT(*) AS n FROM credit_grants WHERE grant_id = ?');
    this.#balance = db.prepare(`
      SELECT COALESCE(SUM(CASE WHEN debit_account = 'bench' THEN amount ELSE 0 END), 0)
           - COALESCE(SUM(CASE WHEN credit_account = 'bench' THEN amount ELSE 0 END), 0) AS balance
      FROM ledger_entries`);
    this.#running = db.prepare("SELECT * FROM coding_sessions WHERE status = 'running'");
    this.#grants = db.prepare('SELECT grant_id, credits, issued_at, expires, imported_at FROM credit_grants ORDER BY imported_at DESC, grant_id LIMIT ?');
    // The running balance is computed over the whole ledger, then the newest rows are kept.
    this.#ledger = db.prepare(`
      SELECT * FROM (
        SELECT id, at, debit_account, amount, grant_id, session_id,
               SUM(CASE WHEN debit_account = 'bench' THEN amount ELSE -amount END) OVER (ORDER BY id) AS balance_after
        FROM ledger_entries
      ) ORDER BY id DESC LIMIT ?`);
  }

  start(
    id: string,
    operatorId: string | null,
    partNumber: string,
    serial: string,
    startedAt: string,
    coding: { job: { jobId: string; position: number } | null; retestOf: string | null } = { job: null, retestOf: null },
  ): void {
    this.#insert.run(id, operatorId, partNumber, serial, startedAt, coding.job?.jobId ?? null, coding.job?.position ?? null, coding.retestOf);
  }

  /**
   * Records the pack a running session was verified against, before it touches the injector: a session a
   * crash interrupts is then closed naming that pack, so it counts for that version's canary health.
   */
  recordPack(id: string, pack: { family: string; version: string; sha256: string }): void {
    this.#recordPack.run(pack.family, pack.version, pack.sha256, id);
  }

  /** Ends a running session and, for an issued code, debits its credits in the same transaction. */
  end(id: string, end: SessionEnd, debit: number): void {
    this.db
      .transaction(() => {
        const changed = this.#end.run({ id, ...end, creditsDebited: debit }).changes;
        if (changed !== 1) throw new Error(`session ${id} is not running`);
        if (debit > 0) {
          if (this.balance() < debit) throw new Error(`balance below ${debit}`);
          this.#debit.run(end.endedAt, debit, id);
        }
      })
      .immediate();
  }

  byId(id: string): SessionRecord | null {
    const row = this.#byId.get(id);
    return row ? toRecord(row) : null;
  }

  search(query: SessionSearch): SessionRecord[] {
    return this.#search
      .all({
        serial: query.serial ?? null,
        text: query.text ? containsPattern(query.text) : null,
        operator: query.operator ? containsPattern(query.operator) : null,
        jobId: query.jobId ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
        before: query.beforeStartedAt ?? null,
        limit: query.limit,
      })
      .map(toRecord);
  }

  /** Sessions a crash left running; the engine closes them as aborted at start-up. */
  running(): SessionRecord[] {
    return this.#running.all().map(toRecord);
  }

  /** Records a verified grant once; a second import of the same grant id is a no-op (false). */
  addGrant(grant: { grantId: string; credits: number; issuedAt: string; expires: string }, envelope: Uint8Array, importedAt: string): boolean {
    return this.db
      .transaction(() => {
        if ((this.#hasGrant.get(grant.grantId)?.n ?? 0) > 0) return false;
        this.#grant.run(grant.grantId, grant.credits, grant.issuedAt, grant.expires, importedAt, Buffer.from(envelope));
        this.#grantEntry.run(importedAt, grant.credits, grant.grantId);
        return true;
      })
      .immediate();
  }

  /** Imported grants, newest first. */
  grants(limit = 200): GrantRecord[] {
    return this.#grants.all(limit).map((row) => ({ grantId: row.grant_id, credits: row.credits, issuedAt: row.issued_at, expires: row.expires, importedAt: row.imported_at }));
  }

  /** Ledger entries, newest first, each with the balance right after it. */
  ledger(limit = 200): LedgerRecord[] {
    return this.#ledger.all(limit).map((row) => ({
      id: row.id,
      at: row.at,
      kind: row.debit_account === 'bench' ? 'grant' : 'spend',
      amount: row.amount,
      grantId: row.grant_id,
      sessionId: row.session_id,
      balanceAfter: row.balance_after,
    }));
  }

  balance(): number {
    return this.#balance.get()?.balance ?? 0;
  }
}
