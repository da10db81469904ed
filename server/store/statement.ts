/**
 * A statement's text and its parameters, built together from left to right: `?` placeholders for SQLite,
 * `$n` for PostgreSQL. For statements whose shape changes with the data (rows of a batch, CTEs that only
 * exist when there is something to write); fixed statements go through Kysely or bulk-insert.ts.
 */
import { CompiledQuery } from 'kysely';
import type { DialectName } from './database';

export type ColumnType = 'text' | 'integer';

/** A row set's columns, each with the SQL type its values are read as. */
export type RowColumns<Row> = readonly (readonly [name: keyof Row & string, type: ColumnType])[];

export class Statement {
  readonly parameters: unknown[] = [];

  constructor(readonly dialect: DialectName) {}

  /**
   * A placeholder bound to `value`. With a type, it is CAST: PostgreSQL reads a bare parameter in VALUES as
   * text, and both dialects accept the same CAST.
   */
  param(value: unknown, type?: ColumnType): string {
    this.parameters.push(value);
    const placeholder = this.dialect === 'postgres' ? `$${this.parameters.length}` : '?';
    return type ? `CAST(${placeholder} AS ${type})` : placeholder;
  }

  /**
   * Rows as a table named `alias` with the given columns, for an INSERT … SELECT. PostgreSQL: one jsonb
   * parameter read by jsonb_to_recordset, so the statement's text does not grow with the rows (its parse and
   * plan cost do not either) and the JSON is parsed once. SQLite, in-process, where parsing is cheap: a
   * VALUES list, each value a parameter.
   */
  rows<Row extends object>(alias: string, columns: RowColumns<Row>, rows: readonly Row[]): string {
    if (this.dialect === 'postgres') {
      return `jsonb_to_recordset(${this.param(JSON.stringify(rows))}::jsonb) AS ${alias}(${columns.map(([name, type]) => `${name} ${type}`).join(', ')})`;
    }
    const tuples = rows.map((row) => `(${columns.map(([name, type]) => this.param(row[name], type)).join(', ')})`);
    return `(SELECT ${columns.map(([name], i) => `column${i + 1} AS ${name}`).join(', ')} FROM (VALUES ${tuples.join(', ')})) AS ${alias}`;
  }

  compile(text: string): CompiledQuery {
    return CompiledQuery.raw(text, this.parameters);
  }
}
