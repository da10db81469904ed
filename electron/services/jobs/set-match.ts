/**
 * The matched-set verdict of an engine set: injectors of one engine should deliver alike, so beyond each
 * injector's own tolerance the pack limits how far one test point's deviation may spread across the set
 * (max − min of the deviation in percent of nominal, over the coded injectors). Pure: the job service
 * feeds it the latest report of each position.
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
      entry.values.push(step.deviationPct);
      byStep.set(step.id, entry);
    }
  }
  const steps = [...byStep].map(([stepId, { label, values }]) => {
    const minPct = Math.min(...values);
    const maxPct = Math.max(...values);
    return { stepId, label, minPct, maxPct, spreadPct: maxPct - minPct };
  });
  const spreadPct = coded.length >= 2 && steps.length > 0 ? Math.max(...steps.map((step) => step.spreadPct)) : coded.length === 1 ? 0 : null;
  // The strictest limit of the packs the set was coded on: a set is only as matched as its tightest rule.
  const limits = coded.map((report) => report.packRules?.maxSetSpreadPct ?? null).filter((limit): limit is number => limit !== null);
  const limitPct = limits.length > 0 ? Math.min(...limits) : null;
  let verdict: SetMatch['verdict'];
  if (coded.length < cylinders) verdict = 'incomplete';
  else if (limitPct === null) verdict = 'no_limit';
  else verdict = (spreadPct ?? 0) <= limitPct ? 'matched' : 'not_matched';
  return { verdict, coded: coded.length, rejected, spreadPct, limitPct, steps };
}
