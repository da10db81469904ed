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
  {
    version: 3,
    name: 'bench identity and integrity log',
    sql: `
      CREATE TABLE bench_identity (
        singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
        bench_id    TEXT NOT NULL,
        public_key  TEXT NOT NULL,
        created_at  TEXT NOT NULL
      ) STRICT;
      CREATE TABLE integrity_log (
        seq          INTEGER PRIMARY KEY,
        prev_hash    TEXT NOT NULL,
        entry_hash   TEXT NOT NULL UNIQUE,
        recorded_at  TEXT NOT NULL,
        type         TEXT NOT NULL,
        payload_json TEXT NOT NULL
      ) STRICT;
      CREATE TABLE integrity_checkpoints (
        seq         INTEGER PRIMARY KEY,
        entry_hash  TEXT NOT NULL,
        signed_at   TEXT NOT NULL,
        signature   TEXT NOT NULL
      ) STRICT;
      -- Append-only: the app never rewrites history, and neither may a bug.
      CREATE TRIGGER integrity_log_no_update BEFORE UPDATE ON integrity_log
        BEGIN SELECT RAISE(ABORT, 'integrity_log is append-only'); END;
      CREATE TRIGGER integrity_log_no_delete BEFORE DELETE ON integrity_log
        BEGIN SELECT RAISE(ABORT, 'integrity_log is append-only'); END;
      CREATE TRIGGER integrity_checkpoints_no_update BEFORE UPDATE ON integrity_checkpoints
        BEGIN SELECT RAISE(ABORT, 'integrity_checkpoints is append-only'); END;
      CREATE TRIGGER integrity_checkpoints_no_delete BEFORE DELETE ON integrity_checkpoints
        BEGIN SELECT RAISE(ABORT, 'integrity_checkpoints is append-only'); END;
    `,
  },
  {
    version: 4,
    name: 'operators',
    sql: `
      CREATE TABLE operators (
        id              TEXT PRIMARY KEY NOT NULL,
        name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role            TEXT NOT NULL CHECK (role IN ('technician', 'admin', 'support')),
        pin_hash        TEXT NOT NULL,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_until    TEXT,
        disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'coding sessions and credits ledger',
    sql: `
      CREATE TABLE coding_sessions (
        id              TEXT PRIMARY KEY NOT NULL,
        operator_id     TEXT,
        part_number     TEXT NOT NULL,
        injector_serial TEXT NOT NULL,
        family          TEXT,
        pack_version    TEXT,
        pack_sha256     TEXT,
        started_at      TEXT NOT NULL,
        ended_at        TEXT,
        status          TEXT NOT NULL CHECK (status IN ('running', 'completed', 'aborted', 'refused')),
        verdict         TEXT CHECK (verdict IN ('pass', 'fail')),
        code            TEXT,
        credits_debited INTEGER NOT NULL DEFAULT 0,
        reason_code     TEXT,
        reason          TEXT,
        report_json     TEXT
      ) STRICT;
      CREATE INDEX coding_sessions_started_at ON coding_sessions (started_at);
      CREATE INDEX coding_sessions_serial ON coding_sessions (injector_serial);
      CREATE TABLE credit_grants (
        grant_id    TEXT PRIMARY KEY NOT NULL,
        credits     INTEGER NOT NULL CHECK (credits > 0),
        issued_at   TEXT NOT NULL,
        expires     TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        envelope    BLOB NOT NULL
      ) STRICT;
      -- Double entry: every movement debits one account and credits another. A grant moves credits
      -- from the server to the bench; an issued code moves them from the bench to spent. One spend per
      -- session at most (UNIQUE), and a spend names a session while a grant names a grant.
      CREATE TABLE ledger_entries (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        at             TEXT NOT NULL,
        debit_account  TEXT NOT NULL CHECK (debit_account IN ('bench', 'spent')),
        credit_account TEXT NOT NULL CHECK (credit_account IN ('server', 'bench')),
        amount         INTEGER NOT NULL CHECK (amount > 0),
        grant_id       TEXT UNIQUE REFERENCES credit_grants (grant_id),
        session_id     TEXT UNIQUE REFERENCES coding_sessions (id),
        CHECK ((grant_id IS NULL) <> (session_id IS NULL))
      ) STRICT;
      CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
        BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
      CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
        BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
    `,
  },
  {
    version: 6,
    name: 'sync outbox position',
    sql: `
      -- How far the central server has acknowledged this bench's integrity log; the outbox resumes here.
      CREATE TABLE sync_state (
        singleton            INTEGER PRIMARY KEY CHECK (singleton = 1),
        server_url           TEXT,
        enrolled_at          TEXT,
        acked_entry_seq      INTEGER NOT NULL DEFAULT 0,
        acked_entry_hash     TEXT,
        acked_checkpoint_seq INTEGER NOT NULL DEFAULT 0,
        last_attempt_at      TEXT,
        last_success_at      TEXT,
        last_error_code      TEXT,
        last_error_message   TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        updated_at           TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 7,
    name: 'release pins and refresh state',
    sql: `
      -- A workshop admin's local pin per family: to a channel, to a version, or (rollback) to the exact
      -- last-known-good. Always time-bounded; the history of pins lives in the integrity log.
      CREATE TABLE release_pins (
        family     TEXT PRIMARY KEY NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('channel', 'version', 'rollback')),
        channel    TEXT CHECK (channel IN ('canary', 'staged', 'stable', 'lts')),
        version    TEXT,
        sha256     TEXT,
        actor      TEXT NOT NULL,
        reason     TEXT NOT NULL,
        ticket     TEXT NOT NULL,
        starts_at  TEXT NOT NULL,
        ends_at    TEXT NOT NULL CHECK (ends_at > starts_at),
        CHECK ((kind = 'channel') = (channel IS NOT NULL)),
        CHECK ((kind = 'channel') = (version IS NULL))
      ) STRICT;
      -- Where packs are refreshed from, the last outcome, and a refresh waiting for a session to end.
      CREATE TABLE release_refresh (
        singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
        source_kind      TEXT CHECK (source_kind IN ('server', 'directory', 'bundle')),
        source_location  TEXT,
        last_attempt_at  TEXT,
        last_success_at  TEXT,
        last_result_json TEXT,
        pending_since    TEXT,
        updated_at       TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 8,
    name: 'bench hardware as reported',
    sql: `
      -- The hardware the connected bench last reported in IDENT: packs are checked for compatibility against
      -- this model (activation and preflight), never against a constant. Written only from IDENT.
      CREATE TABLE bench_hardware (
        singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
        model        TEXT NOT NULL CHECK (length(model) BETWEEN 1 AND 64),
        bench_serial TEXT NOT NULL,
        firmware     TEXT NOT NULL,
        reported_at  TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 9,
    name: 'jobs and engine sets',
    sql: `
      -- A workshop job: the customer's vehicle whose injectors (one per cylinder position) are coded as a set.
      CREATE TABLE jobs (
        id           TEXT PRIMARY KEY NOT NULL,
        customer     TEXT NOT NULL,
        vehicle      TEXT NOT NULL,
        vin          TEXT NOT NULL,
        order_number TEXT NOT NULL,
        notes        TEXT NOT NULL,
        cylinders    INTEGER NOT NULL CHECK (cylinders IN (4, 6, 8)),
        part_number  TEXT NOT NULL,
        created_by   TEXT,
        created_at   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX jobs_created_at ON jobs (created_at);
      -- A session coded for a job names the job and the position; a free retest names the charged session.
      ALTER TABLE coding_sessions ADD COLUMN job_id TEXT REFERENCES jobs (id);
      ALTER TABLE coding_sessions ADD COLUMN job_position INTEGER CHECK (job_position BETWEEN 1 AND 8);
      ALTER TABLE coding_sessions ADD COLUMN retest_of TEXT REFERENCES coding_sessions (id);
      CREATE INDEX coding_sessions_job ON coding_sessions (job_id, job_position);
    `,
  },
  {
    version: 10,
    name: 'jobs edited and closed',
    sql: `
      -- A job's facts can be corrected while it is open; a closed job takes no more injectors until an
      -- admin reopens it (reopening clears both closed columns, the integrity log keeps the history).
      ALTER TABLE jobs ADD COLUMN updated_at TEXT;
      ALTER TABLE jobs ADD COLUMN updated_by TEXT;
      ALTER TABLE jobs ADD COLUMN closed_at TEXT;
      ALTER TABLE jobs ADD COLUMN closed_by TEXT;
      CREATE INDEX jobs_closed_at ON jobs (closed_at);
    `,
  },
];

export const latestSchemaVersion = migrations.at(-1)?.version ?? 0;
