/**
 * Stand-ins for the ports whose owners are not built yet: release channels and pins (the channels issue)
 * and the session engine. They answer honestly with what this build knows: the bench follows one fixed
 * channel, no admin hold can exist yet, and no coding session can run yet. Replace each with the real
 * service when it lands; the policy does not change.
 */
import type { BenchReleaseChannel } from './channel-mapping';
import type { AdminHoldSource, CodingSessionActivity, ReleaseChannelSource } from './ports';

const noSubscription = () => () => undefined;

export function fixedReleaseChannel(channel: BenchReleaseChannel): ReleaseChannelSource {
  return { current: () => channel, onChange: noSubscription };
}

export const noCodingSessions: CodingSessionActivity = { isRunning: () => false, onIdle: noSubscription };

export const noAdminHold: AdminHoldSource = { current: () => null, onChange: noSubscription };
