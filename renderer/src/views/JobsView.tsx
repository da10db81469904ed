import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { groupCode } from '../../../electron/contract/code-groups';
import type { Job, JobPosition, JobState, JobView, SetVerdict } from '../../../electron/contract/jobs';
import { ErrorNotice, ReasonCode } from '../components/ErrorNotice';
import type { MessageKey, Translate } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
import { useBenchTime } from '../i18n/use-bench-time';
import { useAppStore } from '../store/context';
import { statusKey } from './HistoryView';
import { PrintStatus, usePrintTarget } from './SessionView';

const verdictKey: Record<SetVerdict, MessageKey> = {
  matched: 'jobs.verdict.matched',
  not_matched: 'jobs.verdict.notMatched',
  incomplete: 'jobs.verdict.incomplete',
  no_limit: 'jobs.verdict.noLimit',
};

function positionResult(t: Translate, slot: JobPosition): ReactNode {
  const latest = slot.latest;
  if (!latest) return t('jobs.notCoded');
  if (latest.status !== 'completed') {
    return (
      <>
        {t('jobs.stopped', { status: t(statusKey[latest.status]) })}
        {latest.reasonCode && <ReasonCode code={latest.reasonCode} />}
      </>
    );
  }
  const result = latest.verdict === 'pass' ? t('history.pass') : t('history.fail');
  return latest.retestOf ? `${result} · ${t('jobs.retested')}` : result;
}

/** Whether the job takes injectors, and who closed it when. */
function JobStateLine({ job }: { job: Job }) {
  const t = useT();
  const time = useBenchTime();
  if (job.state === 'open' || !job.closedAt) {
    return (
      <p className="hint" data-testid="job-state" data-state="open">
        {t('jobs.state.open')}
      </p>
    );
  }
  const when = time.dateTime(job.closedAt);
  return (
    <p className="job-closed" data-testid="job-state" data-state="closed" role="status">
      <strong>{t('jobs.state.closed')}</strong> · {job.closedBy ? t('jobs.closedBy', { name: job.closedBy, when }) : t('jobs.closedAt', { when })}
    </p>
  );
}

type JobDetails = Pick<Job, 'customer' | 'vehicle' | 'vin' | 'orderNumber' | 'notes'>;

/** Corrects the facts of an open job; the services validate them as on create. */
function EditJobForm({ job, onDone }: { job: Job; onDone(): void }) {
  const t = useT();
  const { edit, busy } = useAppStore(useShallow((s) => ({ edit: s.editJob, busy: s.jobBusy })));
  const [draft, setDraft] = useState<JobDetails>({ customer: job.customer, vehicle: job.vehicle, vin: job.vin, orderNumber: job.orderNumber, notes: job.notes });
  const field = (name: keyof JobDetails) => ({ value: draft[name], onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [name]: name === 'vin' ? event.target.value.toUpperCase() : event.target.value }) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void edit({ jobId: job.jobId, ...draft }).then((done) => {
      if (done) onDone();
    });
  };
  return (
    <form className="form form--inline" onSubmit={submit} aria-labelledby="edit-job-title" data-testid="edit-job-form">
      <h3 id="edit-job-title">{t('jobs.editTitle')}</h3>
      <label htmlFor="edit-job-customer">{t('jobs.customer')}</label>
      <input id="edit-job-customer" {...field('customer')} required maxLength={120} autoComplete="off" />
      <label htmlFor="edit-job-vehicle">{t('jobs.vehicle')}</label>
      <input id="edit-job-vehicle" {...field('vehicle')} maxLength={120} autoComplete="off" />
      <label htmlFor="edit-job-vin">{t('jobs.vin')}</label>
      <input id="edit-job-vin" {...field('vin')} maxLength={17} autoComplete="off" />
      <label htmlFor="edit-job-order">{t('jobs.orderNumber')}</label>
      <input id="edit-job-order" {...field('orderNumber')} maxLength={40} autoComplete="off" />
      <label htmlFor="edit-job-notes">{t('jobs.notes')}</label>
      <textarea id="edit-job-notes" {...field('notes')} rows={2} maxLength={2000} />
      <div className="actions">
        <button type="button" className="button button--secondary" onClick={onDone}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="button button--primary" disabled={busy} data-testid="save-job">
          {busy ? t('common.saving') : t('jobs.save')}
        </button>
      </div>
    </form>
  );
}

