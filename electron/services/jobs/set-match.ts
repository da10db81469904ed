/**
 * The matched-set verdict of an engine set: injectors of one engine should need alike corrections, so
 * beyond each injector's own tolerance the pack limits how far one test point's correction may spread
 * across the set (max − min, in the code's own steps, over the coded injectors; a step the code does not
 * correct counts as 0). Pure: the job service feeds it the latest report of each position.
 */
import type { SessionReport } from '../../contract/coding-session';
import type { SetMatch } from '../../contract/jobs';

export function isCoded(report: SessionReport): boolean {
  return report.status === 'completed' && report.verdict === 'pass' && report.code !== null;
}

export function setMatch(cylinders: number, latest: readonly SessionReport[]): SetMatch {
  const coded = latest.filter(isCoded);
  const rejected = latest.filter((report) => report.status === 'completed' && report.verdict === 'fail').length;
  const byStep = new Map<string, { label: string; values: number[] }>();
  for (const report of coded) {
    for (const step of report.steps) {
      const entry = byStep.get(step.id) ?? { label: step.label, values: [] };
      entry.values.push(step.correctionSteps ?? 0);
      byStep.set(step.id, entry);
    }
  }
  const steps = [...byStep].map(([stepId, { label, values }]) => {
    const min = Math.min(...values);
    const max = Math.max(...values);
    return { stepId, label, min, max, spread: max - min };
  });
  const spread = coded.length >= 2 && steps.length > 0 ? Math.max(...steps.map((step) => step.spread)) : coded.length === 1 ? 0 : null;
  // The strictest limit of the packs the set was coded on: a set is only as matched as its tightest rule.
  const limits = coded.map((report) => report.packRules?.maxCorrectionSpread ?? null).filter((limit): limit is number => limit !== null);
  const limit = limits.length > 0 ? Math.min(...limits) : null;
  let verdict: SetMatch['verdict'];
  if (coded.length < cylinders) verdict = 'incomplete';
  else if (limit === null) verdict = 'no_limit';
  else verdict = (spread ?? 0) <= limit ? 'matched' : 'not_matched';
  return { verdict, coded: coded.length, rejected, spread, limit, steps };
}
