import { useEffect, useState, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionSummary } from '../../../electron/contract/coding-session';
import { groupCode } from '../../../electron/contract/code-groups';
import { ErrorNotice, ReasonCode } from '../components/ErrorNotice';
import type { MessageKey, Translate } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
import { useBenchTime } from '../i18n/use-bench-time';
import { useAppStore } from '../store/context';

export const statusKey: Record<SessionSummary['status'], MessageKey> = {
  running: 'history.status.running',
  completed: 'history.status.completed',
  aborted: 'history.status.aborted',
  refused: 'history.status.refused',
};

function outcome(t: Translate, session: SessionSummary): ReactNode {
  if (session.status === 'completed') return session.verdict === 'pass' ? t('history.pass') : t('history.fail');
  return (
    <>
      {t(statusKey[session.status])}
      {session.reasonCode && <ReasonCode code={session.reasonCode} />}
    </>
  );
}

/** Sessions on this bench, newest first; a row reopens its report in the session view or prints it. */
export function HistoryView({ onOpen }: { onOpen(): void }) {
  const t = useT();
  const time = useBenchTime();
  const { history, load, open, print, printing, error } = useAppStore(
    useShallow((state) => ({
      history: state.history,
      load: state.loadHistory,
      open: state.openReport,
      print: state.printDocument,
      printing: state.printing,
      error: state.documentError,
    })),
  );
  const [text, setText] = useState('');
  const [operator, setOperator] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="view" aria-labelledby="history-title">
      <h1 id="history-title">{t('history.title')}</h1>
      <form
        className="form form--row"
        onSubmit={(event) => {
          event.preventDefault();
          // The days are the bench's: from its midnight to the last millisecond of the last day, in its zone.
          const range = { from: (from && time.instant(`${from}T00:00:00`)) || undefined, to: (to && time.instant(`${to}T23:59:59.999`)) || undefined };
          void load(text.trim() || undefined, range, operator.trim() || undefined);
        }}
      >
        <label htmlFor="history-text">{t('history.text')}</label>
        <input id="history-text" value={text} onChange={(event) => setText(event.target.value)} autoComplete="off" />
        <label htmlFor="history-operator">{t('history.operator')}</label>
        <input id="history-operator" value={operator} onChange={(event) => setOperator(event.target.value)} autoComplete="off" />
        <label htmlFor="history-from">{t('history.from')}</label>
        <input id="history-from" type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
        <label htmlFor="history-to">{t('history.to')}</label>
        <input id="history-to" type="date" value={to} onChange={(event) => setTo(event.target.value)} />
        <button type="submit" className="button button--secondary">
          {t('history.filter')}
        </button>
      </form>
      <ErrorNotice error={error} testId="history-error" />
      <table className="table" data-testid="history-table">
        <thead>
          <tr>
            <th scope="col">{t('history.started')}</th>
            <th scope="col">{t('history.part')}</th>
            <th scope="col">{t('history.serialColumn')}</th>
            <th scope="col">{t('history.outcome')}</th>
            <th scope="col">{t('history.code')}</th>
            <th scope="col">{t('history.operator')}</th>
            <th scope="col">{t('history.job')}</th>
            <th scope="col">{t('history.report')}</th>
          </tr>
        </thead>
        <tbody>
          {history.map((session) => (
            <tr key={session.sessionId} data-session={session.sessionId}>
              <td data-testid="history-started">{time.dateTime(session.startedAt)}</td>
              <td>{session.partNumber}</td>
              <td>{session.serial}</td>
              <td>{outcome(t, session)}</td>
              <td className="code-cell code--grouped">{session.code ? groupCode(session.code) : '—'}</td>
              <td>{session.operatorName ?? '—'}</td>
              <td>{session.customer ? `${session.customer}${session.position ? ` #${session.position}` : ''}` : '—'}</td>
              <td>
                <div className="table__actions">
                  <button
                    className="button button--secondary"
                    disabled={session.status === 'running'}
                    onClick={() => {
                      void open(session.sessionId).then(onOpen);
                    }}
                  >
                    {t('history.open')}
                  </button>
                  <button
                    className="button button--secondary"
                    disabled={session.status === 'running' || printing !== null}
                    aria-label={t('history.pdfFor', { serial: session.serial })}
                    onClick={() => void print(session.sessionId, 'report')}
                  >
                    PDF
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {history.length === 0 && <p className="hint">{t('history.empty')}</p>}
    </section>
  );
}
