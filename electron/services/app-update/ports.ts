/**
 * What the app-update policy needs from the rest of the bench, as small ports; bench-ports.ts answers
 * them for the app (channel, hold), the session service for coding sessions.
 */
import { z } from 'zod';
import type { EvidenceSink } from '../evidence/evidence-sink';
import type { BenchReleaseChannel } from './release-channel';

export type Unsubscribe = () => void;

/** The bench's current release channel (canary, staged, stable, lts), as channels and pins decide it. */
export interface ReleaseChannelSource {
  current(): BenchReleaseChannel;
  onChange(listener: (channel: BenchReleaseChannel) => void): Unsubscribe;
}

/** Whether a coding session is running: an install restarts the app, so it must wait for none. */
export interface CodingSessionActivity {
  isRunning(): boolean;
  /** Called each time the last running session has ended. */
  onIdle(listener: () => void): Unsubscribe;
}

/** An admin's hold of the app at its installed version: a pin with who, why, which ticket and until when. */
export const appHoldSchema = z.strictObject({
  actor: z.string().min(1),
  reason: z.string().min(1),
  ticket: z.string().min(1),
  since: z.iso.datetime(),
  /** Pins are time-bounded: the hold ends on its own at this instant. */
  until: z.iso.datetime(),
});
export type AppHold = z.infer<typeof appHoldSchema>;

export interface AdminHoldSource {
  /** The hold in force, or null. */
  current(): AppHold | null;
  onChange(listener: () => void): Unsubscribe;
}

/** A newer build the updater found on the channel. */
export interface UpdateOffer {
  version: string;
  releaseDate?: string;
}

/**
 * The updater as the policy drives it (electron-updater sits behind it in electron/main). Implementations
 * must never check or download with downgrades allowed.
 */
export interface UpdaterPort {
  readonly currentVersion: string;
  useChannel(channel: BenchReleaseChannel): void;
  /** The build the channel offers, or null when it offers nothing newer. */
  check(): Promise<UpdateOffer | null>;
  download(): Promise<void>;
  /** Quits the app, installs the downloaded build and starts it again. */
  install(): void;
}

export interface AppUpdatePorts {
  updater: UpdaterPort;
  channel: ReleaseChannelSource;
  sessions: CodingSessionActivity;
  hold: AdminHoldSource;
  evidence: EvidenceSink;
  now?: () => Date;
}
