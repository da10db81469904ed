/**
 * Numbered schema migrations. Append only: never edit or renumber a migration that has shipped,
 * because benches in the field hold databases at every earlier version.
 */
export interface Migration {
  version: number;
  name: string;
  /** Runs inside the migration's transaction. */
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'settings',
    sql: `
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY NOT NULL,
        value_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'app launches',
    sql: `
      CREATE TABLE app_launches (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at  TEXT NOT NULL,
        mode        TEXT NOT NULL CHECK (mode IN ('electron', 'workspace')),
        app_version TEXT NOT NULL
      ) STRICT;
      CREATE INDEX app_launches_started_at ON app_launches (started_at);
    `,
  },
];

export const latestSchemaVersion = migrations.at(-1)?.version ?? 0;