/**
 * Edit, close or reopen the job. Closing asks first: only an admin can undo it. Reopening is offered to
 * admins only (the services refuse it to anyone else) and takes a reason for the integrity log.
 */
function JobActions({ job }: { job: Job }) {
  const t = useT();
  const { close, reopen, busy, role } = useAppStore(useShallow((s) => ({ close: s.closeJob, reopen: s.reopenJob, busy: s.jobBusy, role: s.session?.operator?.role })));
  const [editing, setEditing] = useState(false);
  const [confirmingClose, setConfirmingClose] = useState(false);
  const [reason, setReason] = useState('');
  if (job.state === 'closed') {
    if (role !== 'admin') return <p className="hint">{t('jobs.reopenAdminOnly')}</p>;
    const submit = (event: FormEvent) => {
      event.preventDefault();
      void reopen({ jobId: job.jobId, reason: reason.trim() }).then((done) => {
        if (done) setReason('');
      });
    };
    return (
      <form className="form form--row" onSubmit={submit} aria-label={t('jobs.reopen')} data-testid="reopen-job-form">
        <label htmlFor="reopen-reason">{t('jobs.reopenReason')}</label>
        <input id="reopen-reason" value={reason} onChange={(event) => setReason(event.target.value)} required minLength={3} maxLength={500} autoComplete="off" />
        <button type="submit" className="button button--secondary" disabled={busy || reason.trim().length < 3} data-testid="reopen-job">
          {t('jobs.reopen')}
        </button>
      </form>
    );
  }
  return (
    <>
      <div className="actions actions--start">
        <button className="button button--secondary" onClick={() => setEditing((open) => !open)} aria-expanded={editing} data-testid="edit-job">
          {t('jobs.edit')}
        </button>
        <button className="button button--secondary" onClick={() => setConfirmingClose(true)} disabled={confirmingClose} data-testid="close-job">
          {t('jobs.close')}
        </button>
      </div>
      {confirmingClose && (
        <div className="confirm" role="group" aria-label={t('jobs.confirmClose', { customer: job.customer })} data-testid="confirm-close-job">
          <p>{t('jobs.confirmClose', { customer: job.customer })}</p>
          <button className="button button--primary" disabled={busy} onClick={() => void close(job.jobId).then(() => setConfirmingClose(false))} data-testid="confirm-close-job-button">
            {t('jobs.close')}
          </button>
          <button className="button button--secondary" onClick={() => setConfirmingClose(false)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      {editing && <EditJobForm job={job} onDone={() => setEditing(false)} />}
    </>
  );
}

/** The engine set: one row per cylinder position, the spread against the pack's limit, the job report. */
function SetView({ view, onCode }: { view: JobView; onCode(position: number): void }) {
  const t = useT();
  const time = useBenchTime();
  const { downloadJobReport, send, sending } = useAppStore(
    useShallow((s) => ({ downloadJobReport: s.downloadJobReport, send: s.sendToPrinter, sending: s.sendingToPrinter })),
  );
  const target = usePrintTarget();
  const { job, set } = view;
  return (
    <section className="panel" aria-labelledby="set-title" data-testid="set-view">
      <h2 id="set-title">{t('jobs.setTitle', { customer: job.customer, cylinders: job.cylinders })}</h2>
      <p className="hint">
        {[job.vehicle, job.vin && `VIN ${job.vin}`, job.orderNumber && t('jobs.order', { order: job.orderNumber }), job.partNumber].filter(Boolean).join(' · ')}
      </p>
      {job.notes && (
        <p className="hint" data-testid="job-notes">
          {job.notes}
        </p>
      )}
      <JobStateLine job={job} />
      <p className={`set-verdict set-verdict--${set.verdict}`} data-testid="set-verdict" data-verdict={set.verdict} role="status">
        {t(verdictKey[set.verdict])}
        {set.spread !== null ? ` · ${t('jobs.spread', { spread: set.spread, limit: set.limit ?? '—' })}` : ''}
      </p>
      <table className="table positions" data-testid="positions">
        <caption className="visually-hidden">{t('jobs.positions')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('jobs.position')}</th>
            <th scope="col">{t('history.serialColumn')}</th>
            <th scope="col">{t('history.outcome')}</th>
            <th scope="col">{t('history.code')}</th>
            <th scope="col">{t('jobs.ended')}</th>
            <th scope="col">{t('jobs.action')}</th>
          </tr>
        </thead>
        <tbody>
          {view.positions.map((slot) => (
            <tr key={slot.position} data-position={slot.position} data-verdict={slot.latest?.verdict ?? ''}>
              <th scope="row">{slot.position}</th>
              <td>{slot.latest?.serial ?? '—'}</td>
              <td>{positionResult(t, slot)}</td>
              <td className="code-cell code--grouped">{slot.latest?.code ? groupCode(slot.latest.code) : '—'}</td>
              <td>{slot.latest?.endedAt ? time.dateTime(slot.latest.endedAt) : '—'}</td>
              <td>
                {job.state === 'closed' ? (
                  '—'
                ) : (
                  <button className="button button--secondary" onClick={() => onCode(slot.position)} data-testid={`code-position-${slot.position}`}>
                    {slot.latest === null
                      ? t('jobs.code', { position: slot.position })
                      : slot.freeRetestUntil
                        ? t('jobs.retestUntil', { position: slot.position, until: time.dateTime(slot.freeRetestUntil) })
                        : t('jobs.recode', { position: slot.position })}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {set.steps.length > 0 && (
        <p className="hint" data-testid="set-steps">
          {set.steps.map((step) => `${step.stepId} ${step.min}…${step.max}`).join(' · ')}
        </p>
      )}
      <div className="actions actions--start">
        <button
          className="button button--primary"
          disabled={sending !== null}
          onClick={() => void (target('jobReport') === 'printer' ? send({ document: 'jobReport', jobId: job.jobId }) : downloadJobReport(job.jobId))}
          data-testid="print-job-report"
        >
          {t('jobs.printReport')}
        </button>
        {target('jobReport') === 'printer' && (
          <button className="button button--secondary" onClick={() => void downloadJobReport(job.jobId)} data-testid="download-job-report">
            {t('jobs.downloadReport')}
          </button>
        )}
      </div>
      <PrintStatus testId="job-report-status" />
      <JobActions key={`${job.jobId}-${job.state}`} job={job} />
    </section>
  );
}

/** Jobs: open one for a vehicle, find earlier ones, and code its engine set position by position. */
export function JobsView({ onCode }: { onCode(): void }) {
  const t = useT();
  const state = useAppStore(
    useShallow((s) => ({
      jobs: s.jobs,
      active: s.activeJob,
      error: s.jobError,
      documentError: s.documentError,
      load: s.loadJobs,
      query: s.jobsQuery,
      create: s.createJob,
      open: s.openJob,
      choose: s.choosePosition,
      refresh: s.refreshJob,
      knownParts: s.knownParts,
      loadStartInfo: s.loadStartInfo,
      nextInjector: s.nextInjector,
    })),
  );
  const [search, setSearch] = useState(state.query.text ?? '');
  const [listState, setListState] = useState<JobState | 'all'>(state.query.state ?? 'all');
  const [draft, setDraft] = useState({ customer: '', vehicle: '', vin: '', orderNumber: '', notes: '', cylinders: 4 as 4 | 6 | 8, partNumber: '' });
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    void state.load();
    void state.loadStartInfo();
    void state.refresh();
  }, [state.load, state.loadStartInfo, state.refresh]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCreating(true);
    void state.create({ ...draft, partNumber: draft.partNumber.trim() }).finally(() => setCreating(false));
  };
  const code = (position: number) => {
    state.choose(position);
    state.nextInjector();
    onCode();
  };

  return (
    <section className="view" aria-labelledby="jobs-title">
      <h1 id="jobs-title">{t('jobs.title')}</h1>
      <ErrorNotice error={state.error} testId="jobs-error" />
      <ErrorNotice error={state.documentError} testId="job-documents-error" />
      {state.active && <SetView view={state.active} onCode={code} />}
      <details className="panel" open={!state.active}>
        <summary>{t('jobs.new')}</summary>
        <form className="form" onSubmit={submit} aria-label={t('jobs.new')}>
          <label htmlFor="job-customer">{t('jobs.customer')}</label>
          <input id="job-customer" value={draft.customer} onChange={(event) => setDraft({ ...draft, customer: event.target.value })} required autoComplete="off" />
          <label htmlFor="job-vehicle">{t('jobs.vehicle')}</label>
          <input id="job-vehicle" value={draft.vehicle} onChange={(event) => setDraft({ ...draft, vehicle: event.target.value })} autoComplete="off" />
          <label htmlFor="job-vin">{t('jobs.vin')}</label>
          <input id="job-vin" value={draft.vin} onChange={(event) => setDraft({ ...draft, vin: event.target.value.toUpperCase() })} maxLength={17} autoComplete="off" />
          <label htmlFor="job-order">{t('jobs.orderNumber')}</label>
          <input id="job-order" value={draft.orderNumber} onChange={(event) => setDraft({ ...draft, orderNumber: event.target.value })} autoComplete="off" />
          <label htmlFor="job-cylinders">{t('jobs.cylinders')}</label>
          <select id="job-cylinders" value={draft.cylinders} onChange={(event) => setDraft({ ...draft, cylinders: Number(event.target.value) as 4 | 6 | 8 })}>
            {[4, 6, 8].map((count) => (
              <option key={count} value={count}>
                {count}
              </option>
            ))}
          </select>
          <label htmlFor="job-part">{t('session.part')}</label>
          <input id="job-part" value={draft.partNumber} onChange={(event) => setDraft({ ...draft, partNumber: event.target.value.toUpperCase() })} list="job-known-parts" required autoComplete="off" />
          <datalist id="job-known-parts">
            {state.knownParts.map((known) => (
              <option key={known.partNumber} value={known.partNumber} label={`${known.family} ${known.version}`} />
            ))}
          </datalist>
          <label htmlFor="job-notes">{t('jobs.notes')}</label>
          <textarea id="job-notes" value={draft.notes} onChange={(event) => setDraft({ ...draft, notes: event.target.value })} rows={2} />
          <button type="submit" className="button button--primary" disabled={creating} data-testid="create-job">
            {t('jobs.create')}
          </button>
        </form>
      </details>
      <form
        className="form form--row"
        onSubmit={(event) => {
          event.preventDefault();
          void state.load({ ...(search.trim() ? { text: search.trim() } : {}), ...(listState === 'all' ? {} : { state: listState }) });
        }}
      >
        <label htmlFor="jobs-search">{t('jobs.search')}</label>
        <input id="jobs-search" value={search} onChange={(event) => setSearch(event.target.value)} autoComplete="off" />
        <label htmlFor="jobs-state">{t('jobs.filter')}</label>
        <select id="jobs-state" value={listState} onChange={(event) => setListState(event.target.value as JobState | 'all')}>
          <option value="open">{t('jobs.filter.open')}</option>
          <option value="closed">{t('jobs.filter.closed')}</option>
          <option value="all">{t('jobs.filter.all')}</option>
        </select>
        <button type="submit" className="button button--secondary">
          {t('history.filter')}
        </button>
      </form>
      <table className="table" data-testid="jobs-table">
        <thead>
          <tr>
            <th scope="col">{t('jobs.customer')}</th>
            <th scope="col">{t('jobs.vehicle')}</th>
            <th scope="col">{t('jobs.orderNumber')}</th>
            <th scope="col">{t('jobs.coded')}</th>
            <th scope="col">{t('jobs.set')}</th>
            <th scope="col">{t('jobs.stateColumn')}</th>
            <th scope="col">{t('jobs.action')}</th>
          </tr>
        </thead>
        <tbody>
          {state.jobs.map((job) => (
            <tr key={job.jobId} data-job={job.jobId} data-state={job.state}>
              <td>{job.customer}</td>
              <td>{[job.vehicle, job.vin].filter(Boolean).join(' · ') || '—'}</td>
              <td>{job.orderNumber || '—'}</td>
              <td>
                {job.coded}/{job.cylinders}
              </td>
              <td>{t(verdictKey[job.setVerdict as SetVerdict] ?? 'jobs.verdict.incomplete')}</td>
              <td>{t(job.state === 'closed' ? 'jobs.state.closed' : 'jobs.state.open')}</td>
              <td>
                <button className="button button--secondary" onClick={() => void state.open(job.jobId)}>
                  {t('jobs.open')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {state.jobs.length === 0 && <p className="hint">{t(state.query.text || state.query.state ? 'jobs.noneMatch' : 'jobs.empty')}</p>}
    </section>
  );
}
