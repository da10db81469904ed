import type Database from 'better-sqlite3';
import { containsPattern } from './session-repository';

export interface JobRecord {
  id: string;
  customer: string;
  vehicle: string;
  vin: string;
  orderNumber: string;
  notes: string;
  cylinders: number;
  partNumber: string;
  createdBy: string | null;
  createdAt: string;
}

interface JobRow {
  id: string;
  customer: string;
  vehicle: string;
  vin: string;
  order_number: string;
  notes: string;
  cylinders: number;
  part_number: string;
  created_by: string | null;
  created_at: string;
}

const toRecord = (row: JobRow): JobRecord => ({
  id: row.id,
  customer: row.customer,
  vehicle: row.vehicle,
  vin: row.vin,
  orderNumber: row.order_number,
  notes: row.notes,
  cylinders: row.cylinders,
  partNumber: row.part_number,
  createdBy: row.created_by,
  createdAt: row.created_at,
});

/** Workshop jobs; the sessions coded for a job name it (coding_sessions.job_id). */
export class JobRepository {
  readonly #insert: Database.Statement<Record<string, string | number | null>>;
  readonly #byId: Database.Statement<[string], JobRow>;
  readonly #search: Database.Statement<{ text: string | null; limit: number }, JobRow>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare(`
      INSERT INTO jobs (id, customer, vehicle, vin, order_number, notes, cylinders, part_number, created_by, created_at)
      VALUES (@id, @customer, @vehicle, @vin, @orderNumber, @notes, @cylinders, @partNumber, @createdBy, @createdAt)`);
    this.#byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.#search = db.prepare(`
      SELECT * FROM jobs
      WHERE @text IS NULL OR id LIKE @text ESCAPE '\\' OR customer LIKE @text ESCAPE '\\' OR vehicle LIKE @text ESCAPE '\\'
         OR vin LIKE @text ESCAPE '\\' OR order_number LIKE @text ESCAPE '\\'
      ORDER BY created_at DESC, id DESC LIMIT @limit`);
  }

  create(job: JobRecord): void {
    this.#insert.run({ ...job });
  }

  byId(id: string): JobRecord | null {
    const row = this.#byId.get(id);
    return row ? toRecord(row) : null;
  }

  search(query: { text?: string; limit: number }): JobRecord[] {
    return this.#search.all({ text: query.text ? containsPattern(query.text) : null, limit: query.limit }).map(toRecord);
  }
}
