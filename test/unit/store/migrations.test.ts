import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBenchStore, STORE_FILE_NAME } from '../../../electron/services/store/bench-store';
import { migrate, schemaVersionOf } from '../../../electron/services/store/migrate';
import { systemTimeZone } from '../../../electron/contract/bench-time';
import { latestSchemaVersion, migrations } from '../../../electron/services/store/migrations/index';
import { useTempDirs } from '../../helpers/temp-dir';

function schemaOf(db: Database.Database): string[] {
  return db
    .prepare<[], { sql: string }>("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((row) => row.sql.replace(/\s+/g, ' ').trim());
}

/** Sample rows for the tables that exist at each version, to prove upgrades keep data. */
const seedAtVersion: Record<number, (db: Database.Database) => void> = {
  1: (db) => db.prepare("INSERT INTO settings VALUES ('language', '\"de\"', '2026-01-01T00:00:00Z')").run(),
  2: (db) => db.prepare("INSERT INTO app_launches (started_at, mode, app_version) VALUES ('2026-01-01T00:00:00Z', 'workspace', '0.0.1')").run(),
  3: (db) => db.prepare("INSERT INTO bench_identity VALUES (1, 'bench-0001', 'pk', '2026-01-01T00:00:00Z')").run(),
  4: (db) =>
    db
      .prepare("INSERT INTO operators (id, name, role, pin_hash, created_at, updated_at) VALUES ('op-1', 'Ana', 'admin', 'h', 't', 't')")
      .run(),
  5: (db) =>
    db
      .prepare("INSERT INTO coding_sessions (id, part_number, injector_serial, started_at, status) VALUES ('s-1', 'P', 'S', 't', 'aborted')")
      .run(),
  6: (db) => db.prepare("INSERT INTO sync_state (singleton, acked_entry_seq, updated_at) VALUES (1, 7, 't')").run(),
  7: (db) =>
    db
      .prepare(
        "INSERT INTO release_pins (family, kind, version, actor, reason, ticket, starts_at, ends_at) VALUES ('denso-like-g3', 'version', '1.1.0', 'Ana', 'audit hold', 'OPS-1', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')",
      )
      .run(),
  8: (db) => db.prepare("INSERT INTO bench_hardware VALUES (1, 'ib-bench-1', 'IB-0042', '3.1.0', '2026-01-01T00:00:00Z')").run(),
  9: (db) => {
    db.prepare("INSERT INTO jobs (id, customer, vehicle, vin, order_number, notes, cylinders, part_number, created_at) VALUES ('job-1', 'Garage Nord', 'Van', '', 'WO-1', '', 4, 'P', 't')").run();
    db.prepare("INSERT INTO coding_sessions (id, part_number, injector_serial, started_at, status, job_id, job_position) VALUES ('s-8', 'P', 'S8', 't', 'aborted', 'job-1', 2)").run();
  },
  10: (db) =>
    db
      .prepare("INSERT INTO jobs (id, customer, vehicle, vin, order_number, notes, cylinders, part_number, created_at, closed_at, closed_by) VALUES ('job-2', 'Garage Süd', 'Truck', '', 'WO-2', '', 6, 'P', 't', 't2', 'op-1')")
      .run(),
};

describe('store migrations', () => {
  const tempDir = useTempDirs();

  it('are numbered 1..n without gaps, each with a seed for the upgrade test', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    for (const migration of migrations) expect(seedAtVersion[migration.version], `seed for v${migration.version}`).toBeTypeOf('function');
  });

  it('build the latest schema from an empty database', () => {
    const db = new Database(path.join(tempDir(), 'empty.sqlite'));
    const outcome = migrate(db);
    expect(outcome).toEqual({ from: 0, to: latestSchemaVersion, applied: migrations.map((m) => m.version) });
    expect(schemaOf(db).join('\n')).toContain('CREATE TABLE app_launches');
    db.close();
  });

  it('are a no-op when applied twice', () => {
    const db = new Database(path.join(tempDir(), 'twice.sqlite'));
    migrate(db);
    const schema = schemaOf(db);
    expect(migrate(db)).toEqual({ from: latestSchemaVersion, to: latestSchemaVersion, applied: [] });
    expect(schemaOf(db)).toEqual(schema);
    db.close();
  });

  const earlier = Array.from({ length: latestSchemaVersion }, (_, i) => i);
  it.each(earlier)('upgrade a database at version %i to the latest schema and keep its data', (start) => {
    const fresh = new Database(':memory:');
    migrate(fresh);
    const expectedSchema = schemaOf(fresh);
    fresh.close();

    const file = path.join(tempDir(), `v${start}.sqlite`);
    const db = new Database(file);
    migrate(db, migrations, start);
    for (let version = 1; version <= start; version += 1) seedAtVersion[version]?.(db);
    expect(schemaVersionOf(db)).toBe(start);
    const outcome = migrate(db);
    expect(outcome.applied).toEqual(migrations.filter((m) => m.version > start).map((m) => m.version));
    expect(schemaOf(db)).toEqual(expectedSchema);
    if (start >= 1) expect(db.prepare('SELECT value_json FROM settings WHERE key = ?').pluck().get('language')).toBe('"de"');
    if (start >= 2) expect(db.prepare('SELECT COUNT(*) FROM app_launches').pluck().get()).toBe(1);
    if (start >= 3) expect(db.prepare('SELECT bench_id FROM bench_identity').pluck().get()).toBe('bench-0001');
    if (start >= 4) expect(db.prepare('SELECT name FROM operators').pluck().get()).toBe('Ana');
    if (start >= 5) expect(db.prepare("SELECT status FROM coding_sessions WHERE id = 's-1'").pluck().get()).toBe('aborted');
    if (start >= 6) expect(db.prepare('SELECT acked_entry_seq FROM sync_state').pluck().get()).toBe(7);
    if (start >= 7) expect(db.prepare('SELECT version FROM release_pins').pluck().get()).toBe('1.1.0');
    if (start >= 8) expect(db.prepare('SELECT model FROM bench_hardware').pluck().get()).toBe('ib-bench-1');
    if (start >= 9) expect(db.prepare("SELECT job_position FROM coding_sessions WHERE job_id = 'job-1'").pluck().get()).toBe(2);
    db.close();
  });

  it('roll a failing migration back whole and leave the version where it was', () => {
    const db = new Database(path.join(tempDir(), 'broken.sqlite'));
    const broken = [...migrations, { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM missing_table;' }];
    expect(() => migrate(db, broken)).toThrow(/missing_table/);
    expect(schemaVersionOf(db)).toBe(latestSchemaVersion);
    expect(schemaOf(db).join('\n')).not.toContain('half');
    db.close();
  });

  it('refuse a database newer than the app and leave it untouched', () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, STORE_FILE_NAME));
    db.pragma(`user_version = ${latestSchemaVersion + 5}`);
    db.close();
    expect(() => openBenchStore(dir)).toThrow(expect.objectContaining({ code: 'STORE_TOO_NEW' }));
    const reopened = new Database(path.join(dir, STORE_FILE_NAME));
    expect(schemaVersionOf(reopened)).toBe(latestSchemaVersion + 5);
    expect(schemaOf(reopened)).toEqual([]);
    reopened.close();
  });
});

