import type Database from 'better-sqlite3';
import type { ChannelName } from '../../../trust/schemas';

export type PinKind = 'channel' | 'version' | 'rollback';

export interface ReleasePinRecord {
  family: string;
  kind: PinKind;
  channel: ChannelName | null;
  version: string | null;
  sha256: string | null;
  actor: string;
  reason: string;
  ticket: string;
  startsAt: string;
  endsAt: string;
}

export type ReleaseSourceKind = 'server' | 'directory' | 'bundle';

export interface RefreshState {
  sourceKind: ReleaseSourceKind | null;
  sourceLocation: string | null;
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  lastResultJson: string | null;
  pendingSince: string | null;
}

interface PinRow {
  family: string;
  kind: PinKind;
  channel: ChannelName | null;
  version: string | null;
  sha256: string | null;
  actor: string;
  reason: string;
  ticket: string;
  starts_at: string;
  ends_at: string;
}

interface RefreshRow {
  source_kind: ReleaseSourceKind | null;
  source_location: string | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_result_json: string | null;
  pending_since: string | null;
}

function toPin(row: PinRow): ReleasePinRecord {
  return {
    family: row.family,
    kind: row.kind,
    channel: row.channel,
    version: row.version,
    sha256: row.sha256,
    actor: row.actor,
    reason: row.reason,
    ticket: row.ticket,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
  };
}

/** Local admin pins (one per family) and the refresh state, each change one statement under synchronous=FULL. */
export class ReleaseRepository {
  readonly #pins: Database.Statement<[], PinRow>;
  readonly #pin: Database.Statement<[string], PinRow>;
  readonly #upsertPin: Database.Statement<[PinRow]>;
  readonly #deletePin: Database.Statement<[string]>;
  readonly #refresh: Database.Statement<[], RefreshRow>;
  readonly #ensureRefresh: Database.Statement<[string]>;
  readonly #setSource: Database.Statement<[{ kind: string; location: string | null; now: string }]>;
  readonly #recordAttempt: Database.Statement<[{ now: string; ok: number; result: string }]>;
  readonly #setPending: Database.Statement<[{ pending: string | null; now: string }]>;

  constructor(private readonly db: Database.Database) {
    this.#pins = db.prepare('SELECT * FROM release_pins ORDER BY family');
    this.#pin = db.prepare('SELECT * FROM release_pins WHERE family = ?');
    this.#upsertPin = db.prepare(
      `INSERT INTO release_pins (family, kind, channel, version, sha256, actor, reason, ticket, starts_at, ends_at)
       VALUES (@family, @kind, @channel, @version, @sha256, @actor, @reason, @ticket, @starts_at, @ends_at)
       ON CONFLICT(family) DO UPDATE SET kind = excluded.kind, channel = excluded.channel, version = excluded.version,
         sha256 = excluded.sha256, actor = excluded.actor, reason = excluded.reason, ticket = excluded.ticket,
         starts_at = excluded.starts_at, ends_at = excluded.ends_at`,
    );
    this.#deletePin = db.prepare('DELETE FROM release_pins WHERE family = ?');
    this.#refresh = db.prepare('SELECT source_kind, source_location, last_attempt_at, last_success_at, last_result_json, pending_since FROM release_refresh WHERE singleton = 1');
    this.#ensureRefresh = db.prepare('INSERT INTO release_refresh (singleton, updated_at) VALUES (1, ?) ON CONFLICT(singleton) DO NOTHING');
    this.#setSource = db.prepare('UPDATE release_refresh SET source_kind = @kind, source_location = @location, updated_at = @now WHERE singleton = 1');
    this.#recordAttempt = db.prepare(
      `UPDATE release_refresh SET last_attempt_at = @now, last_result_json = @result,
         last_success_at = CASE WHEN @ok = 1 THEN @now ELSE last_success_at END, updated_at = @now WHERE singleton = 1`,
    );
    this.#setPending = db.prepare('UPDATE release_refresh SET pending_since = @pending, updated_at = @now WHERE singleton = 1');
  }

  pins(): ReleasePinRecord[] {
    return this.#pins.all().map(toPin);
  }

  pin(family: string): ReleasePinRecord | null {
    const row = this.#pin.get(family);
    return row ? toPin(row) : null;
  }

  setPin(pin: ReleasePinRecord): void {
    this.#upsertPin.run({
      family: pin.family,
      kind: pin.kind,
      channel: pin.channel,
      version: pin.version,
      sha256: pin.sha256,
      actor: pin.actor,
      reason: pin.reason,
      ticket: pin.ticket,
      starts_at: pin.startsAt,
      ends_at: pin.endsAt,
    });
  }

  /** True when a pin was there to remove. */
  removePin(family: string): boolean {
    return this.#deletePin.run(family).changes > 0;
  }

  refreshState(): RefreshState {
    const row = this.#refresh.get();
    return {
      sourceKind: row?.source_kind ?? null,
      sourceLocation: row?.source_location ?? null,
      lastAttemptAt: row?.last_attempt_at ?? null,
      lastSuccessAt: row?.last_success_at ?? null,
      lastResultJson: row?.last_result_json ?? null,
      pendingSince: row?.pending_since ?? null,
    };
  }

  setSource(kind: ReleaseSourceKind, location: string | null, now: Date): void {
    this.#ensureRefresh.run(now.toISOString());
    this.#setSource.run({ kind, location, now: now.toISOString() });
  }

  recordAttempt(ok: boolean, result: unknown, now: Date): void {
    this.#ensureRefresh.run(now.toISOString());
    this.#recordAttempt.run({ now: now.toISOString(), ok: ok ? 1 : 0, result: JSON.stringify(result) });
  }

  setPending(pendingSince: Date | null, now: Date): void {
    this.#ensureRefresh.run(now.toISOString());
    this.#setPending.run({ pending: pendingSince ? pendingSince.toISOString() : null, now: now.toISOString() });
  }
}
