import { describe, expect, it } from 'vitest';
import { describeUnmet, evaluateGates } from '../../../server/releases/promotion-gates';
import { DEFAULT_RELEASE_POLICY, resolveReleasePolicy } from '../../../server/releases/release-policy';
import type { ReleaseHealth } from '../../../server/store/release-health-repository';

const now = new Date('2026-11-22T12:00:00Z');

function health(overrides: Partial<ReleaseHealth> = {}): ReleaseHealth {
  return {
    family: 'bosch-like-cri',
    version: '1.1.0',
    sessions: 3,
    passed: 3,
    failed: 0,
    aborted: 0,
    refused: 0,
    running: 0,
    benches: 1,
    passRate: 1,
    abortRate: 0,
    errorClasses: [],
    activation: { benches: 1, refusals: 0, successRate: 1, medianSecondsToActivate: 60, maxSecondsToActivate: 60 },
    publishedAt: '2026-11-20T12:00:00Z',
    secondsSincePublish: 172_800,
    measuredAt: now.toISOString(),
    ...overrides,
  };
}

const notice = (channel: string, publishedAt: string) => ({ noticeId: 'n1', family: 'bosch-like-cri', version: '1.1.0', channel, publishedAt, windowStart: null, message: 'm', actor: 'a', ticket: 't' });

describe('promotion gates', () => {
  it('with the default policy, a canary with too few sessions is refused by name and numbers', () => {
    const gates = evaluateGates({ channel: 'staged', policy: DEFAULT_RELEASE_POLICY.staged, health: health(), notices: [notice('staged', '2026-11-21T08:00:00Z')], decisions: [], now });
    expect(gates.filter((gate) => !gate.met).map((gate) => gate.id)).toEqual(['sessions']);
    expect(describeUnmet(gates)).toBe('sessions: required ≥ 20 finished sessions, actual 3 (3 passed, 0 failed, 0 aborted) on 1 bench(es). 17 more finished session(s) needed on bosch-like-cri 1.1.0.');
  });

  it('counts soak on stable from the recorded promotion to staged, and needs the notice a full period ahead', () => {
    const healthy = health({ sessions: 500, passed: 500, passRate: 1 });
    const staged = { decisionId: 'd1', family: 'bosch-like-cri', version: '1.1.0', channel: 'staged', decidedAt: '2026-11-21T12:00:00Z', actor: 'a', reason: 'r', ticket: 't', outcome: 'allowed' as const, gates: [] };
    const gates = evaluateGates({ channel: 'stable', policy: DEFAULT_RELEASE_POLICY.stable, health: healthy, notices: [notice('stable', '2026-11-22T00:00:00Z')], decisions: [staged], now });
    const unmet = Object.fromEntries(gates.filter((gate) => !gate.met).map((gate) => [gate.id, gate.actual]));
    expect(unmet).toEqual({ soak: '24.0 h', notice: 'published 12.0 h ago' });
    const none = evaluateGates({ channel: 'stable', policy: DEFAULT_RELEASE_POLICY.stable, health: healthy, notices: [], decisions: [], now });
    expect(none.find((gate) => gate.id === 'soak')).toMatchObject({ met: false, actual: 'unknown' });
    expect(none.find((gate) => gate.id === 'notice')).toMatchObject({ met: false, actual: 'no notice' });
  });

  it('takes pass and abort rates as unmet while no session finished, and merges a policy file over the defaults', () => {
    const gates = evaluateGates({ channel: 'staged', policy: resolveReleasePolicy({ channels: { staged: { minSessions: 0, noticeHours: null, soakHours: 0 } } }).staged, health: health({ sessions: 0, passed: 0, passRate: null, abortRate: null }), notices: [], decisions: [], now });
    expect(gates.filter((gate) => !gate.met).map((gate) => gate.id)).toEqual(['pass_rate', 'abort_rate']);
    expect(resolveReleasePolicy({ channels: { stable: { minSessions: 7 } } }).stable).toEqual({ ...DEFAULT_RELEASE_POLICY.stable, minSessions: 7 });
    expect(DEFAULT_RELEASE_POLICY.canary.noticeHours).toBeNull();
  });
});
