/**
 * When the bench app may update itself, in one place:
 * - it follows the bench's release channel (bench-ports.ts: a directive's, else Settings'), re-applied on
 *   every channel change; what a channel offers is a signed app release (signed-app-feed.ts), and a
 *   release that does not verify is refused with its trust code before anything is downloaded;
 * - it never moves to a version that is not newer than the installed one (the updater port refuses
 *   downgrades, and this policy refuses them again, so one bug cannot downgrade a bench);
 * - an admin hold (pin) stops checks and installs until it ends;
 * - downloads may run during a coding session, the install waits until no session runs;
 * - every check, download, deferral and install is recorded as evidence before the policy acts on it,
 *   so a bench that cannot record does not act.
 */
import semver from 'semver';
import type { EvidenceEntry, EvidenceSink } from '../evidence/evidence-sink';
import type { Logger } from '../../../common/logger';
import type { BenchReleaseChannel } from './release-channel';
import { isTrustError } from '../../../trust/errors';
import { appHoldSchema, type AppHold, type AppUpdatePorts, type Unsubscribe, type UpdateOffer } from './ports';

export type AppUpdatePhase = 'idle' | 'checking' | 'downloading' | 'downloaded' | 'installing';

export type CheckOutcome =
  | { outcome: 'held'; hold: AppHold | null }
  | { outcome: 'up-to-date' }
  | { outcome: 'downgrade-refused'; offeredVersion: string }
  | { outcome: 'install-deferred'; version: string }
  | { outcome: 'install-held'; version: string }
  | { outcome: 'installing'; version: string }
  | { outcome: 'refused'; code: string; message: string }
  | { outcome: 'failed'; message: string };

export interface PendingInstall {
  version: string;
  /** The channel whose signed release named this build. */
  releaseChannel: BenchReleaseChannel;
}

export interface AppUpdateState {
  phase: AppUpdatePhase;
  currentVersion: string;
  releaseChannel: BenchReleaseChannel;
  pending: PendingInstall | null;
}

/** Why a hold is in force, or null; an unreadable hold record holds too: not updating is the safe side. */
type HoldState = { held: false } | { held: true; hold: AppHold | null; why: string };

