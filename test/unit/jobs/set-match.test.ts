import { describe, expect, it } from 'vitest';
import type { SessionReport } from '../../../electron/contract/coding-session';
import { groupCode } from '../../../electron/contract/code-groups';
import { setMatch } from '../../../electron/services/jobs/set-match';

function coded(deviations: Record<string, number>, limit: number | null = 4, overrides: Partial<SessionReport> = {}): SessionReport {
  return {
    status: 'completed',
    verdict: 'pass',
    code: 'ABCDEFG',
    packRules: { maxCorrectionSpread: limit, retestWindowMin: 30, labelQr: 'code' },
    steps: Object.entries(deviations).map(([id, correctionSteps]) => ({ id, label: id, correctionSteps })),
    ...overrides,
  } as SessionReport;
}

describe('matched-set verdict', () => {
  it('takes the largest spread of one test point\'s correction across the set against the strictest limit', () => {
    const set = setMatch(4, [coded({ VL: 1, LL: -2 }), coded({ VL: 2.5, LL: 1 }), coded({ VL: -0.5, LL: 0 }, 2.5), coded({ VL: 0, LL: 0.5 })]);
    expect(set).toMatchObject({ verdict: 'not_matched', coded: 4, limit: 2.5, spread: 3 });
    expect(set.steps).toEqual([
      { stepId: 'VL', label: 'VL', min: -0.5, max: 2.5, spread: 3 },
      { stepId: 'LL', label: 'LL', min: -2, max: 1, spread: 3 },
    ]);
    expect(setMatch(4, [coded({ VL: 1 }), coded({ VL: 2.5 }), coded({ VL: -0.5 }), coded({ VL: 0 })]).verdict).toBe('matched');
  });

  it('is incomplete while a position is missing or rejected, and says so when no pack sets a limit', () => {
    const rejected = coded({}, 4, { verdict: 'fail', code: null });
    expect(setMatch(4, [coded({ VL: 1 }), coded({ VL: 1 }), coded({ VL: 1 }), rejected])).toMatchObject({ verdict: 'incomplete', coded: 3, rejected: 1 });
    expect(setMatch(4, [coded({ VL: 1 }, null), coded({ VL: 9 }, null), coded({ VL: 1 }, null), coded({ VL: 1 }, null)])).toMatchObject({ verdict: 'no_limit', spread: 8, limit: null });
  });
});

describe('grouped codes', () => {
  it('groups long codes in fours or fives, never leaves a short last group, and keeps short codes whole', () => {
    expect(groupCode('00797F7D8280808080808080808079')).toBe('00797 F7D82 80808 08080 80808 08079');
    expect(groupCode('1234567890ABCDEF')).toBe('1234 5678 90AB CDEF');
    expect(groupCode('1234567890123')).toBe('12345 67890 123');
    expect(groupCode('ABCDEFG')).toBe('ABCDEFG');
    expect(groupCode('1234 5678 90AB CDEF'.replace(/ /g, ''))).toBe('1234 5678 90AB CDEF');
  });
});
