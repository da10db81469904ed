import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { GateResult, SessionReport, StepReport } from '../../../electron/contract/coding-session';
import { DeliveryChart } from '../components/DeliveryChart';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAppStore } from '../store/context';

const phaseLabel: Record<string, string> = {
  preflight: 'Checking the gates',
  electrical: 'Electrical test',
  leak: 'Static leak test',
  delivery: 'Delivery step',
  coding: 'Computing the code',
  writing: 'Writing and reading back the code',
  done: 'Finished',
};

const stepVerdictLabel: Record<StepReport['verdict'], string> = { in_tolerance: 'In tolerance', corrected: 'Corrected by the code', not_codable: 'Not codable' };

function Gates({ gates }: { gates: readonly GateResult[] }) {
  if (gates.length === 0) return null;
  return (
    <ul className="gates" aria-label="Preflight gates" data-testid="gates">
      {gates.map((gate) => (
        <li key={gate.id} className={`gate gate--${gate.passed ? 'pass' : 'block'}`} data-gate={gate.id} data-passed={gate.passed}>
          <strong>
            {gate.passed ? '✓' : '✕'} {gate.label}
          </strong>{' '}
          {gate.detail}
          {!gate.passed && gate.action && <span className="gate__action"> What to do: {gate.action}</span>}
        </li>
      ))}
    </ul>
  );
}

