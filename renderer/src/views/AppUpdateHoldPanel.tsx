import { useEffect, useId, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { AppUpdateHoldView } from '../../../electron/contract/bench-api';
import { ErrorNotice } from '../components/ErrorNotice';
import { useBenchTime } from '../i18n/use-bench-time';
import { useT } from '../i18n/use-t';
import { useAppStore } from '../store/context';

type HeldBy = NonNullable<AppUpdateHoldView['hold']>;

/** The reason and ticket every hold change takes, as the pack changes do. */
function AuditFields({ idPrefix, reason, ticket, onReason, onTicket }: { idPrefix: string; reason: string; ticket: string; onReason(value: string): void; onTicket(value: string): void }) {
  const t = useT();
  return (
    <>
      <label htmlFor={`${idPrefix}-reason`}>{t('releases.form.reason')}</label>
      <input id={`${idPrefix}-reason`} value={reason} onChange={(event) => onReason(event.target.value)} required minLength={3} maxLength={500} autoComplete="off" />
      <label htmlFor={`${idPrefix}-ticket`}>{t('releases.form.ticket')}</label>
      <input id={`${idPrefix}-ticket`} value={ticket} onChange={(event) => onTicket(event.target.value)} required placeholder="OPS-42" pattern="[A-Za-z0-9][A-Za-z0-9._#\/\-]{1,63}" autoComplete="off" />
    </>
  );
}

/**
 * App updates (admins): the hold in force (the admin's own from this app, and a server directive's), a
 * form to hold the app at its installed version, and the release of the admin's hold after a confirmation.
 */
export function AppUpdateHoldPanel() {
  const t = useT();
  const id = useId();
  const { view, error, notice, busy, load, hold, release } = useAppStore(
    useShallow((state) => ({
      view: state.appHold,
      error: state.appHoldError,
      notice: state.appHoldNotice,
      busy: state.appHoldBusy,
      load: state.loadAppHold,
      hold: state.holdAppUpdates,
      release: state.releaseAppUpdateHold,
    })),
  );
  const time = useBenchTime();
  const [hours, setHours] = useState('72');
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const [confirmingRelease, setConfirmingRelease] = useState(false);
  useEffect(() => {
    void load();
  }, [load]);
  const held = (by: HeldBy) => ({ actor: by.actor, since: time.dateTime(by.since), until: time.dateTime(by.until) });
  const audit = { reason: reason.trim(), ticket: ticket.trim() };
  const reset = () => {
    setReason('');
    setTicket('');
    setConfirmingRelease(false);
  };
  const submitHold = (event: FormEvent) => {
    event.preventDefault();
    void hold({ hours: Number(hours), ...audit }).then((done) => done && reset());
  };
  const askRelease = (event: FormEvent) => {
    event.preventDefault();
    setConfirmingRelease(true);
  };
  const maxHours = (view?.maxHoldDays ?? 0) * 24;
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="app-hold">
      <h2 id={`${id}-title`}>{t('appHold.title')}</h2>
      <ErrorNotice error={error} testId="app-hold-error" />
      <p role="status" className="hint" data-testid="app-hold-notice">
        {notice ? t(notice === 'held' ? 'appHold.held' : 'appHold.released') : ''}
      </p>
      {!view ? (
        <p className="loading">{t('releases.loading')}</p>
      ) : (
        <>
          {view.hold ? (
            <div data-testid="app-hold-current" data-held="app">
              <p>{t('appHold.heldBy', held(view.hold))}</p>
              <p className="hint">{t('appHold.why', { reason: view.hold.reason, ticket: view.hold.ticket })}</p>
            </div>
          ) : (
            !view.directiveHold && (
              <p data-testid="app-hold-current" data-held="none">
                {t('appHold.none')}
              </p>
            )
          )}
          {view.directiveHold && (
            <div data-testid="app-hold-directive">
              <p>{t('appHold.directive', held(view.directiveHold))}</p>
              <p className="hint">
                {t('appHold.why', { reason: view.directiveHold.reason, ticket: view.directiveHold.ticket })} {t('appHold.directiveHint')}
              </p>
            </div>
          )}
          {view.hold ? (
            <form className="form form--inline" onSubmit={askRelease} aria-labelledby={`${id}-release`} data-testid="app-hold-release-form">
              <h3 id={`${id}-release`}>{t('appHold.releaseTitle')}</h3>
              <AuditFields idPrefix={`${id}-release`} reason={reason} ticket={ticket} onReason={setReason} onTicket={setTicket} />
              {confirmingRelease ? (
                <div className="confirm" role="group" aria-label={t('appHold.confirmRelease', { actor: view.hold.actor })} data-testid="confirm-release-app-hold">
                  <p>{t('appHold.confirmRelease', { actor: view.hold.actor })}</p>
                  <button type="button" className="button button--primary" disabled={busy} onClick={() => void release(audit).then((done) => done && reset())} data-testid="confirm-release-app-hold-button">
                    {busy ? t('common.working') : t('appHold.confirmReleaseButton')}
                  </button>
                  <button type="button" className="button button--secondary" onClick={() => setConfirmingRelease(false)}>
                    {t('common.cancel')}
                  </button>
                </div>
              ) : (
                <div className="actions">
                  <button type="submit" className="button button--secondary" disabled={audit.reason.length < 3 || audit.ticket.length < 2} data-testid="release-app-hold">
                    {t('appHold.release')}
                  </button>
                </div>
              )}
            </form>
          ) : (
            <form className="form form--inline" onSubmit={submitHold} aria-labelledby={`${id}-hold`} data-testid="app-hold-form">
              <h3 id={`${id}-hold`}>{t('appHold.formTitle')}</h3>
              <label htmlFor={`${id}-hours`}>{t('appHold.hours', { max: maxHours })}</label>
              <input id={`${id}-hours`} type="number" min={1} max={maxHours} step={1} value={hours} onChange={(event) => setHours(event.target.value)} required />
              <AuditFields idPrefix={`${id}-hold`} reason={reason} ticket={ticket} onReason={setReason} onTicket={setTicket} />
              <div className="actions">
                <button type="submit" className="button button--primary" disabled={busy || audit.reason.length < 3 || audit.ticket.length < 2 || !(Number(hours) > 0)} data-testid="hold-app-updates">
                  {busy ? t('common.working') : t('appHold.hold')}
                </button>
              </div>
            </form>
          )}
        </>
      )}
    </section>
  );
}
