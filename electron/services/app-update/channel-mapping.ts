/**
 * The app's update channel follows the bench's release channel. With electron-updater's generic provider
 * a channel is the name of the file the updater fetches from the update folder on the central server:
 *
 * | bench release channel | updater channel | files fetched (Windows / Linux)        |
 * |-----------------------|-----------------|----------------------------------------|
 * | canary                | canary          | canary.yml / canary-linux.yml          |
 * | staged                | staged          | staged.yml / staged-linux.yml          |
 * | stable (GA)           | latest          | latest.yml / latest-linux.yml          |
 * | lts                   | lts             | lts.yml / lts-linux.yml                |
 *
 * stable maps to `latest`, electron-builder's default channel, so a build packaged without a channel is a
 * stable build. Promotion copies the same channel file (same installer, same sha512) under the next
 * channel's name; nothing is rebuilt. docs/release-app.md has the release side.
 */
import { z } from 'zod';

export const benchReleaseChannels = ['canary', 'staged', 'stable', 'lts'] as const;
export const benchReleaseChannelSchema = z.enum(benchReleaseChannels);
export type BenchReleaseChannel = z.infer<typeof benchReleaseChannelSchema>;

export const updaterChannelByReleaseChannel = {
  canary: 'canary',
  staged: 'staged',
  stable: 'latest',
  lts: 'lts',
} as const satisfies Record<BenchReleaseChannel, string>;

export type UpdaterChannel = (typeof updaterChannelByReleaseChannel)[BenchReleaseChannel];

export function updaterChannelFor(channel: BenchReleaseChannel): UpdaterChannel {
  return updaterChannelByReleaseChannel[benchReleaseChannelSchema.parse(channel)];
}
