import type Database from 'better-sqlite3';
import { settingsSchema, type BenchSettings } from '../../contract/bench-api';
import { systemTimeZone } from '../../contract/bench-time';

/** The machine's time zone is read at each get, so a bench moved to another zone follows it until an admin sets one. */
const defaults = (): BenchSettings => ({
  benchPort: null,
  serverUrl: null,
  language: 'en',
  releaseChannel: 'stable',
  workshopName: '',
  workshopAddress: '',
  timeZone: systemTimeZone(),
  labelPrinter: { kind: 'download' },
  documentPrinter: { kind: 'download' },
});

interface SettingRow {
  key: string;
  value_json: string;
}

/** Bench settings as typed values; rows that no longer parse fall back to the default for that key. */
export class SettingsRepository {
  readonly #select: Database.Statement<[], SettingRow>;
  readonly #upsert: Database.Statement<[string, string, string]>;

  constructor(private readonly db: Database.Database) {
    this.#select = db.prepare('SELECT key, value_json FROM settings');
    this.#upsert = db.prepare(
      `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
    );
  }

  get(): BenchSettings {
    const settings: BenchSettings = defaults();
    for (const row of this.#select.all()) {
      const key = row.key as keyof BenchSettings;
      if (!(key in settingsSchema.shape)) continue;
      let value: unknown;
      try {
        value = JSON.parse(row.value_json);
      } catch {
        continue;
      }
      const parsed = settingsSchema.shape[key].safeParse(value);
      if (parsed.success) Object.assign(settings, { [key]: parsed.data });
    }
    return settings;
  }

  update(patch: Partial<BenchSettings>, now: Date = new Date()): BenchSettings {
    const write = this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        this.#upsert.run(key, JSON.stringify(value), now.toISOString());
      }
    });
    write();
    return this.get();
  }
}