export class AppUpdatePolicy {
  readonly #ports: AppUpdatePorts;
  readonly #evidence: EvidenceSink;
  readonly #now: () => Date;
  readonly #logger: Logger | undefined;
  #phase: AppUpdatePhase = 'idle';
  #releaseChannel: BenchReleaseChannel;
  #pending: PendingInstall | null = null;
  #deferralRecordedFor: string | null = null;
  #holdRecordedFor: string | null = null;
  #inFlight: Promise<CheckOutcome> | null = null;
  #subscriptions: Unsubscribe[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(ports: AppUpdatePorts, logger?: Logger) {
    this.#ports = ports;
    this.#evidence = ports.evidence;
    this.#now = ports.now ?? (() => new Date());
    this.#logger = logger;
    this.#releaseChannel = ports.channel.current();
  }

  /** Applies the current channel and follows channel, session and hold changes from now on. */
  async start(options: { checkEveryMs?: number } = {}): Promise<void> {
    this.#ports.updater.useChannel(this.#releaseChannel);
    await this.#record('app-update.channel.applied', 'bench', 'App update channel set from the bench release channel at start.', {});
    this.#subscriptions.push(
      this.#ports.channel.onChange((channel) => this.#background(this.changeChannel(channel).then(() => this.check('channel-change')))),
      this.#ports.sessions.onIdle(() => this.#background(this.installIfAllowed())),
      this.#ports.hold.onChange(() => this.#background(this.installIfAllowed())),
    );
    if (options.checkEveryMs && options.checkEveryMs > 0) {
      this.#timer = setInterval(() => this.#background(this.check('schedule')), options.checkEveryMs);
      this.#timer.unref();
    }
  }

  stop(): void {
    for (const unsubscribe of this.#subscriptions.splice(0)) unsubscribe();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  state(): AppUpdateState {
    return {
      phase: this.#phase,
      currentVersion: this.#ports.updater.currentVersion,
      releaseChannel: this.#releaseChannel,
      pending: this.#pending ? { ...this.#pending } : null,
    };
  }

  /** Checks the channel, downloads a newer build and installs it when allowed. One check at a time. */
  check(trigger: 'start' | 'schedule' | 'channel-change' | 'admin' = 'schedule'): Promise<CheckOutcome> {
    if (this.#inFlight) return this.#inFlight;
    const run = this.#check(trigger).finally(() => {
      this.#inFlight = null;
    });
    this.#inFlight = run;
    return run;
  }

  async #check(trigger: string): Promise<CheckOutcome> {
    try {
      if (this.#pending) return await this.installIfAllowed();
      const hold = this.#holdState();
      if (hold.held) {
        await this.#record('app-update.check.skipped', hold.hold?.actor ?? 'bench', `No update check: ${hold.why}`, {
          trigger,
          ...holdDetails(hold.hold),
        });
        return { outcome: 'held', hold: hold.hold };
      }
      this.#phase = 'checking';
      let offer: UpdateOffer | null;
      try {
        offer = await this.#ports.updater.check();
      } catch (error) {
        const message = errorMessage(error);
        if (isTrustError(error) && error.code !== 'UNREACHABLE') {
          // The signed app release did not verify: nothing was downloaded, and the code says why.
          await this.#record('app-update.check.refused', 'bench', `Update refused (${error.code}): ${message}`, { trigger, code: error.code });
          return { outcome: 'refused', code: error.code, message };
        }
        await this.#record('app-update.check.failed', 'bench', `Update check failed: ${message}`, { trigger, ...(isTrustError(error) ? { code: error.code } : {}) });
        return { outcome: 'failed', message };
      }
      const current = this.#ports.updater.currentVersion;
      if (!offer) {
        await this.#record('app-update.check.completed', 'bench', 'The channel offers no newer build.', { trigger, outcome: 'up-to-date' });
        return { outcome: 'up-to-date' };
      }
      if (!isNewer(offer.version, current)) {
        await this.#record(
          'app-update.downgrade.refused',
          'bench',
          `The channel offers ${offer.version}, which is not newer than the installed ${current}; the bench never downgrades itself.`,
          { trigger, offeredVersion: offer.version },
        );
        return { outcome: 'downgrade-refused', offeredVersion: offer.version };
      }
      await this.#record('app-update.check.completed', 'bench', `The channel offers ${offer.version}.`, {
        trigger,
        outcome: 'update-available',
        offeredVersion: offer.version,
      });
      const channelAtDownload = this.#releaseChannel;
      this.#phase = 'downloading';
      await this.#record('app-update.download.started', 'bench', `Downloading ${offer.version}.`, { offeredVersion: offer.version });
      try {
        await this.#ports.updater.download();
      } catch (error) {
        const message = errorMessage(error);
        const code: EvidenceEntry['details'] = isTrustError(error) ? { code: error.code } : {};
        await this.#record('app-update.download.failed', 'bench', `Download of ${offer.version} failed: ${message}`, {
          offeredVersion: offer.version,
          ...code,
        });
        return { outcome: 'failed', message };
      }
      await this.#record('app-update.download.completed', 'bench', `Downloaded ${offer.version}; it installs when no coding session runs.`, {
        offeredVersion: offer.version,
      });
      if (channelAtDownload !== this.#releaseChannel) {
        // The bench changed channel while this build downloaded: it belongs to a channel the bench left.
        await this.#discardPending({ version: offer.version, releaseChannel: channelAtDownload });
        return { outcome: 'up-to-date' };
      }
      this.#pending = { version: offer.version, releaseChannel: channelAtDownload };
      this.#phase = 'downloaded';
      return await this.installIfAllowed();
    } catch (error) {
      // Only evidence that could not be recorded lands here: nothing after it was done.
      const message = errorMessage(error);
      this.#logger?.error({ err: error }, 'app update stopped: evidence could not be recorded');
      return { outcome: 'failed', message };
    } finally {
      if (this.#phase === 'checking' || this.#phase === 'downloading') this.#phase = this.#pending ? 'downloaded' : 'idle';
    }
  }

  /** Installs the downloaded build unless an admin holds the app or a coding session runs. */
  async installIfAllowed(): Promise<CheckOutcome> {
    const pending = this.#pending;
    if (!pending) return { outcome: 'up-to-date' };
    if (this.#phase === 'installing') return { outcome: 'installing', version: pending.version };
    const hold = this.#holdState();
    if (hold.held) {
      if (this.#holdRecordedFor !== pending.version) {
        await this.#record('app-update.install.held', hold.hold?.actor ?? 'bench', `Install of ${pending.version} held: ${hold.why}`, {
          pendingVersion: pending.version,
          ...holdDetails(hold.hold),
        });
        this.#holdRecordedFor = pending.version;
      }
      return { outcome: 'install-held', version: pending.version };
    }
    if (this.#ports.sessions.isRunning()) {
      if (this.#deferralRecordedFor !== pending.version) {
        await this.#record(
          'app-update.install.deferred',
          'bench',
          `Install of ${pending.version} deferred: a coding session is running; it installs when the session ends.`,
          { pendingVersion: pending.version },
        );
        this.#deferralRecordedFor = pending.version;
      }
      return { outcome: 'install-deferred', version: pending.version };
    }
    // Claimed before the first await, so a session end and a lifted hold arriving together install once.
    this.#phase = 'installing';
    try {
      await this.#record('app-update.install.started', 'bench', `Installing ${pending.version}; the app restarts.`, {
        pendingVersion: pending.version,
      });
    } catch (error) {
      this.#phase = 'downloaded';
      throw error;
    }
    try {
      this.#ports.updater.install();
    } catch (error) {
      this.#phase = 'downloaded';
      const message = errorMessage(error);
      await this.#record('app-update.install.failed', 'bench', `Install of ${pending.version} failed: ${message}`, { pendingVersion: pending.version });
      return { outcome: 'failed', message };
    }
    return { outcome: 'installing', version: pending.version };
  }

  /** Follows a new bench release channel: applied at once, and a build from the old channel is dropped. */
  async changeChannel(channel: BenchReleaseChannel): Promise<void> {
    const previous = this.#releaseChannel;
    if (channel === previous) return;
    this.#releaseChannel = channel;
    this.#ports.updater.useChannel(channel);
    await this.#record('app-update.channel.changed', 'bench', `App update channel follows the bench: ${previous} to ${channel}.`, {
      fromReleaseChannel: previous,
    });
    if (this.#pending && this.#pending.releaseChannel !== channel && this.#phase !== 'installing') {
      await this.#discardPending(this.#pending);
    }
  }

  async #discardPending(pending: PendingInstall): Promise<void> {
    this.#pending = null;
    this.#phase = 'idle';
    await this.#record(
      'app-update.install.cancelled',
      'bench',
      `Downloaded ${pending.version} came from the ${pending.releaseChannel} channel, which the bench no longer follows; it will not be installed.`,
      { pendingVersion: pending.version, downloadedFromReleaseChannel: pending.releaseChannel },
    );
  }

  #holdState(): HoldState {
    let raw: unknown;
    try {
      raw = this.#ports.hold.current();
    } catch (error) {
      return { held: true, hold: null, why: `the admin hold could not be read (${errorMessage(error)}), so the app stays at its version.` };
    }
    if (raw === null) return { held: false };
    const parsed = appHoldSchema.safeParse(raw);
    if (!parsed.success) return { held: true, hold: null, why: 'the admin hold record is unreadable, so the app stays at its version.' };
    const hold = parsed.data;
    if (Date.parse(hold.until) <= this.#now().getTime()) return { held: false };
    return { held: true, hold, why: `held by ${hold.actor} until ${hold.until} (${hold.reason}, ticket ${hold.ticket}).` };
  }

  async #record(kind: string, actor: string, reason: string, details: EvidenceEntry['details']): Promise<void> {
    await this.#evidence.append({
      at: this.#now().toISOString(),
      kind,
      actor,
      reason,
      details: {
        currentVersion: this.#ports.updater.currentVersion,
        releaseChannel: this.#releaseChannel,
        ...details,
      },
    });
  }

  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.#logger?.error({ err: error }, 'app update step failed'));
  }
}

function isNewer(offered: string, current: string): boolean {
  const offeredVersion = semver.valid(offered);
  const currentVersion = semver.valid(current);
  return offeredVersion !== null && currentVersion !== null && semver.gt(offeredVersion, currentVersion);
}

function holdDetails(hold: AppHold | null): EvidenceEntry['details'] {
  if (!hold) return { holdReadable: false };
  return { holdActor: hold.actor, holdReason: hold.reason, holdTicket: hold.ticket, holdUntil: hold.until };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
