/**
 * Which release a bench runs: the pin, cohort and downgrade policy of docs/trust-packs.md step 6
 * ("Resolution precedence" and the downgrade table). It only decides among versions the trust client
 * (trust/trust-client.ts) has already verified; the client calls it from `resolveTarget` and keeps the checks
 * every target must pass whoever chose it (listed by the index, exact pinned hash, not revoked, floor).
 * Kept apart so the policy can change without touching the checks of signed metadata.
 */
import { sha256Hex } from './crypto';
import { TrustError } from './errors';
import type { ChannelName, DirectiveDocument, IndexDocument, VersionEntry } from './schemas';

/** A release a bench has activated (or remembers as last-known-good or as the policy's last reach). */
export interface ActiveRelease {
  version: string;
  release_counter: number;
  manifest_sha256: string;
}

/** Which rule chose the target, in precedence order (docs/trust-packs.md "Resolution precedence"). */
export type Resolution = 'directive-pin' | 'local-pin' | 'local-rollback' | 'directive-channel' | 'default-channel';

/**
 * A workshop admin's pin on this bench: to a channel or to a version the trusted index lists, always with
 * an end time. `rollbackToLkg` marks the pin an admin rollback made to the exact last-known-good.
 */
export type LocalPin = { endsAt: string } & ({ channel: ChannelName } | { version: string; rollbackToLkg?: boolean });

/** The target the precedence rules chose, before the checks every target must pass. */
export interface TargetChoice {
  version: string;
  resolution: Resolution;
  /** How the target was chosen, for the evidence entry. */
  resolvedBy: string;
  /** The manifest hash a directive pin names; null for every other resolution. */
  pinnedHash: string | null;
  /** A local pin was passed but its end time has passed: it was not applied. */
  localPinExpired: boolean;
}

/** Cohort bucket 0-99 from the bench id, stable per family so rollouts do not always hit the same benches. */
export function cohortBucket(benchId: string, family: string): number {
  return Buffer.from(sha256Hex(Buffer.from(`${family}:${benchId}`, 'utf8')), 'hex').readUInt32BE(0) % 100;
}

/**
 * Resolution precedence: directive pin, else an unexpired local admin pin, else directive channel, else
 * the bench's default channel. A channel resolves through its rollout cohort.
 */
export function chooseTarget(input: {
  family: string;
  index: IndexDocument;
  directive: DirectiveDocument | null;
  bench: { benchId: string | null; defaultChannel: ChannelName };
  active: ActiveRelease | undefined;
  localPin: LocalPin | null;
  now: Date;
}): TargetChoice {
  const { family, index, directive, bench, active, localPin, now } = input;
  const assignment = directive?.assignments[family];
  // Rule: a local pin binds only until its end time; an expired pin is never applied, even if not yet removed.
  const localPinExpired = localPin !== null && Date.parse(localPin.endsAt) <= now.getTime();
  const pin = localPin && !localPinExpired ? localPin : null;
  let version: string;
  let resolvedBy: string;
  let resolution: Resolution;
  let pinnedHash: string | null = null;
  let channelPointer: { channel: ChannelName; via: string } | null = null;
  if (assignment && 'version' in assignment) {
    version = assignment.version;
    pinnedHash = assignment.sha256;
    resolution = 'directive-pin';
    resolvedBy = `directive seq ${directive?.seq} pin`;
  } else if (pin && 'version' in pin) {
    version = pin.version;
    resolution = pin.rollbackToLkg ? 'local-rollback' : 'local-pin';
    resolvedBy = pin.rollbackToLkg ? `rollback to last-known-good until ${pin.endsAt}` : `local pin to ${pin.version} until ${pin.endsAt}`;
  } else if (pin) {
    channelPointer = { channel: pin.channel, via: `local pin to channel ${pin.channel} until ${pin.endsAt}` };
    resolution = 'local-pin';
    version = '';
    resolvedBy = '';
  } else {
    channelPointer = { channel: assignment?.channel ?? bench.defaultChannel, via: `${assignment ? `directive seq ${directive?.seq} ` : 'default '}channel ${assignment?.channel ?? bench.defaultChannel}` };
    resolution = assignment ? 'directive-channel' : 'default-channel';
    version = '';
    resolvedBy = '';
  }
  if (channelPointer) {
    const { channel, via } = channelPointer;
    const pointer = index.channels[channel];
    if (!pointer) throw new TrustError('WRONG_TARGET', `channel ${channel} of ${family} points at no release.`);
    // A bench without an id has no cohort: it follows only a channel rolled out to everyone.
    const inCohort = bench.benchId === null ? pointer.rollout_percent === 100 : cohortBucket(bench.benchId, family) < pointer.rollout_percent;
    const outsideVersion = pointer.fallback_version ?? active?.version;
    if (!inCohort && !outsideVersion) throw new TrustError('WRONG_TARGET', `bench is outside the ${pointer.rollout_percent}% rollout of ${family} ${channel} and has no fallback.`);
    version = inCohort ? pointer.version : (outsideVersion as string);
    resolvedBy = `${via}${inCohort ? '' : ' (outside rollout cohort)'}`;
  }
  return { version, resolution, resolvedBy, pinnedHash, localPinExpired };
}

/**
 * Rule: never go below the active release counter unless a director-signed pin names the exact hash.
 * Two recorded exceptions (docs/trust-packs.md "Resolution precedence"): an admin rollback to the exact
 * last-known-good, and a channel resolution returning from a local pin, which is held to what the signed
 * policy last reached.
 */
export function requireNoDowngrade(input: {
  family: string;
  choice: TargetChoice;
  entry: VersionEntry;
  active: ActiveRelease | undefined;
  /** The release the signed policy (directive or channel) last activated; undefined means the active one. */
  policyActive?: ActiveRelease | null;
  lastKnownGood?: ActiveRelease | null;
}): void {
  const { family, entry, active } = input;
  const { version, resolution } = input.choice;
  if (resolution === 'local-rollback') {
    const lkg = input.lastKnownGood;
    if (!lkg || lkg.version !== version || lkg.manifest_sha256 !== entry.manifest.sha256) {
      throw new TrustError('DOWNGRADE_REFUSED', `${family} ${version} is not this bench's last-known-good; a rollback goes only to the exact last-known-good pack.`);
    }
  } else if (resolution === 'local-pin') {
    if (active && entry.release_counter < active.release_counter) {
      throw new TrustError('DOWNGRADE_REFUSED', `${family} ${version} (counter ${entry.release_counter}) is older than the active ${active.version} (counter ${active.release_counter}); a local pin may hold or raise the pack, not lower it.`);
    }
  } else if (resolution !== 'directive-pin') {
    const guard = input.policyActive ?? active;
    if (guard && entry.release_counter < guard.release_counter) {
      throw new TrustError('DOWNGRADE_REFUSED', `${family} ${version} (counter ${entry.release_counter}) is older than the active ${guard.version} (counter ${guard.release_counter}); only a directive pin may downgrade.`);
    }
  }
}
