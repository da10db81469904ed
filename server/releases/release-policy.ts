/**
 * Promotion policy per channel: how long a version soaks on the channel before it, the canary health it
 * must show, and how far ahead a notice must be published (docs/release-policy.md: the seeds' release
 * governance asks for a "pre-release notice at least one business day before staged or GA deployment",
 * taken here as 24 hours).
 *
 * A policy file (JSON, `injbench server --release-policy FILE`) overrides any of these per channel:
 *   { "channels": { "staged": { "minSessions": 50, "soakHours": 48 } } }
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { channelNames, type ChannelName } from '../../trust/schemas';
import { ServerError } from '../server-error';

export const channelPolicySchema = z.strictObject({
  /** The channel the version must have soaked on first (null: none, e.g. canary itself). */
  soakAfter: z.enum(channelNames).nullable(),
  soakHours: z.number().min(0).max(24 * 365),
  minSessions: z.number().int().min(0).max(10_000_000),
  /** Passed sessions over finished ones (passed + failed + aborted), 0..1. */
  minPassRate: z.number().min(0).max(1),
  /** Aborted sessions over finished ones, 0..1. */
  maxAbortRate: z.number().min(0).max(1),
  /** Hours a notice for this version and channel must have been published before promotion; null: none needed. */
  noticeHours: z.number().min(0).max(24 * 90).nullable(),
});
export type ChannelPolicy = z.infer<typeof channelPolicySchema>;
export type ReleasePolicy = Record<ChannelName, ChannelPolicy>;

/** The documented defaults (docs/release-policy.md, docs/central-server.md). */
export const DEFAULT_RELEASE_POLICY: ReleasePolicy = {
  canary: { soakAfter: null, soakHours: 0, minSessions: 0, minPassRate: 0, maxAbortRate: 1, noticeHours: null },
  staged: { soakAfter: 'canary', soakHours: 24, minSessions: 20, minPassRate: 0.9, maxAbortRate: 0.05, noticeHours: 24 },
  stable: { soakAfter: 'staged', soakHours: 72, minSessions: 100, minPassRate: 0.95, maxAbortRate: 0.02, noticeHours: 24 },
  lts: { soakAfter: 'stable', soakHours: 168, minSessions: 100, minPassRate: 0.95, maxAbortRate: 0.02, noticeHours: 24 },
};

export const releasePolicyFileSchema = z.strictObject({
  channels: z.partialRecord(z.enum(channelNames), channelPolicySchema.partial()),
});
export type ReleasePolicyInput = z.infer<typeof releasePolicyFileSchema>;

export function resolveReleasePolicy(input?: ReleasePolicyInput): ReleasePolicy {
  const policy = structuredClone(DEFAULT_RELEASE_POLICY);
  for (const channel of channelNames) Object.assign(policy[channel], input?.channels[channel] ?? {});
  return policy;
}

export function readReleasePolicyFile(file: string): ReleasePolicyInput {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ServerError('INVALID_REQUEST', `Cannot read the release policy ${file}: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const parsed = releasePolicyFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServerError('INVALID_REQUEST', `Release policy ${file}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}.`);
  }
  return parsed.data;
}
