import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { GateId, GateResult, SessionReport, StepReport } from '../../../electron/contract/coding-session';
import { groupCode } from '../../../electron/contract/code-groups';
import type { PrintRequest } from '../../../electron/contract/printing';
import { ErrorNotice, ErrorWordsText } from '../components/ErrorNotice';
import { LabelPreview } from '../components/LabelPreview';
import { hasErrorWords } from '../i18n/error-words';
import type { MessageKey, Translate } from '../i18n/i18n';
import { useErrorWords } from '../i18n/use-error-words';
import { useT } from '../i18n/use-t';
import { phaseOutcomes, sessionEnding, type Phase, type SessionEnding } from '../session/phase-outcomes';
import { LiveReadouts, TestPointBars } from '../session/RunPanel';
import { useAppStore } from '../store/context';


// Records keyed by the contract's types: a phase or gate added there is a type error here until named.
// (Type imports only: the renderer bundle carries no schema code.)
const phaseLabel: Record<Phase, MessageKey> = {
  preflight: 'session.phase.preflight',
  electrical: 'session.phase.electrical',
  leak: 'session.phase.leak',
  delivery: 'session.phase.delivery',
  coding: 'session.phase.coding',
  writing: 'session.phase.writing',
  done: 'session.phase.done',
};

const gateLabel: Record<GateId, MessageKey> = {
  pack: 'gate.pack',
  channel: 'gate.channel',
  hardware: 'gate.hardware',
  calibration: 'gate.calibration',
  oil: 'gate.oil',
  credits: 'gate.credits',
};

const sessionPhases = Object.keys(phaseLabel) as Phase[];
const gateIds = Object.keys(gateLabel) as GateId[];

const stepVerdictLabel: Record<StepReport['verdict'], MessageKey> = {
  in_tolerance: 'step.inTolerance',
  corrected: 'step.corrected',
  not_codable: 'step.notCodable',
};

function phaseText(t: Translate, phase: string | null): string {
  return phase && phase in phaseLabel ? t(phaseLabel[phase as keyof typeof phaseLabel]) : (phase ?? t('session.phase.preflight'));
}

/**
 * Every gate has its row from the start (waiting, passed or blocking), so nothing moves as results arrive.
 * Once all passed they fold into one line: the run screen needs the room, and a look stays one click away.
 */