describe('bench store file', () => {
  const tempDir = useTempDirs();

  it('is a WAL database with synchronous=FULL', () => {
    const store = openBenchStore(tempDir());
    expect(store.info()).toMatchObject({ journalMode: 'wal', synchronous: 'FULL', schemaVersion: latestSchemaVersion });
    store.close();
  });

  it('reports a file that is not a database as a STORE_ERROR naming the file', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, STORE_FILE_NAME), 'this is not sqlite, just text that is long enough to have a header'.repeat(20));
    expect(() => openBenchStore(dir)).toThrow(expect.objectContaining({ code: 'STORE_ERROR', message: expect.stringContaining(STORE_FILE_NAME) }));
  });

  it('keeps settings across a reopen and ignores rows that no longer parse', () => {
    const dir = tempDir();
    const store = openBenchStore(dir);
    const unset = { workshopName: '', workshopAddress: '', timeZone: systemTimeZone(), labelPrinter: { kind: 'download' }, documentPrinter: { kind: 'download' } };
    expect(store.settings.get()).toEqual({ benchPort: null, serverUrl: null, language: 'en', releaseChannel: 'stable', ...unset });
    store.settings.update({ benchPort: 'tcp://127.0.0.1:4001', language: 'fr' });
    store.close();

    const raw = new Database(path.join(dir, STORE_FILE_NAME));
    raw.prepare("UPDATE settings SET value_json = '{broken' WHERE key = 'language'").run();
    raw.close();

    const reopened = openBenchStore(dir);
    expect(reopened.settings.get()).toEqual({ benchPort: 'tcp://127.0.0.1:4001', serverUrl: null, language: 'en', releaseChannel: 'stable', ...unset });
    reopened.close();
  });
});
