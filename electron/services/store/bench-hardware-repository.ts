import type Database from 'better-sqlite3';

/** What the connected bench reported about itself in IDENT (native-bridge/protocol/messages.ts). */
export interface ReportedHardware {
  model: string;
  benchSerial: string;
  firmware: string;
}

export interface RecordedHardware extends ReportedHardware {
  reportedAt: string;
}

interface HardwareRow {
  model: string;
  bench_serial: string;
  firmware: string;
  reported_at: string;
}

/**
 * The bench hardware as last reported in IDENT: the model packs are checked against. One row; each
 * connection overwrites it, so a bench swapped for another model is checked as the new one.
 */
export class BenchHardwareRepository {
  readonly #select: Database.Statement<[], HardwareRow>;
  readonly #upsert: Database.Statement<[string, string, string, string]>;

  constructor(db: Database.Database) {
    this.#select = db.prepare('SELECT model, bench_serial, firmware, reported_at FROM bench_hardware WHERE singleton = 1');
    this.#upsert = db.prepare(
      `INSERT INTO bench_hardware (singleton, model, bench_serial, firmware, reported_at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT(singleton) DO UPDATE SET model = excluded.model, bench_serial = excluded.bench_serial, firmware = excluded.firmware, reported_at = excluded.reported_at`,
    );
  }

  /** Null until a bench has identified itself to this data directory. */
  get(): RecordedHardware | null {
    const row = this.#select.get();
    return row ? { model: row.model, benchSerial: row.bench_serial, firmware: row.firmware, reportedAt: row.reported_at } : null;
  }

  record(hardware: ReportedHardware, now: Date): void {
    this.#upsert.run(hardware.model, hardware.benchSerial, hardware.firmware, now.toISOString());
  }
}
