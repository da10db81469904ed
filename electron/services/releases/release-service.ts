/**
 * Channels, local pins, rollback and hot refresh on the bench (docs/trust-packs.md "Pins, rollback and
 * refresh"). Every target goes through trust/verify-release.ts via the PackManager: a local pin is one more
 * input of the same resolution, never a second resolver. Every decision goes into the integrity log with
 * actor, reason, ticket, time and the gate outcomes. Nothing is activated while a coding session runs: a
 * refresh asked for then waits and runs as soon as the session ends.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BenchSettings, FamilyRelease, RefreshResult, ReleasesView, ReleaseSourceInput, ReleaseVersion } from '../../contract/bench-api';
import { MAX_PIN_DAYS } from '../../contract/bench-api';
import type { BenchErrorCode } from '../../contract/envelope';
import { openEnvelope, parsePayload } from '../../../trust/envelope';
import { isTrustError } from '../../../trust/errors';
import { featureId, limits, snapshotSchema, type ChannelName, type DirectiveDocument, type IndexDocument } from '../../../trust/schemas';
import type { MetadataSource } from '../../../trust/source';
import type { BenchCore } from '../bench-core';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import { createLogger, type Logger } from '../../../common/logger';
import type { ActivationResult, PackManager, UpdateAudit } from '../packs/pack-manager';
import { ServiceError } from '../service-error';
import type { ReleasePinRecord, ReleaseRepository, ReleaseSourceKind } from '../store/release-repository';
import { bundleScratchDir, openReleaseSource, type OpenedSource, type ReleaseSourceSpec } from './release-source';
import type { LocalPin } from '../../../trust/target-policy';

const DAY_MS = 86_400_000;
/** An index expiring within this window shows as "expiring": time to refresh. */
const EXPIRING_MS = 7 * DAY_MS;

export interface ReleaseServiceDeps {
  dataDir: string;
  packs: PackManager;
  releases: ReleaseRepository;
  settings: () => BenchSettings;
  log: IntegrityLog;
  logger: Logger;
  now: () => Date;
  sessionRunning: () => boolean;
  /** Resolves when the running session has ended (and its last-known-good is recorded). */
  sessionSettled: () => Promise<unknown>;
  /** Called after anything a Releases view shows has changed. */
  onChange: () => void;
}

export interface ReleaseTimers {
  /** How often expired pins are looked for; 0 turns it off. */
  pinCheckMs: number;
  /** How often packs are refreshed from a configured central server; 0 turns it off. */
  serverRefreshMs: number;
}

export type RefreshTrigger = 'admin' | 'startup' | 'periodic' | 'pin-expired' | 'deferred';

export interface RefreshRequest extends UpdateAudit {
  trigger: RefreshTrigger;
  source?: ReleaseSourceInput;
  /** Only these families (a pin expiry); all families the source lists otherwise. */
  families?: readonly string[];
}

const passThrough: readonly string[] = ['BELOW_FLOOR', 'DOWNGRADE_REFUSED', 'REVOKED', 'EXPIRED', 'UNREACHABLE', 'NOT_FOUND'];

const advice: Record<string, string> = {
  BELOW_FLOOR: 'Choose a version at or above the security floor.',
  DOWNGRADE_REFUSED: 'To go back, roll back to the last-known-good, or ask for a director-signed directive.',
  REVOKED: 'That version was withdrawn by the release manager; choose another.',
  EXPIRED: 'The signed metadata is out of date: refresh from the central server or a newer bundle.',
  UNREACHABLE: 'Check the central server address in Settings and the network, or refresh from a directory or an offline bundle.',
  NOT_FOUND: 'Choose a version the trusted index lists, or refresh first.',
};

/** What went wrong and what to do, without the code. */
export function explain(error: unknown): string {
  if (isTrustError(error)) return `${error.message} ${advice[error.code] ?? 'Nothing was changed; the active pack stays in force.'}`;
  return error instanceof Error ? error.message : String(error);
}

/** A trust failure as the operator sees it: the gate by name where it is a policy gate, with what to do. */
export function toServiceError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  if (isTrustError(error)) {
    const code = (passThrough.includes(error.code) ? error.code : 'VERIFICATION_FAILED') as BenchErrorCode;
    const prefix = code === 'VERIFICATION_FAILED' ? `${error.code}: ` : '';
    return new ServiceError(code, `${prefix}${explain(error)}`, { cause: error });
  }
  return new ServiceError('INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
}

