/**
 * The promotion gates of one channel, each named with its required and actual figures, so a refusal says
 * exactly what is missing. Pure: the numbers come from release-health.ts, the rules from release-policy.ts.
 */
import type { ChannelName } from '../../trust/schemas';
import type { ReleaseDecision, ReleaseHealth, ReleaseNotice } from '../store/release-health-repository';
import type { ChannelPolicy } from './release-policy';

export const gateIds = ['soak', 'sessions', 'pass_rate', 'abort_rate', 'notice'] as const;
export type GateId = (typeof gateIds)[number];

export interface PromotionGate {
  id: GateId;
  met: boolean;
  required: string;
  actual: string;
  detail: string;
}

export interface GateInput {
  channel: ChannelName;
  policy: ChannelPolicy;
  health: ReleaseHealth;
  notices: readonly ReleaseNotice[];
  /** Earlier promotion decisions of this version (any channel), for the soak on a channel after canary. */
  decisions: readonly ReleaseDecision[];
  now: Date;
}

const HOUR_MS = 3_600_000;
const hours = (ms: number): string => `${(ms / HOUR_MS).toFixed(1)} h`;
const pct = (value: number | null): string => (value === null ? 'n/a (no finished session)' : `${(value * 100).toFixed(1)} %`);

function soakGate(input: GateInput): PromotionGate {
  const { policy, health, decisions, now } = input;
  const required = `${policy.soakHours} h on ${policy.soakAfter ?? '(none)'}`;
  if (!policy.soakAfter || policy.soakHours === 0) return { id: 'soak', met: true, required, actual: 'not required', detail: 'No soak window for this channel.' };
  let since: string | null;
  let what: string;
  if (policy.soakAfter === 'canary') {
    since = health.publishedAt;
    what = 'Published to canary';
  } else {
    since = decisions.filter((decision) => decision.channel === policy.soakAfter).at(-1)?.decidedAt ?? null;
    what = `Promoted to ${policy.soakAfter}`;
  }
  if (!since) {
    return { id: 'soak', met: false, required, actual: 'unknown', detail: `The server has no record of when ${health.family} ${health.version} was ${what.toLowerCase()}, so its soak cannot be counted.` };
  }
  const elapsed = now.getTime() - Date.parse(since);
  const needed = policy.soakHours * HOUR_MS;
  return {
    id: 'soak',
    met: elapsed >= needed,
    required,
    actual: hours(Math.max(0, elapsed)),
    detail: elapsed >= needed ? `${what} ${hours(elapsed)} ago.` : `${what} ${hours(Math.max(0, elapsed))} ago; the soak window ends at ${new Date(Date.parse(since) + needed).toISOString()}.`,
  };
}

function noticeGate(input: GateInput): PromotionGate {
  const { policy, notices, channel, now } = input;
  if (policy.noticeHours === null) return { id: 'notice', met: true, required: 'none', actual: 'not required', detail: `No notice is needed before ${channel}.` };
  const required = `a notice for ${channel} published ≥ ${policy.noticeHours} h ahead`;
  const forChannel = notices.filter((notice) => notice.channel === channel);
  const earliest = forChannel[0];
  if (!earliest) return { id: 'notice', met: false, required, actual: 'no notice', detail: `No notice for ${channel} was published: run "injbench release notice" at least ${policy.noticeHours} h before promoting.` };
  const age = now.getTime() - Date.parse(earliest.publishedAt);
  const met = age >= policy.noticeHours * HOUR_MS;
  return {
    id: 'notice',
    met,
    required,
    actual: `published ${hours(Math.max(0, age))} ago`,
    detail: met ? `Notice ${earliest.noticeId} published at ${earliest.publishedAt}.` : `Notice ${earliest.noticeId} was published at ${earliest.publishedAt}; promotion is possible from ${new Date(Date.parse(earliest.publishedAt) + policy.noticeHours * HOUR_MS).toISOString()}.`,
  };
}

export function evaluateGates(input: GateInput): PromotionGate[] {
  const { policy, health } = input;
  const sessionsMet = health.sessions >= policy.minSessions;
  const passMet = policy.minPassRate === 0 || (health.passRate !== null && health.passRate >= policy.minPassRate);
  const abortMet = policy.maxAbortRate === 1 || (health.abortRate !== null && health.abortRate <= policy.maxAbortRate);
  return [
    soakGate(input),
    {
      id: 'sessions',
      met: sessionsMet,
      required: `≥ ${policy.minSessions} finished sessions`,
      actual: `${health.sessions} (${health.passed} passed, ${health.failed} failed, ${health.aborted} aborted) on ${health.benches} bench(es)`,
      detail: sessionsMet ? 'Enough sessions.' : `${policy.minSessions - health.sessions} more finished session(s) needed on ${health.family} ${health.version}.`,
    },
    { id: 'pass_rate', met: passMet, required: `≥ ${pct(policy.minPassRate)}`, actual: pct(health.passRate), detail: `${health.passed} of ${health.sessions} finished sessions passed.` },
    { id: 'abort_rate', met: abortMet, required: `≤ ${pct(policy.maxAbortRate)}`, actual: pct(health.abortRate), detail: `${health.aborted} of ${health.sessions} finished sessions were aborted.` },
    noticeGate(input),
  ];
}

/** One line per unmet gate, with its numbers: what a refusal prints. */
export function describeUnmet(gates: readonly PromotionGate[]): string {
  return gates
    .filter((gate) => !gate.met)
    .map((gate) => `${gate.id}: required ${gate.required}, actual ${gate.actual}. ${gate.detail}`)
    .join('\n');
}
