/**
 * What each phase of a finished session came to, read from its report alone (so a report opened from
 * History shows the same as one just finished): a refused, aborted or rejected session never shows a later
 * phase as done, and the phase it stopped in says so.
 */
import type { SessionProgress, SessionReport } from '../../../electron/contract/coding-session';

export type Phase = Extract<SessionProgress, { type: 'phase' }>['phase'];
export type PhaseOutcome = 'done' | 'failed' | 'skipped';
/** How the session ended, for the last item of the progress bar and the status line. */
export type SessionEnding = 'passed' | 'rejected' | 'refused' | 'aborted';

type MeasuredPhase = Exclude<Phase, 'done'>;
const measuredPhases: readonly MeasuredPhase[] = ['preflight', 'electrical', 'leak', 'delivery', 'coding', 'writing'];

export function sessionEnding(report: SessionReport): SessionEnding {
  if (report.status === 'refused') return 'refused';
  if (report.status === 'aborted') return 'aborted';
  return report.verdict === 'pass' ? 'passed' : 'rejected';
}

/** Whether the report shows the phase passed, failed, or holds nothing of it (never reached, or stopped in it). */
function phaseResult(report: SessionReport, phase: MeasuredPhase): 'passed' | 'failed' | 'none' {
  switch (phase) {
    case 'preflight':
      if (report.gates.some((gate) => !gate.passed)) return 'failed';
      return report.gates.length > 0 ? 'passed' : 'none';
    case 'electrical':
      return report.electrical ? (report.electrical.passed ? 'passed' : 'failed') : 'none';
    case 'leak':
      return report.leak ? (report.leak.passed ? 'passed' : 'failed') : 'none';
    case 'delivery':
      // Every step measured shows only once a code was computed from them; a step that cannot be coded fails it.
      if (report.steps.some((step) => step.verdict === 'not_codable')) return 'failed';
      return report.code !== null ? 'passed' : 'none';
    case 'coding':
      return report.code !== null ? 'passed' : 'none';
    case 'writing':
      return report.codeWrite !== null ? 'passed' : 'none';
  }
}

export function phaseOutcomes(report: SessionReport): Record<Phase, PhaseOutcome> {
  const ending = sessionEnding(report);
  const outcomes = {} as Record<Phase, PhaseOutcome>;
  let stopped = false;
  for (const phase of measuredPhases) {
    if (ending === 'passed') outcomes[phase] = 'done';
    else if (stopped) outcomes[phase] = 'skipped';
    else if (phaseResult(report, phase) === 'passed') outcomes[phase] = 'done';
    else {
      // The first phase without a passing result is where the session stopped (for a refusal, the gates).
      outcomes[phase] = 'failed';
      stopped = true;
    }
  }
  outcomes.done = ending === 'passed' ? 'done' : 'failed';
  return outcomes;
}
