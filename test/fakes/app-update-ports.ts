/**
 * Controllable stand-ins for the app-update ports: an updater whose channel offers are set per test, and
 * channel, session and hold sources that tests drive like the future channels and session services will.
 */
import type { BenchReleaseChannel } from '../../electron/services/app-update/release-channel';
import type {
  AdminHoldSource,
  AppHold,
  CodingSessionActivity,
  ReleaseChannelSource,
  UpdateOffer,
  UpdaterPort,
} from '../../electron/services/app-update/ports';

export class FakeUpdaterPort implements UpdaterPort {
  channel: BenchReleaseChannel | null = null;
  /** What each release channel offers; a missing channel offers nothing. */
  offers = new Map<BenchReleaseChannel, UpdateOffer>();
  checkError: Error | null = null;
  downloadError: Error | null = null;
  readonly calls: string[] = [];
  installs = 0;
  /** Lets a test hold a download open to change things while it runs. */
  downloadGate: Promise<void> | null = null;

  constructor(public currentVersion = '1.4.0') {}

  useChannel(channel: BenchReleaseChannel): void {
    this.calls.push(`useChannel:${channel}`);
    this.channel = channel;
  }
  async check(): Promise<UpdateOffer | null> {
    this.calls.push(`check:${this.channel}`);
    if (this.checkError) throw this.checkError;
    return (this.channel && this.offers.get(this.channel)) ?? null;
  }
  async download(): Promise<void> {
    this.calls.push('download');
    if (this.downloadGate) await this.downloadGate;
    if (this.downloadError) throw this.downloadError;
  }
  install(): void {
    this.calls.push('install');
    this.installs += 1;
  }
}

type Listener<T extends unknown[]> = (...args: T) => void;

function listeners<T extends unknown[]>() {
  const set = new Set<Listener<T>>();
  return {
    add(listener: Listener<T>) {
      set.add(listener);
      return () => void set.delete(listener);
    },
    emit(...args: T) {
      for (const listener of [...set]) listener(...args);
    },
    get size() {
      return set.size;
    },
  };
}

export class FakeReleaseChannel implements ReleaseChannelSource {
  readonly #listeners = listeners<[BenchReleaseChannel]>();
  constructor(public channel: BenchReleaseChannel = 'stable') {}
  current(): BenchReleaseChannel {
    return this.channel;
  }
  onChange(listener: (channel: BenchReleaseChannel) => void) {
    return this.#listeners.add(listener);
  }
  set(channel: BenchReleaseChannel): void {
    this.channel = channel;
    this.#listeners.emit(channel);
  }
  get listenerCount() {
    return this.#listeners.size;
  }
}

export class FakeCodingSessions implements CodingSessionActivity {
  readonly #listeners = listeners<[]>();
  running = false;
  isRunning(): boolean {
    return this.running;
  }
  onIdle(listener: () => void) {
    return this.#listeners.add(listener);
  }
  begin(): void {
    this.running = true;
  }
  end(): void {
    this.running = false;
    this.#listeners.emit();
  }
}

export class FakeAdminHold implements AdminHoldSource {
  readonly #listeners = listeners<[]>();
  hold: unknown = null;
  current(): AppHold | null {
    return this.hold as AppHold | null;
  }
  onChange(listener: () => void) {
    return this.#listeners.add(listener);
  }
  set(hold: unknown): void {
    this.hold = hold;
    this.#listeners.emit();
  }
}
