/**
 * Multi-row INSERT for the ingest hot path, without a query builder per row: Kysely's builder costs about
 * as much CPU as SQLite spends storing the rows. The statement text depends only on the shape (table,
 * columns, row count, dialect, conflict clause), so it is built once per shape; SQLite's prepared form is
 * then cached by the driver (database.ts).
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { DialectName } from './database';
import type { ServerDatabase } from './schema';

export interface BulkInsertShape<Row> {
  table: string;
  columns: readonly (keyof Row & string)[];
  /** Appended as is: an ON CONFLICT clause. Identical in SQLite and PostgreSQL for what we use. */
  onConflict: string;
}

/** The dialect behind a handle that does not say (a migration's): PostgreSQL numbers its placeholders. */
export function dialectOf(db: Kysely<unknown>): DialectName {
  return sql`SELECT ${1}`.compile(db).sql.includes('$1') ? 'postgres' : 'sqlite';
}

// SQLite allows 32,766 bound parameters, PostgreSQL 65,535: stay far below both.
const MAX_PARAMETERS = 8_000;

const texts = new Map<string, string>();

function insertText(dialect: DialectName, shape: BulkInsertShape<never>, rows: number): string {
  const key = `${dialect}|${shape.table}|${shape.columns.join(',')}|${rows}|${shape.onConflict}`;
  let text = texts.get(key);
  if (!text) {
    let n = 0;
    const placeholder = dialect === 'postgres' ? () => `$${(n += 1)}` : () => '?';
    const tuples = Array.from({ length: rows }, () => `(${shape.columns.map(placeholder).join(', ')})`);
    text = `INSERT INTO ${shape.table} (${shape.columns.join(', ')}) VALUES ${tuples.join(', ')} ${shape.onConflict}`.trimEnd();
    // Shapes are few (a handful of tables, chunk sizes up to the batch bound); the bound only guards a leak.
    if (texts.size > 4096) texts.clear();
    texts.set(key, text);
  }
  return text;
}

export async function bulkInsert<Row>(db: Pick<Kysely<ServerDatabase>, 'executeQuery'>, dialect: DialectName, shape: BulkInsertShape<Row>, rows: readonly Row[]): Promise<void> {
  const rowsPerStatement = Math.max(1, Math.floor(MAX_PARAMETERS / shape.columns.length));
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    const parameters: unknown[] = [];
    for (const row of chunk) for (const column of shape.columns) parameters.push(row[column]);
    await db.executeQuery(CompiledQuery.raw(insertText(dialect, shape as BulkInsertShape<never>, chunk.length), parameters));
  }
}