function Gates({ gates, finished }: { gates: readonly GateResult[]; finished: boolean }) {
  const t = useT();
  const { describe, detailsLabel } = useErrorWords();
  const byId = new Map(gates.map((gate) => [gate.id, gate]));
  const allPassed = gateIds.every((id) => byId.get(id)?.passed === true);
  if (allPassed) {
    return (
      <details className="gates-passed" data-testid="gates" data-all-passed="true">
        <summary>✓ {t('session.gatesPassed', { count: gateIds.length })}</summary>
        <ul className="gates" aria-label={t('session.gates')}>
          {gateIds.map((id) => (
            <li key={id} className="gate gate--pass" data-gate={id} data-passed="true">
              <strong>✓ {t(gateLabel[id])}</strong> {byId.get(id)?.detail}
            </li>
          ))}
        </ul>
      </details>
    );
  }
  return (
    <ul className="gates" aria-label={t('session.gates')} data-testid="gates">
      {gateIds.map((id) => {
        const gate = byId.get(id);
        if (!gate) {
          return (
            <li key={id} className="gate gate--pending" data-gate-pending={id}>
              <strong>· {t(gateLabel[id])}</strong> {finished ? t('session.gateNotChecked') : t('session.gateWaiting')}
            </li>
          );
        }
        // A blocked gate with a catalog code says what happened and what to do in the screen's language.
        const words = !gate.passed && gate.code && hasErrorWords(gate.code) ? describe({ code: gate.code, message: gate.detail, params: gate.params }) : null;
        return (
          <li key={id} className={`gate gate--${gate.passed ? 'pass' : 'block'}`} data-gate={gate.id} data-passed={gate.passed}>
            <strong>
              {gate.passed ? '✓' : '✕'} {t(gateLabel[gate.id])}
            </strong>{' '}
            {words ? <ErrorWordsText words={words} detailsLabel={detailsLabel} /> : gate.detail}
            {!gate.passed && !words && gate.action && (
              <span className="gate__action">
                {' '}
                {t('session.whatToDo')} {gate.action}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function StepsTable({ steps }: { steps: readonly StepReport[] }) {
  const t = useT();
  return (
    <table className="table table--steps" data-testid="steps-table">
      <caption className="visually-hidden">{t('session.stepsCaption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('step.step')}</th>
          <th scope="col">{t('step.rail')}</th>
          <th scope="col">{t('step.nominal')}</th>
          <th scope="col">{t('step.measured')}</th>
          <th scope="col">{t('step.deviation')}</th>
          <th scope="col">{t('step.verdict')}</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((step) => (
          <tr key={step.id} data-step={step.id} data-verdict={step.verdict} className={`step step--${step.verdict}`}>
            <td>
              {step.id} · {step.label}
            </td>
            <td>{step.railBar} bar</td>
            <td>
              {step.nominalMm3.toFixed(2)} ± {step.toleranceMm3.toFixed(2)} mm³
            </td>
            <td>{step.measuredMm3.toFixed(3)} mm³</td>
            <td>{step.deviationPct.toFixed(1)} %</td>
            <td>{t(stepVerdictLabel[step.verdict])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const phaseStateLabel: Record<'failed' | 'skipped', MessageKey> = { failed: 'session.phaseState.failed', skipped: 'session.phaseState.skipped' };

const endingLabel: Record<SessionEnding, MessageKey> = {
  passed: 'session.phase.done',
  rejected: 'outcome.rejected',
  refused: 'outcome.refused',
  aborted: 'outcome.aborted',
};

/**
 * Where the session is: every phase in order. While it runs, the current one is marked; once it ended, each
 * phase shows what it came to (done, failed where it stopped, skipped after), and the last item how it ended.
 */
function PhaseProgress({ phase, report }: { phase: string | null; report: SessionReport | null }) {
  const t = useT();
  const current = sessionPhases.indexOf((phase ?? 'preflight') as Phase);
  const outcomes = report ? phaseOutcomes(report) : null;
  return (
    <ol className="phases" aria-label={t('session.progress')} data-testid="phase-progress">
      {sessionPhases.map((each, index) => {
        const state = outcomes ? outcomes[each] : index < current ? 'done' : index === current ? 'current' : 'todo';
        return (
          <li key={each} className={`phases__item phases__item--${state}`} data-phase={each} data-state={state} aria-current={state === 'current' ? 'step' : undefined}>
            {each === 'done' && report ? t(endingLabel[sessionEnding(report)]) : t(phaseLabel[each])}
            {state === 'failed' || state === 'skipped' ? <span className="visually-hidden"> ({t(phaseStateLabel[state])})</span> : null}
          </li>
        );
      })}
    </ol>
  );
}

function Outcome({ report }: { report: SessionReport }) {
  const t = useT();
  const { describe, detailsLabel } = useErrorWords();
  const [copied, setCopied] = useState(false);
  if (report.status === 'completed' && report.verdict === 'pass' && report.code) {
    return (
      <div className="outcome outcome--pass" data-testid="outcome" data-status={report.status} data-verdict={report.verdict}>
        <p className="outcome__title">{t('outcome.pass')}</p>
        <p className="code code--grouped" data-testid="correction-code" data-code={report.code}>
          {groupCode(report.code)}
        </p>
        <p className="hint">
          {report.codeWrite === 'verified' ? t('outcome.written') : t('outcome.noTarget')}{' '}
          {report.retestOf ? t('outcome.freeRetest') : report.creditsDebited === 1 ? t('outcome.chargedOne') : t('outcome.charged', { count: report.creditsDebited })}{' '}
          {t('outcome.pack', { family: report.pack?.family ?? '—', version: report.pack?.version ?? '' })}
          {report.pack?.synthetic ? ` ${t('outcome.synthetic')}` : ''}
        </p>
        <button
          className="button button--secondary"
          onClick={() => {
            void navigator.clipboard?.writeText(report.code ?? '').then(() => setCopied(true));
          }}
        >
          {copied ? t('outcome.copied') : t('outcome.copy')}
        </button>
      </div>
    );
  }
  const title = report.status === 'completed' ? t('outcome.rejected') : report.status === 'refused' ? t('outcome.refused') : t('outcome.aborted');
  const next = report.status === 'completed' ? t('outcome.rejectedNext') : report.status === 'refused' ? t('outcome.refusedNext') : t('outcome.abortedNext');
  return (
    <div className={`outcome outcome--${report.status === 'completed' ? 'fail' : 'stopped'}`} role="alert" data-testid="outcome" data-status={report.status} data-verdict={report.verdict ?? ''}>
      <p className="outcome__title">{title}</p>
      {report.reason && (
        <p data-testid="outcome-reason" data-code={report.reason.code}>
          <ErrorWordsText words={describe(report.reason)} detailsLabel={detailsLabel} testId="outcome-reason" />
        </p>
      )}
      <p className="outcome__next" data-testid="outcome-next">
        <strong>{t('session.whatToDo')}</strong> {next}
      </p>
      <p className="hint" data-testid="outcome-charge">
        {t('outcome.nothingCharged', { charged: report.creditsDebited })}
      </p>
    </div>
  );
}

/** Where a document goes when the technician presses Print: the printer chosen in Settings, or a PDF download. */
export function usePrintTarget(): (document: PrintRequest['document']) => 'printer' | 'download' {
  const settings = useAppStore((s) => s.settings);
  return (document) => ((document === 'label' ? settings?.labelPrinter.kind : settings?.documentPrinter.kind) ?? 'download') === 'download' ? 'download' : 'printer';
}

/** The status line after printing: where it went, or where the PDF was saved. */
export function PrintStatus({ testId }: { testId: string }) {
  const t = useT();
  const { printed, sent, sending } = useAppStore(useShallow((s) => ({ printed: s.printed, sent: s.sentToPrinter, sending: s.sendingToPrinter })));
  return (
    <p className="hint documents__status" role="status" data-testid={testId}>
      {sending
        ? t('documents.sending')
        : sent
          ? t('documents.sent', { printer: sent.outcome.printer, job: sent.outcome.jobRef ?? '—' })
          : printed
            ? t('documents.saved', { file: printed.fileName, kb: Math.max(1, Math.round(printed.bytes / 1024)) })
            : ''}
    </p>
  );
}

function Documents({ report }: { report: SessionReport }) {
  const t = useT();
  const { label, printing, error, download, send, sending } = useAppStore(
    useShallow((s) => ({ label: s.label, printing: s.printing, error: s.documentError, download: s.printDocument, send: s.sendToPrinter, sending: s.sendingToPrinter })),
  );
  const target = usePrintTarget();
  const hasLabel = label !== null && label.sessionId === report.sessionId;
  const busy = printing !== null || sending !== null;
  return (
    <section className="documents" aria-labelledby="documents-title">
      <h2 id="documents-title" className="visually-hidden">
        {t('documents.title')}
      </h2>
      {hasLabel && <LabelPreview label={label} />}
      <div className="actions actions--start">
        {hasLabel && (
          <button
            className="button button--primary"
            onClick={() => void (target('label') === 'printer' ? send({ document: 'label', sessionId: report.sessionId }) : download(report.sessionId, 'label'))}
            disabled={busy}
            aria-busy={printing === 'label' || sending === 'label'}
            aria-keyshortcuts="P"
            data-testid="print-label"
          >
            {printing === 'label' ? t('documents.preparing') : t('documents.printLabel')} <kbd>P</kbd>
          </button>
        )}
        <button
          className="button button--secondary"
          onClick={() => void (target('report') === 'printer' ? send({ document: 'report', sessionId: report.sessionId }) : download(report.sessionId, 'report'))}
          disabled={busy}
          aria-busy={printing === 'report' || sending === 'report'}
          aria-keyshortcuts="R"
          data-testid="print-report"
        >
          {printing === 'report' ? t('documents.preparing') : t('documents.printReport')} <kbd>R</kbd>
        </button>
        {hasLabel && target('label') === 'printer' && (
          <button className="button button--secondary" onClick={() => void download(report.sessionId, 'label')} disabled={busy} data-testid="download-label">
            {t('documents.downloadLabel')}
          </button>
        )}
        {target('report') === 'printer' && (
          <button className="button button--secondary" onClick={() => void download(report.sessionId, 'report')} disabled={busy} data-testid="download-report">
            {t('documents.downloadReport')}
          </button>
        )}
      </div>
      <ErrorNotice error={error} testId="documents-error" />
      <PrintStatus testId="printed" />
    </section>
  );
}

function Shortcuts({ running, finished }: { running: boolean; finished: boolean }) {
  const t = useT();
  return (
    <p className="shortcuts" data-testid="shortcuts" aria-label={t('shortcuts.label')}>
      <span className={!running && !finished ? 'shortcut shortcut--on' : 'shortcut'}>
        <kbd>Enter</kbd> {t('shortcuts.start')}
      </span>
      <span className={running ? 'shortcut shortcut--on' : 'shortcut'}>
        <kbd>Esc</kbd> {t('shortcuts.abort')}
      </span>
      <span className={finished ? 'shortcut shortcut--on' : 'shortcut'}>
        <kbd>N</kbd> {t('shortcuts.next')}
      </span>
      <span className={finished ? 'shortcut shortcut--on' : 'shortcut'}>
        <kbd>P</kbd> {t('shortcuts.printLabel')} · <kbd>R</kbd> {t('shortcuts.printReport')}
      </span>
    </p>
  );
}

/** The job and position the next injector is coded for, with the way back to the set. */
function JobContext({ onShowJob }: { onShowJob(): void }) {
  const t = useT();
  const { job, position } = useAppStore(useShallow((s) => ({ job: s.activeJob, position: s.activePosition })));
  if (!job || position === null) return null;
  const slot = job.positions.find((candidate) => candidate.position === position);
  return (
    <div className="job-context" data-testid="job-context">
      <p>
        <strong>{t('jobs.codingFor', { customer: job.job.customer, position, cylinders: job.job.cylinders })}</strong>
        {job.job.state === 'closed' ? ` · ${t('jobs.contextClosed')}` : slot?.freeRetestUntil && slot.latest ? ` · ${t('jobs.retestFree', { serial: slot.latest.serial })}` : ''}
      </p>
      <button className="button button--secondary" onClick={onShowJob} data-testid="back-to-set">
        {t('jobs.backToSet')}
      </button>
    </div>
  );
}

export function SessionView({ onShowJob = () => undefined }: { onShowJob?(): void } = {}) {
  const t = useT();
  const state = useAppStore(
    useShallow((s) => ({
      sessionId: s.codingSessionId,
      phase: s.codingPhase,
      stepId: s.codingStepId,
      gates: s.codingGates,
      steps: s.codingSteps,
      live: s.codingLive,
      liveSeq: s.codingLiveSeq,
      plan: s.codingPlan,
      report: s.codingReport,
      error: s.codingError,
      lastPart: s.lastPartNumber,
      knownParts: s.knownParts,
      credits: s.creditsBalance,
      loadStartInfo: s.loadStartInfo,
      link: s.benchLink,
      locale: s.locale,
      start: s.startCoding,
      abort: s.abortCoding,
      next: s.nextInjector,
      loadLink: s.loadBenchLink,
      loadLabel: s.loadLabel,
      clearLabel: s.clearLabel,
      print: s.printDocument,
      send: s.sendToPrinter,
      job: s.activeJob,
      position: s.activePosition,
      refreshJob: s.refreshJob,
      choose: s.choosePosition,
      loadSettings: s.loadSettings,
    })),
  );
  const target = usePrintTarget();
  const jobPart = state.job && state.position !== null ? state.job.job.partNumber : null;
  const [part, setPart] = useState(jobPart ?? state.lastPart);
  // A retest keeps the injector that is in the position; a new position starts empty.
  const retestSerial = state.job?.positions.find((slot) => slot.position === state.position && slot.freeRetestUntil)?.latest?.serial ?? '';
  const [serial, setSerial] = useState(retestSerial);
  const [starting, setStarting] = useState(false);
  const serialInput = useRef<HTMLInputElement>(null);
  const partInput = useRef<HTMLInputElement>(null);
  const running = state.sessionId !== null && state.report === null;
  const finished = state.report !== null;
  const report = state.report;
  const passed = report?.status === 'completed' && report.verdict === 'pass' && report.code !== null;

  useEffect(() => {
    void state.loadLink();
    void state.loadSettings();
  }, [state.loadLink, state.loadSettings]);
  // A session coded for a job changes its set: the set view is fresh when the technician goes back.
  useEffect(() => {
    if (finished) void state.refreshJob();
  }, [finished, state.refreshJob]);
  // Reloaded when the form shows again: a session just spent credits, an update may have changed the packs.
  useEffect(() => {
    if (!running && !finished) void state.loadStartInfo();
  }, [running, finished, state.loadStartInfo]);

  // The label of a passed session is fetched from the services, so preview and print are the same.
  const reportId = report?.sessionId ?? null;
  useEffect(() => {
    if (reportId && passed) void state.loadLabel(reportId);
    else state.clearLabel();
  }, [reportId, passed, state.loadLabel, state.clearLabel]);

  const nextInjector = () => {
    // In a job: on to the next position still to code; once every position has an injector, back to the set.
    if (state.job) {
      const open = state.job.positions.find((slot) => slot.latest === null);
      if (!open) {
        state.choose(null);
        onShowJob();
        return;
      }
      state.choose(open.position);
    }
    state.next();
    setSerial('');
  };

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && running) {
        void state.abort();
        return;
      }
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement || event.target instanceof HTMLTextAreaElement;
      if (typing || !finished || !report || event.ctrlKey || event.altKey || event.metaKey) return;
      const key = event.key.toLowerCase();
      if (key !== 'n' && key !== 'r' && !(key === 'p' && passed)) return;
      // Handled here: the letter must not also land in the serial field that "next injector" focuses.
      event.preventDefault();
      if (key === 'n') nextInjector();
      else {
        const document = key === 'p' ? 'label' : 'report';
        void (target(document) === 'printer' ? state.send({ document, sessionId: report.sessionId }) : state.print(report.sessionId, document));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  // When the form appears (first time, or after "next injector"): the serial if the part is kept, else the part.
  const partRef = useRef(part);
  partRef.current = part;
  useEffect(() => {
    if (!running && !finished) (partRef.current ? serialInput : partInput).current?.focus();
  }, [running, finished]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!part.trim() || !serial.trim() || starting) return;
    setStarting(true);
    const job = state.job && state.position !== null ? { jobId: state.job.job.jobId, position: state.position } : undefined;
    void state.start(part.trim(), serial.trim(), job).finally(() => setStarting(false));
  };
  const connected = state.link?.status === 'connected';
  const typedPart = part.trim();
  const knownPart = state.knownParts.find((known) => known.partNumber === typedPart) ?? null;
  // Unknown parts never start: a typo must not become a refused session in History.
  const unknownPart = typedPart.length > 0 && state.knownParts.length > 0 && !knownPart;

  return (
    <section className="view session-view" aria-labelledby="session-title">
      <header className="view__header">
        <h1 id="session-title">{t('session.title')}</h1>
        <div className="view__actions">
          {running && (
            <button className="button button--danger" onClick={() => void state.abort()} data-testid="abort" aria-keyshortcuts="Escape">
              {t('session.abort')} <kbd>Esc</kbd>
            </button>
          )}
          {finished && (
            <button className="button button--primary" onClick={nextInjector} data-testid="next-injector" aria-keyshortcuts="N">
              {t('session.next')} <kbd>N</kbd>
            </button>
          )}
        </div>
      </header>
      <Shortcuts running={running} finished={finished} />
      <JobContext onShowJob={onShowJob} />
      <ErrorNotice error={state.error} testId="session-error" />
      {!running && !finished && (
        <form className="form identify" onSubmit={submit} aria-label={t('session.identify')}>
          {!connected && (
            <p className="hint" role="status">
              {t('session.notConnected')}
            </p>
          )}
          <p className="hint" data-testid="credits-before-start">
            {state.credits === null ? '' : t('session.creditsLeft', { count: state.credits })}
          </p>
          <label htmlFor="part-number">{t('session.part')}</label>
          <input
            id="part-number"
            ref={partInput}
            value={part}
            onChange={(event) => setPart(event.target.value.toUpperCase())}
            readOnly={jobPart !== null}
            onKeyDown={(event) => {
              // A scanner ends with Enter: move on to the serial rather than submitting half a form.
              if (event.key === 'Enter' && !serial) {
                event.preventDefault();
                serialInput.current?.focus();
              }
            }}
            autoComplete="off"
            list="known-parts"
            aria-describedby="part-hint"
            aria-invalid={unknownPart}
            required
          />
          <datalist id="known-parts">
            {state.knownParts.map((known) => (
              <option key={known.partNumber} value={known.partNumber} label={`${known.family} ${known.version}`} />
            ))}
          </datalist>
          <p id="part-hint" className={unknownPart ? 'hint hint--bad' : 'hint'} data-testid="part-hint" role="status">
            {knownPart
              ? t('session.partPack', { family: knownPart.family, version: knownPart.version })
              : unknownPart
                ? t('session.partUnknown', { count: state.knownParts.length })
                : state.knownParts.length === 0
                  ? t('session.noPacks')
                  : t('session.partChoose', { count: state.knownParts.length })}
          </p>
          <label htmlFor="injector-serial">{t('session.serial')}</label>
          <input id="injector-serial" ref={serialInput} value={serial} onChange={(event) => setSerial(event.target.value.toUpperCase())} autoComplete="off" required />
          <button type="submit" className="button button--primary button--large" disabled={!connected || !knownPart || !serial.trim() || starting} data-testid="start-session" aria-keyshortcuts="Enter">
            {starting ? t('session.starting') : t('session.start')} <kbd>Enter</kbd>
          </button>
        </form>
      )}
      {(running || finished) && (
        <>
          <PhaseProgress phase={state.phase} report={finished ? report : null} />
          <p className="phase" role="status" data-testid="phase">
            {report && finished ? t(endingLabel[sessionEnding(report)]) : phaseText(t, state.phase)}
            {!finished && state.phase === 'delivery' && state.stepId ? ` ${state.stepId}` : ''}
            {report ? ` · ${report.partNumber} · ${report.serial}` : ''}
          </p>
          <LiveReadouts live={running ? state.live : null} seq={state.liveSeq} plan={state.plan} />
          {report && <Outcome report={report} />}
          {report && <Documents report={report} />}
          <Gates gates={state.gates} finished={finished} />
          {state.plan && <TestPointBars plan={state.plan} steps={state.steps} live={running ? state.live : null} />}
          {finished && <StepsTable steps={state.steps} />}
        </>
      )}
    </section>
  );
}
