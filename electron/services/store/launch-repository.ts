import type Database from 'better-sqlite3';

export type LaunchMode = 'electron' | 'workspace';

export class LaunchRepository {
  readonly #insert: Database.Statement<[string, LaunchMode, string]>;
  readonly #count: Database.Statement<[], { n: number }>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare('INSERT INTO app_launches (started_at, mode, app_version) VALUES (?, ?, ?)');
    this.#count = db.prepare('SELECT COUNT(*) AS n FROM app_launches');
  }

  record(startedAt: Date, mode: LaunchMode, appVersion: string): void {
    this.#insert.run(startedAt.toISOString(), mode, appVersion);
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }
}
