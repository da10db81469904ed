import type Database from 'better-sqlite3';
import type { Role } from '../../contract/bench-api';

export interface OperatorRecord {
  id: string;
  name: string;
  role: Role;
  pinHash: string;
  failedAttempts: number;
  lockedUntil: string | null;
  disabled: boolean;
  createdAt: string;
}

interface OperatorRow {
  id: string;
  name: string;
  role: Role;
  pin_hash: string;
  failed_attempts: number;
  locked_until: string | null;
  disabled: number;
  created_at: string;
}

const toRecord = (row: OperatorRow): OperatorRecord => ({
  id: row.id,
  name: row.name,
  role: row.role,
  pinHash: row.pin_hash,
  failedAttempts: row.failed_attempts,
  lockedUntil: row.locked_until,
  disabled: row.disabled === 1,
  createdAt: row.created_at,
});

export class OperatorRepository {
  readonly #all: Database.Statement<[], OperatorRow>;
  readonly #byId: Database.Statement<[string], OperatorRow>;
  readonly #count: Database.Statement<[], { n: number }>;
  readonly #insert: Database.Statement<[string, string, Role, string, string, string]>;
  readonly #update: Database.Statement<[Role, string, number, number, string | null, string, string]>;

  constructor(private readonly db: Database.Database) {
    this.#all = db.prepare('SELECT * FROM operators ORDER BY name COLLATE NOCASE');
    this.#byId = db.prepare('SELECT * FROM operators WHERE id = ?');
    this.#count = db.prepare('SELECT COUNT(*) AS n FROM operators');
    this.#insert = db.prepare('INSERT INTO operators (id, name, role, pin_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.#update = db.prepare(
      'UPDATE operators SET role = ?, pin_hash = ?, disabled = ?, failed_attempts = ?, locked_until = ?, updated_at = ? WHERE id = ?',
    );
  }

  all(): OperatorRecord[] {
    return this.#all.all().map(toRecord);
  }

  byId(id: string): OperatorRecord | null {
    const row = this.#byId.get(id);
    return row ? toRecord(row) : null;
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }

  /** Inserts only while the table is still empty: the first-run admin cannot be created twice. */
  insertFirst(record: OperatorRecord): boolean {
    return this.db
      .transaction(() => {
        if (this.count() > 0) return false;
        this.insert(record);
        return true;
      })
      .immediate();
  }

  insert(record: OperatorRecord): void {
    this.#insert.run(record.id, record.name, record.role, record.pinHash, record.createdAt, record.createdAt);
  }

  save(record: OperatorRecord, updatedAt: string): void {
    this.#update.run(record.role, record.pinHash, record.disabled ? 1 : 0, record.failedAttempts, record.lockedUntil, updatedAt, record.id);
  }

  /** True when the name is taken (case-insensitive), for a clear CONFLICT instead of a constraint error. */
  nameTaken(name: string): boolean {
    return this.all().some((operator) => operator.name.toLowerCase() === name.toLowerCase());
  }
}