function toLocalPin(pin: ReleasePinRecord | null): LocalPin | null {
  if (!pin) return null;
  if (pin.kind === 'channel' && pin.channel) return { channel: pin.channel, endsAt: pin.endsAt };
  if (pin.version) return { version: pin.version, endsAt: pin.endsAt, rollbackToLkg: pin.kind === 'rollback' };
  return null;
}

function errorFields(error: unknown): { code: string; message: string } {
  return { code: isTrustError(error) ? error.code : error instanceof ServiceError ? error.code : 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

export class ReleaseService {
  /** Mutations run one at a time: state.json and the pins never see two writers. */
  #queue: Promise<unknown> = Promise.resolve();
  #pendingRequest: RefreshRequest | null = null;
  #timers: NodeJS.Timeout[] = [];
  #lastRefresh: RefreshResult | null = null;

  constructor(private readonly deps: ReleaseServiceDeps) {
    const stored = deps.releases.refreshState().lastResultJson;
    if (stored) {
      try {
        this.#lastRefresh = JSON.parse(stored) as RefreshResult;
      } catch {
        this.#lastRefresh = null;
      }
    }
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Starts the pin-expiry check and, when a central server is set, the periodic refresh. */
  start(timers: ReleaseTimers): void {
    if (timers.pinCheckMs > 0) {
      const timer = setInterval(() => void this.checkPins().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'pin expiry check failed')), timers.pinCheckMs);
      timer.unref();
      this.#timers.push(timer);
    }
    if (timers.serverRefreshMs > 0) {
      let inFlight = false;
      const timer = setInterval(() => {
        // One periodic refresh at a time: a slow server never piles them up.
        if (inFlight || !this.deps.settings().serverUrl || this.#configuredKind() !== 'server') return;
        inFlight = true;
        void this.refresh({ actor: 'bench', reason: 'periodic refresh from the central server', ticket: 'AUTO', trigger: 'periodic' })
          .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'periodic refresh failed'))
          .finally(() => {
            inFlight = false;
          });
      }, timers.serverRefreshMs);
      timer.unref();
      this.#timers.push(timer);
    }
    // A refresh deferred before a restart runs now: no session survives a restart.
    if (this.deps.releases.refreshState().pendingSince) void this.sessionEnded();
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    await this.#queue;
  }

  #configuredKind(): ReleaseSourceKind | null {
    const state = this.deps.releases.refreshState();
    return state.sourceKind ?? (this.deps.settings().serverUrl ? 'server' : null);
  }

  /** The configured source: the remembered one, else the central server from the settings. */
  #sourceSpec(input?: ReleaseSourceInput): ReleaseSourceSpec {
    const state = this.deps.releases.refreshState();
    const wanted = input ?? (state.sourceKind ? ({ kind: state.sourceKind, path: state.sourceLocation ?? '' } as ReleaseSourceInput) : { kind: 'server' as const });
    if (wanted.kind === 'server') {
      const url = this.deps.settings().serverUrl;
      if (!url) throw new ServiceError('NOT_CONFIGURED', 'No release source: set the central server in Settings, or refresh from a release directory or an offline bundle file.');
      return { kind: 'server', url };
    }
    return { kind: wanted.kind, path: path.resolve(wanted.path) };
  }

  /** Remembers where packs come from (the demo bench and admins choosing a directory or bundle). */
  configureSource(source: ReleaseSourceInput): void {
    this.deps.releases.setSource(source.kind, source.kind === 'server' ? null : path.resolve(source.path), this.deps.now());
  }

  async #open(spec: ReleaseSourceSpec): Promise<OpenedSource> {
    const scratch = bundleScratchDir(this.deps.dataDir);
    mkdirSync(scratch, { recursive: true });
    return openReleaseSource(spec, scratch);
  }

  #requireNoSession(what: string): void {
    if (this.deps.sessionRunning()) throw new ServiceError('CONFLICT', `A coding session is running: ${what} waits until it ends. Finish or abort the session, then try again.`);
  }

  #requireEndTime(endsAt: string): string {
    const now = this.deps.now().getTime();
    const end = Date.parse(endsAt);
    if (!(end > now)) throw new ServiceError('INVALID_ARGUMENT', `The end time ${endsAt} is not in the future: choose when the pin should end.`);
    if (end - now > MAX_PIN_DAYS * DAY_MS) throw new ServiceError('INVALID_ARGUMENT', `A pin lasts at most ${MAX_PIN_DAYS} days: choose an end time before ${new Date(now + MAX_PIN_DAYS * DAY_MS).toISOString()}.`);
    return new Date(end).toISOString();
  }

  /** Pins a family to a channel or a version until endsAt; verified and activated now, or refused with nothing changed. */
  pin(input: { family: string; target: { channel: ChannelName } | { version: string }; endsAt: string } & UpdateAudit): Promise<FamilyRelease> {
    return this.#serial(async () => {
      const endsAt = this.#requireEndTime(input.endsAt);
      this.#requireNoSession('a pin');
      this.#expireDue();
      const audit = { actor: input.actor, reason: input.reason, ticket: input.ticket };
      const localPin: LocalPin = 'channel' in input.target ? { channel: input.target.channel, endsAt } : { version: input.target.version, endsAt };
      const target: { channel: ChannelName } | { version: string } = 'channel' in input.target ? { channel: input.target.channel } : { version: input.target.version };
      let result: ActivationResult;
      let opened: OpenedSource | null = null;
      try {
        opened = await this.#open(this.#sourceSpec());
        result = await this.deps.packs.update(opened.source, input.family, { localPin, audit });
      } catch (error) {
        this.deps.log.append('releases.pin_refused', { family: input.family, target, ends_at: endsAt, ...audit, ...errorFields(error) });
        throw toServiceError(error);
      } finally {
        opened?.close();
      }
      const previous = this.deps.releases.pin(input.family);
      const startsAt = this.deps.now().toISOString();
      this.deps.releases.setPin({
        family: input.family,
        kind: 'channel' in target ? 'channel' : 'version',
        channel: 'channel' in target ? target.channel : null,
        version: 'version' in target ? target.version : null,
        sha256: 'version' in target ? result.sha256 : null,
        ...audit,
        startsAt,
        endsAt,
      });
      this.deps.log.append('releases.pinned', {
        family: input.family,
        target,
        starts_at: startsAt,
        ends_at: endsAt,
        ...audit,
        replaced: previous ? { kind: previous.kind, channel: previous.channel, version: previous.version, ends_at: previous.endsAt } : null,
        activation: { version: result.version, sha256: result.sha256, changed: result.changed, previous: result.previous, resolved_by: result.resolvedBy },
        gates: result.gates,
      });
      this.deps.onChange();
      return this.#family(input.family, true);
    });
  }

  /** Removes the pin and returns the family to its channel (or directive) at once. */
  unpin(input: { family: string } & UpdateAudit): Promise<FamilyRelease> {
    return this.#serial(async () => {
      this.#requireNoSession('an unpin');
      const pin = this.deps.releases.pin(input.family);
      if (!pin) throw new ServiceError('NOT_FOUND', `${input.family} has no local pin; it already follows its channel.`);
      const audit = { actor: input.actor, reason: input.reason, ticket: input.ticket };
      this.deps.releases.removePin(input.family);
      const activation = await this.#returnToPolicy(input.family, audit);
      this.deps.log.append('releases.unpinned', { family: input.family, ...audit, pin: { kind: pin.kind, channel: pin.channel, version: pin.version, ends_at: pin.endsAt }, activation });
      this.deps.onChange();
      return this.#family(input.family, true);
    });
  }

  /**
   * Back to the last-known-good: the exact pack that last completed a session cleanly, held there by a
   * rollback pin until endsAt. Refused when the LKG is now revoked or below the floor (fresh index).
   */
  rollback(input: { family: string; endsAt: string } & UpdateAudit): Promise<FamilyRelease> {
    return this.#serial(async () => {
      const endsAt = this.#requireEndTime(input.endsAt);
      this.#requireNoSession('a rollback');
      const state = this.deps.packs.readState();
      const lkg = state.lkg[input.family];
      const active = state.trusted.active[input.family];
      const audit = { actor: input.actor, reason: input.reason, ticket: input.ticket };
      if (!lkg) throw new ServiceError('NOT_FOUND', `${input.family} has no last-known-good yet: a pack becomes last-known-good after a coding session completes cleanly on it.`);
      if (active && active.manifest_sha256 === lkg.manifest_sha256) {
        throw new ServiceError('CONFLICT', `${input.family} ${active.version} is already the last-known-good; pin it instead to hold it.`);
      }
      let result: ActivationResult;
      let opened: OpenedSource | null = null;
      try {
        opened = await this.#open(this.#sourceSpec());
        result = await this.deps.packs.update(opened.source, input.family, { localPin: { version: lkg.version, rollbackToLkg: true, endsAt }, audit });
      } catch (error) {
        this.deps.log.append('releases.rollback_refused', { family: input.family, to: { version: lkg.version, sha256: lkg.manifest_sha256 }, from: active?.version ?? null, ends_at: endsAt, ...audit, ...errorFields(error) });
        throw toServiceError(error);
      } finally {
        opened?.close();
      }
      const startsAt = this.deps.now().toISOString();
      this.deps.releases.setPin({ family: input.family, kind: 'rollback', channel: null, version: lkg.version, sha256: lkg.manifest_sha256, ...audit, startsAt, endsAt });
      this.deps.log.append('releases.rolled_back', {
        family: input.family,
        from: active ? { version: active.version, sha256: active.manifest_sha256 } : null,
        to: { version: result.version, sha256: result.sha256 },
        starts_at: startsAt,
        ends_at: endsAt,
        ...audit,
        gates: result.gates,
      });
      this.deps.onChange();
      return this.#family(input.family, true);
    });
  }

  /**
   * Resolves and activates one family from `source` under the bench's local pin for it, if any: the one
   * way a refresh, an unpin, `packs update` and the session-start gate pick the active pack (pin and
   * rollback pass the pin they are about to record). Expired pins must have been removed first (#expireDue).
   */
  #activate(source: MetadataSource, family: string, audit?: UpdateAudit): Promise<ActivationResult> {
    return this.deps.packs.update(source, family, { localPin: toLocalPin(this.deps.releases.pin(family)), ...(audit ? { audit } : {}) });
  }

  /**
   * Activates per family from a source the caller opened and does not want remembered (`injbench packs
   * update --repo`, `session run --repo`), through the same pins and resolution as refresh; all families
   * the source's snapshot lists when none are named. Each family is its own decision.
   */
  update(source: MetadataSource, families: readonly string[] = []): Promise<Array<{ family: string; result: ActivationResult } | { family: string; error: unknown }>> {
    return this.#serial(async () => {
      this.#requireNoSession('an update');
      this.#expireDue();
      const outcomes: Array<{ family: string; result: ActivationResult } | { family: string; error: unknown }> = [];
      for (const family of families.length > 0 ? families : await this.#families(source)) {
        try {
          outcomes.push({ family, result: await this.#activate(source, family) });
        } catch (error) {
          outcomes.push({ family, error });
        }
      }
      this.deps.onChange();
      return outcomes;
    });
  }

  /**
   * The session-start gate's pin check (docs/trust-packs.md): expired pins are removed and recorded; when the
   * family's pin is no longer the one its active pack was chosen under (expired, set, replaced or removed
   * since), the family is resolved again from the stored metadata and the packs already on this bench (no
   * network), by the same resolver. Returns that activation, or null when nothing changed; throws the
   * resolver's typed error when no pack is admissible, and the session is refused.
   */
  recheckPins(family: string): Promise<ActivationResult | null> {
    return this.#serial(async () => {
      this.#expireDue();
      const pin = this.deps.releases.pin(family);
      if (!this.deps.packs.chosenUnderOtherPin(family, toLocalPin(pin))) return null;
      const audit = { actor: 'bench', reason: 'the local pin changed since the active pack was chosen; resolved again at session start', ticket: 'AUTO' };
      const pinFields = pin ? { kind: pin.kind, channel: pin.channel, version: pin.version, ends_at: pin.endsAt } : null;
      try {
        const result = await this.#activate(this.deps.packs.storedSource(), family, audit);
        this.deps.log.append('releases.session_start_resolved', { family, pin: pinFields, activation: { version: result.version, sha256: result.sha256, changed: result.changed, previous: result.previous, resolved_by: result.resolvedBy }, gates: result.gates });
        this.deps.onChange();
        return result;
      } catch (error) {
        this.deps.log.append('releases.session_start_refused', { family, pin: pinFields, ...errorFields(error) });
        throw error;
      }
    });
  }

  /** Fetches and activates per family; deferred while a coding session runs. */
  refresh(request: RefreshRequest): Promise<RefreshResult> {
    if (request.source) this.#sourceSpec(request.source);
    return this.#serial(() => this.#refresh(request));
  }

  async #refresh(request: RefreshRequest): Promise<RefreshResult> {
    const now = this.deps.now();
    const audit = { actor: request.actor, reason: request.reason, ticket: request.ticket };
    // Expiries are recorded at once; only the activation that follows waits for a running session.
    const expired = this.#expireDue();
    if (this.deps.sessionRunning()) return this.#defer({ ...request, families: request.families ? [...new Set([...request.families, ...expired])] : undefined }, [], null);
    let opened: OpenedSource | null = null;
    const outcomes: RefreshResult['families'] = [];
    let describe: string | null = null;
    try {
      opened = await this.#open(this.#sourceSpec(request.source));
      // Remembered only once it opened: a bundle refused whole (a name, a type, a cap) is not the bench's source.
      if (request.source) this.configureSource(request.source);
      describe = opened.describe;
      const families = request.families ? [...new Set([...request.families, ...expired])] : await this.#families(opened.source);
      for (const [position, family] of families.entries()) {
        // A session that started meanwhile: the rest waits for it to end.
        if (this.deps.sessionRunning()) return this.#defer(request, families.slice(position), describe, outcomes);
        try {
          const result = await this.#activate(opened.source, family, audit);
          outcomes.push({ family, outcome: result.changed ? 'activated' : 'unchanged', version: result.version, code: null, message: null });
        } catch (error) {
          const refused = errorFields(error);
          outcomes.push({ family, outcome: 'refused', version: this.deps.packs.readState().trusted.active[family]?.version ?? null, code: refused.code, message: explain(error) });
        }
      }
    } catch (error) {
      const failed = toServiceError(error);
      const result: RefreshResult = { deferred: false, at: now.toISOString(), source: describe, families: [{ family: '*', outcome: 'refused', version: null, code: failed.code, message: failed.message }] };
      this.#lastRefresh = result;
      this.deps.releases.recordAttempt(false, result, now);
      this.deps.log.append('releases.refresh_failed', { trigger: request.trigger, ...audit, source: describe, ...errorFields(error) });
      this.deps.onChange();
      throw failed;
    } finally {
      opened?.close();
    }
    const result: RefreshResult = { deferred: false, at: now.toISOString(), source: describe, families: outcomes };
    this.#lastRefresh = result;
    this.deps.releases.recordAttempt(outcomes.some((outcome) => outcome.outcome !== 'refused'), result, now);
    this.deps.releases.setPending(null, now);
    this.deps.log.append('releases.refreshed', {
      trigger: request.trigger,
      ...audit,
      source: describe,
      families: outcomes.map(({ family, outcome, version, code }) => ({ family, outcome, version, code })),
    });
    this.deps.onChange();
    return result;
  }

  #defer(request: RefreshRequest, families: readonly string[], source: string | null, done: RefreshResult['families'] = []): RefreshResult {
    const now = this.deps.now();
    // The latest request wins; an admin's request keeps its own actor, reason and ticket.
    this.#pendingRequest = request;
    this.deps.releases.setPending(now, now);
    this.deps.log.append('releases.refresh_deferred', { trigger: request.trigger, actor: request.actor, reason: request.reason, ticket: request.ticket, waiting_for: 'the running coding session', families: families.length > 0 ? families : 'all' });
    this.deps.onChange();
    return { deferred: true, at: now.toISOString(), source, families: [...done, ...families.map((family) => ({ family, outcome: 'deferred' as const, version: null, code: null, message: null }))] };
  }

  /** Called when a coding session ends: a deferred refresh runs now. */
  async sessionEnded(): Promise<RefreshResult | null> {
    await this.deps.sessionSettled();
    if (!this.deps.releases.refreshState().pendingSince && !this.#pendingRequest) return null;
    const request = this.#pendingRequest ?? { actor: 'bench', reason: 'refresh deferred before a restart', ticket: 'AUTO', trigger: 'deferred' as const };
    this.#pendingRequest = null;
    try {
      return await this.refresh({ ...request, trigger: 'deferred' });
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'deferred refresh failed');
      return null;
    }
  }

  /** The timer's check: expired pins are removed, recorded, and their families return to their channel. */
  checkPins(): Promise<RefreshResult | null> {
    const due = this.deps.releases.pins().filter((pin) => Date.parse(pin.endsAt) <= this.deps.now().getTime());
    if (due.length === 0) return Promise.resolve(null);
    return this.refresh({ actor: 'bench', reason: 'local pin reached its end time', ticket: 'AUTO', trigger: 'pin-expired', families: due.map((pin) => pin.family) }).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'return to channel after pin expiry failed');
      return null;
    });
  }

  /** Removes every pin whose end time has passed and records each expiry; returns their families. */
  #expireDue(): string[] {
    const now = this.deps.now();
    const expired: string[] = [];
    for (const pin of this.deps.releases.pins()) {
      if (Date.parse(pin.endsAt) > now.getTime()) continue;
      if (!this.deps.releases.removePin(pin.family)) continue;
      expired.push(pin.family);
      this.deps.log.append('releases.pin_expired', {
        family: pin.family,
        pin: { kind: pin.kind, channel: pin.channel, version: pin.version, sha256: pin.sha256, starts_at: pin.startsAt, ends_at: pin.endsAt },
        actor: pin.actor,
        reason: pin.reason,
        ticket: pin.ticket,
        expired_at: now.toISOString(),
      });
    }
    if (expired.length > 0) this.deps.onChange();
    return expired;
  }

  async #returnToPolicy(family: string, audit: UpdateAudit): Promise<Record<string, unknown>> {
    let opened: OpenedSource | null = null;
    try {
      opened = await this.#open(this.#sourceSpec());
      const result = await this.#activate(opened.source, family, audit);
      return { outcome: result.changed ? 'activated' : 'unchanged', version: result.version, resolved_by: result.resolvedBy, gates: result.gates };
    } catch (error) {
      // The pin is gone either way; the current pack stays active until a refresh can resolve the channel.
      return { outcome: 'refused', ...errorFields(error) };
    } finally {
      opened?.close();
    }
  }

  /** Family names the source's snapshot lists (names only; each family is then verified in full). */
  async #families(source: MetadataSource): Promise<string[]> {
    const listed = new Set(Object.keys(this.deps.packs.readState().trusted.active));
    const bytes = await source.read('snapshot.json', limits.snapshotBytes);
    if (bytes) {
      const snapshot = parsePayload(openEnvelope(bytes, limits.snapshotBytes, 'snapshot'), snapshotSchema, 'snapshot');
      for (const family of Object.keys(snapshot.indexes)) if (featureId.safeParse(family).success) listed.add(family);
    }
    return [...listed].sort();
  }

  #family(family: string, full: boolean): FamilyRelease {
    const state = this.deps.packs.readState();
    const now = this.deps.now().getTime();
    const active = state.trusted.active[family];
    const lkg = state.lkg[family];
    const pin = this.deps.releases.pin(family);
    let index: IndexDocument | null = null;
    try {
      index = this.deps.packs.trustedIndex(family);
    } catch (error) {
      this.deps.logger.warn({ family, err: error }, 'stored index does not verify');
    }
    const pinActive = pin !== null && Date.parse(pin.endsAt) > now;
    const directive = this.#directiveInForce();
    const assignment = directive?.assignments[family];
    const followed: ChannelName | null = assignment && 'version' in assignment ? null : pinActive ? pin.channel : assignment ? assignment.channel : this.deps.settings().releaseChannel;
    const decidedBy = assignment && 'version' in assignment
      ? `directive seq ${directive?.seq} pin to ${assignment.version}`
      : pinActive
      ? pin.kind === 'rollback'
        ? `rollback to last-known-good ${pin.version} until ${pin.endsAt}`
        : pin.kind === 'channel'
          ? `local pin to channel ${pin.channel} until ${pin.endsAt}`
          : `local pin to ${pin.version} until ${pin.endsAt}`
      : assignment
        ? `directive seq ${directive?.seq} channel ${assignment.channel}`
        : `bench channel ${this.deps.settings().releaseChannel}`;
    const directiveSeq = directive?.seq ?? 0;
    const decision: FamilyRelease['decision'] =
      assignment && 'version' in assignment
        ? { kind: 'directivePin', seq: directiveSeq, version: assignment.version }
        : pinActive
          ? { kind: 'localPin' }
          : assignment
            ? { kind: 'directiveChannel', seq: directiveSeq, channel: assignment.channel }
            : { kind: 'benchChannel', channel: this.deps.settings().releaseChannel };
    const expires = index ? Date.parse(index.expires) : null;
    const freshness = expires === null ? 'unknown' : expires <= now ? 'expired' : expires - now <= EXPIRING_MS ? 'expiring' : 'fresh';
    const available: ReleaseVersion[] =
      full && index
        ? Object.entries(index.versions)
            .map(([version, entry]) => ({
              version,
              releaseCounter: entry.release_counter,
              sha256: entry.manifest.sha256,
              channels: Object.entries(index.channels)
                .filter(([, pointer]) => pointer?.version === version)
                .map(([channel]) => channel as ChannelName),
              revoked: index.revoked.includes(version),
              belowFloor: entry.release_counter < index.security_floor,
              publishedAt: entry.published_at ?? null,
              notes: entry.notes ?? null,
            }))
            .sort((a, b) => b.releaseCounter - a.releaseCounter)
        : [];
    return {
      family,
      channel: followed,
      decidedBy,
      decision,
      pin: pin ? { kind: pin.kind, channel: pin.channel, version: pin.version, actor: pin.actor, reason: pin.reason, ticket: pin.ticket, startsAt: pin.startsAt, endsAt: pin.endsAt, expired: !pinActive } : null,
      active: active ? { version: active.version, sha256: active.manifest_sha256, releaseCounter: active.release_counter } : null,
      lastKnownGood: lkg ? { version: lkg.version, sha256: lkg.manifest_sha256, releaseCounter: lkg.release_counter } : null,
      securityFloor: index?.security_floor ?? null,
      indexExpires: index?.expires ?? null,
      freshness,
      available,
    };
  }

  /** The directive in force, for display (an expired one decides nothing, so the view does not name it). */
  #directiveInForce(): DirectiveDocument | null {
    try {
      return this.deps.packs.directiveInForce();
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'stored directive does not verify');
      return null;
    }
  }

  /** What the Releases view shows; technicians get the active packs and their freshness only. */
  view(full: boolean): ReleasesView {
    try {
      return this.#view(full);
    } catch (error) {
      // A damaged state file is shown by name (MALFORMED, HASH_MISMATCH), not as an internal failure.
      throw toServiceError(error);
    }
  }

  #view(full: boolean): ReleasesView {
    const state = this.deps.packs.readState();
    const families = [...new Set([...Object.keys(state.trusted.active), ...this.deps.releases.pins().map((pin) => pin.family)])].sort();
    const refresh = this.deps.releases.refreshState();
    const kind = this.#configuredKind();
    return {
      families: families.map((family) => this.#family(family, full)),
      source: kind ? { kind, location: kind === 'server' ? (this.deps.settings().serverUrl ?? '') : (refresh.sourceLocation ?? '') } : null,
      lastRefreshAt: refresh.lastAttemptAt,
      lastSuccessAt: refresh.lastSuccessAt,
      lastRefresh: full ? this.#lastRefresh : null,
      refreshPendingSince: refresh.pendingSince,
      maxPinDays: MAX_PIN_DAYS,
    };
  }
}

/**
 * The release service on a bench data directory whose app is not running (the command line, a session run
 * without the app): the same pins and resolution, no timers, and no session of its own to wait for.
 */
export function releaseServiceOn(core: BenchCore, logger: Logger = createLogger('injbench-releases', 'warn')): ReleaseService {
  return new ReleaseService({
    dataDir: core.dataDir,
    packs: core.packs,
    releases: core.store.releases,
    settings: () => core.store.settings.get(),
    log: core.log,
    logger,
    now: core.now,
    sessionRunning: () => false,
    sessionSettled: () => Promise.resolve(),
    onChange: () => undefined,
  });
}