function StepsTable({ steps }: { steps: readonly StepReport[] }) {
  return (
    <table className="table" data-testid="steps-table">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Rail</th>
          <th scope="col">Nominal</th>
          <th scope="col">Measured</th>
          <th scope="col">Deviation</th>
          <th scope="col">Verdict</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((step) => (
          <tr key={step.id} data-step={step.id} data-verdict={step.verdict}>
            <td>
              {step.id} · {step.label}
            </td>
            <td>{step.railBar} bar</td>
            <td>
              {step.nominalMm3.toFixed(2)} ± {step.toleranceMm3.toFixed(2)} mm³
            </td>
            <td>{step.measuredMm3.toFixed(3)} mm³</td>
            <td>{step.deviationPct.toFixed(1)} %</td>
            <td>{stepVerdictLabel[step.verdict]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Outcome({ report }: { report: SessionReport }) {
  const [copied, setCopied] = useState(false);
  if (report.status === 'completed' && report.verdict === 'pass' && report.code) {
    return (
      <div className="outcome outcome--pass" data-testid="outcome" data-status={report.status} data-verdict={report.verdict}>
        <p className="outcome__title">Pass · correction code</p>
        <p className="code" data-testid="correction-code">
          {report.code}
        </p>
        <p className="hint">
          {report.codeWrite === 'verified' ? 'Written to the injector and read back identical.' : 'No coding target: enter the code from the label.'} {report.creditsDebited} credit
          {report.creditsDebited === 1 ? '' : 's'} charged. Pack {report.pack?.family} {report.pack?.version}
          {report.pack?.synthetic ? ' (synthetic demo data)' : ''}.
        </p>
        <button
          className="button button--secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(report.code ?? '').then(() => setCopied(true));
          }}
        >
          {copied ? 'Copied' : 'Copy code'}
        </button>
      </div>
    );
  }
  const title = report.status === 'completed' ? 'Rejected' : report.status === 'refused' ? 'Not started' : 'Aborted';
  return (
    <div className={`outcome outcome--${report.status === 'completed' ? 'fail' : 'stopped'}`} role="alert" data-testid="outcome" data-status={report.status} data-verdict={report.verdict ?? ''}>
      <p className="outcome__title">{title}</p>
      <p data-testid="outcome-reason">
        {report.reason?.message} <span className="error-banner__code">({report.reason?.code})</span>
      </p>
      <p className="hint">Nothing was charged. The bench is {report.status === 'aborted' ? 'in SAFE state' : 'ready'}.</p>
    </div>
  );
}

export function SessionView() {
  const state = useAppStore(
    useShallow((s) => ({
      sessionId: s.codingSessionId,
      phase: s.codingPhase,
      stepId: s.codingStepId,
      gates: s.codingGates,
      steps: s.codingSteps,
      live: s.codingLive,
      report: s.codingReport,
      error: s.codingError,
      lastPart: s.lastPartNumber,
      link: s.benchLink,
      start: s.startCoding,
      abort: s.abortCoding,
      next: s.nextInjector,
      loadLink: s.loadBenchLink,
    })),
  );
  const [part, setPart] = useState(state.lastPart);
  const [serial, setSerial] = useState('');
  const serialInput = useRef<HTMLInputElement>(null);
  const partInput = useRef<HTMLInputElement>(null);
  const running = state.sessionId !== null && state.report === null;
  const finished = state.report !== null;

  useEffect(() => {
    void state.loadLink();
  }, [state.loadLink]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && running) void state.abort();
      const typing = event.target instanceof HTMLInputElement;
      if (!typing && finished && (event.key === 'n' || event.key === 'N')) {
        state.next();
        setSerial('');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [running, finished, state]);

  // When the form appears (first time, or after "next injector"): the serial if the part is kept, else the part.
  const partRef = useRef(part);
  partRef.current = part;
  useEffect(() => {
    if (!running && !finished) (partRef.current ? serialInput : partInput).current?.focus();
  }, [running, finished]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!part.trim() || !serial.trim()) return;
    void state.start(part.trim(), serial.trim());
  };
  const connected = state.link?.status === 'connected';

  return (
    <section className="view session-view" aria-labelledby="session-title">
      <header className="view__header">
        <h1 id="session-title">Coding session</h1>
        {running && (
          <button className="button button--danger" onClick={() => void state.abort()} data-testid="abort" aria-keyshortcuts="Escape">
            Abort (Esc)
          </button>
        )}
        {finished && (
          <button
            className="button button--primary"
            onClick={() => {
              state.next();
              setSerial('');
            }}
            data-testid="next-injector"
            aria-keyshortcuts="N"
          >
            Next injector (N)
          </button>
        )}
      </header>
      <ErrorNotice error={state.error} testId="session-error" />
      {!running && !finished && (
        <form className="form identify" onSubmit={submit} aria-label="Identify the injector">
          {!connected && <p className="hint">The bench is not connected: open the Bench view and connect first.</p>}
          <label htmlFor="part-number">Part number (type or scan)</label>
          <input
            id="part-number"
            ref={partInput}
            value={part}
            onChange={(event) => setPart(event.target.value.toUpperCase())}
            onKeyDown={(event) => {
              // A scanner ends with Enter: move on to the serial rather than submitting half a form.
              if (event.key === 'Enter' && !serial) {
                event.preventDefault();
                serialInput.current?.focus();
              }
            }}
            autoComplete="off"
            required
          />
          <label htmlFor="injector-serial">Injector serial (type or scan)</label>
          <input id="injector-serial" ref={serialInput} value={serial} onChange={(event) => setSerial(event.target.value.toUpperCase())} autoComplete="off" required />
          <button type="submit" className="button button--primary" disabled={!connected || !part.trim() || !serial.trim()} data-testid="start-session">
            Start test
          </button>
        </form>
      )}
      {(running || finished) && (
        <>
          <p className="phase" role="status" data-testid="phase">
            {phaseLabel[state.phase ?? 'preflight'] ?? state.phase}
            {state.phase === 'delivery' && state.stepId ? ` ${state.stepId}` : ''}
            {running && state.live ? ` · rail ${Math.round(state.live.railBar)} bar · ${state.live.strokesDone} strokes · ${(state.live.elapsedMs / 1000).toFixed(1)} s` : ''}
          </p>
          {state.report && <Outcome report={state.report} />}
          <Gates gates={state.gates} />
          {state.steps.length > 0 && (
            <>
              <DeliveryChart steps={state.steps} />
              <StepsTable steps={state.steps} />
            </>
          )}
        </>
      )}
    </section>
  );
}
