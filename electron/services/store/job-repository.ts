import type Database from 'better-sqlite3';
import type { JobState } from '../../contract/jobs';
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
  updatedAt: string | null;
  updatedBy: string | null;
  closedAt: string | null;
  closedBy: string | null;
}

/** The facts an edit may change (cylinders and part number are fixed once sessions were checked against them). */
export type JobDetails = Pick<JobRecord, 'customer' | 'vehicle' | 'vin' | 'orderNumber' | 'notes'>;

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
  updated_at: string | null;
  updated_by: string | null;
  closed_at: string | null;
  closed_by: string | null;
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
  updatedAt: row.updated_at,
  updatedBy: row.updated_by,
  closedAt: row.closed_at,
  closedBy: row.closed_by,
});

/** Workshop jobs; the sessions coded for a job name it (coding_sessions.job_id). */
export class JobRepository {
  readonly #insert: Database.Statement<Record<string, string | number | null>>;
  readonly #byId: Database.Statement<[string], JobRow>;
  readonly #search: Database.Statement<{ text: string | null; state: JobState | null; limit: number }, JobRow>;
  readonly #updateDetails: Database.Statement<JobDetails & { id: string; updatedAt: string; updatedBy: string | null }>;
  readonly #setClosed: Database.Statement<{ id: string; closedAt: string | null; closedBy: string | null }>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare(`
      INSERT INTO jobs (id, customer, vehicle, vin, order_number, notes, cylinders, part_number, created_by, created_at)
      VALUES (@id, @customer, @vehicle, @vin, @orderNumber, @notes, @cylinders, @partNumber, @createdBy, @createdAt)`);
    this.#byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.#search = db.prepare(`
      SELECT * FROM jobs
      WHERE (@text IS NULL OR id LIKE @text ESCAPE '\\' OR customer LIKE @text ESCAPE '\\' OR vehicle LIKE @text ESCAPE '\\'
             OR vin LIKE @text ESCAPE '\\' OR order_number LIKE @text ESCAPE '\\')
        AND (@state IS NULL OR (@state = 'open' AND closed_at IS NULL) OR (@state = 'closed' AND closed_at IS NOT NULL))
      ORDER BY created_at DESC, id DESC LIMIT @limit`);
    this.#updateDetails = db.prepare(`
      UPDATE jobs SET customer = @customer, vehicle = @vehicle, vin = @vin, order_number = @orderNumber, notes = @notes,
                      updated_at = @updatedAt, updated_by = @updatedBy
      WHERE id = @id`);
    this.#setClosed = db.prepare('UPDATE jobs SET closed_at = @closedAt, closed_by = @closedBy WHERE id = @id');
  }

  create(job: Omit<JobRecord, 'updatedAt' | 'updatedBy' | 'closedAt' | 'closedBy'>): void {
    this.#insert.run({ ...job });
  }

  updateDetails(id: string, details: JobDetails, by: { at: string; operatorId: string | null }): void {
    this.#updateDetails.run({ id, ...details, updatedAt: by.at, updatedBy: by.operatorId });
  }

  /** Closes the job (a time and who) or reopens it (null, null). */
  setClosed(id: string, closed: { at: string; operatorId: string | null } | null): void {
    this.#setClosed.run({ id, closedAt: closed?.at ?? null, closedBy: closed?.operatorId ?? null });
  }

  byId(id: string): JobRecord | null {
    const row = this.#byId.get(id);
    return row ? toRecord(row) : null;
  }

  search(query: { text?: string; state?: JobState; limit: number }): JobRecord[] {
    return this.#search.all({ text: query.text ? containsPattern(query.text) : null, state: query.state ?? null, limit: query.limit }).map(toRecord);
  }
}
