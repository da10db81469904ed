import { useEffect, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ErrorNotice, ErrorWordsText } from '../components/ErrorNotice';
import { useErrorWords } from '../i18n/use-error-words';
import { useT } from '../i18n/use-t';
import { useBenchTime } from '../i18n/use-bench-time';
import { useAppStore } from '../store/context';
import { AppUpdateHoldPanel } from './AppUpdateHoldPanel';

function Fact({ label, value, testId }: { label: string; value: ReactNode; testId?: string }) {
  return (
    <div className="facts__row">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** Enrolment with the central server: the bench's identity, where it syncs to and what is still unsent. */
function Enrolment() {
  const t = useT();
  const { describe, detailsLabel } = useErrorWords();
  const time = useBenchTime();
  const { enrolment, busy, error, load, enrol } = useAppStore(
    useShallow((state) => ({ enrolment: state.enrolment, busy: state.enrolling, error: state.enrolmentError, load: state.loadEnrolment, enrol: state.enrol })),
  );
  const settingsServer = useAppStore((state) => state.settings?.serverUrl ?? '');
  const [server, setServer] = useState(settingsServer);
  const [code, setCode] = useState('');
  useEffect(() => {
    void load();
    // The backlog moves as the outbox sends: kept current while the view is open.
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [load]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void enrol(server.trim(), code.trim()).then((done) => {
      if (done) setCode('');
    });
  };
  const backlog = enrolment?.backlog;
  return (
    <section className="panel" aria-labelledby="enrolment-title" data-testid="enrolment">
      <header className="view__header">
        <h2 id="enrolment-title">{t('admin.enrolment')}</h2>
        <button className="button button--secondary" onClick={() => void load()}>
          {t('common.refresh')}
        </button>
      </header>
      <ErrorNotice error={error} testId="enrolment-error" />
      {enrolment && (
        <dl className="facts facts--grid">
          <Fact label={t('admin.benchId')} value={enrolment.benchId} testId="enrolment-bench-id" />
          <Fact label={t('admin.server')} value={enrolment.serverUrl ?? t('admin.notEnrolled')} testId="enrolment-server" />
          <Fact label={t('admin.enrolledAt')} value={enrolment.enrolledAt ? time.dateTime(enrolment.enrolledAt) : '—'} />
          {backlog && <Fact label={t('admin.backlog')} value={t('admin.backlogValue', { entries: backlog.unsentEntries, checkpoints: backlog.unsentCheckpoints })} testId="enrolment-backlog" />}
          {backlog && <Fact label={t('admin.acknowledged')} value={t('admin.acknowledgedValue', { acked: backlog.ackedEntrySeq, head: backlog.headSeq })} />}
          {backlog && <Fact label={t('admin.lastSuccess')} value={backlog.lastSuccessAt ? time.dateTime(backlog.lastSuccessAt) : t('admin.never')} />}
          {backlog?.lastError && <Fact label={t('admin.lastError')} value={<ErrorWordsText words={describe(backlog.lastError)} detailsLabel={detailsLabel} />} />}
        </dl>
      )}
      {backlog?.blocked && (
        <p className="verdict verdict--bad" role="alert">
          {t('admin.blocked')}
        </p>
      )}
      {enrolment && !enrolment.serverUrl && (
        <form className="form" onSubmit={submit} aria-labelledby="enrol-form-title">
          <h3 id="enrol-form-title">{t('admin.enrolTitle')}</h3>
          <p className="hint">{t('admin.enrolHint')}</p>
          <label htmlFor="enrol-server">{t('admin.serverUrl')}</label>
          <input id="enrol-server" value={server} onChange={(event) => setServer(event.target.value)} placeholder="https://bench-server.example" autoComplete="off" required />
          <label htmlFor="enrol-code">{t('admin.code')}</label>
          <input id="enrol-code" value={code} onChange={(event) => setCode(event.target.value)} autoComplete="off" required minLength={8} />
          <button type="submit" className="button button--primary" disabled={busy || !server.trim() || code.trim().length < 8} aria-busy={busy} data-testid="enrol">
            {busy ? t('admin.enrolling') : t('admin.enrol')}
          </button>
        </form>
      )}
    </section>
  );
}

/** Credits: balance, the grants booked, every ledger movement, and importing a signed grant file. */
function Credits() {
  const t = useT();
  const time = useBenchTime();
  const { credits, busy, error, lastGrant, load, importGrant } = useAppStore(
    useShallow((state) => ({ credits: state.credits, busy: state.importingGrant, error: state.creditsError, lastGrant: state.lastGrant, load: state.loadCredits, importGrant: state.importGrant })),
  );
  const [contents, setContents] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  useEffect(() => {
    void load();
  }, [load]);

  const pick = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setFileName(file.name);
    void file.text().then(setContents);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void importGrant(contents).then((done) => {
      if (done) {
        setContents('');
        setFileName(null);
      }
    });
  };

  return (
    <section className="panel" aria-labelledby="credits-title" data-testid="credits">
      <header className="view__header">
        <h2 id="credits-title">{t('admin.credits')}</h2>
        <p className="balance" data-testid="credits-balance" data-balance={credits?.balance ?? ''}>
          {credits ? t('admin.balance', { balance: credits.balance }) : '…'}
        </p>
      </header>
      <ErrorNotice error={error} testId="credits-error" />
      {lastGrant && (
        <p className="verdict verdict--ok" role="status" data-testid="grant-imported">
          {lastGrant.added ? t('admin.grantAdded', { grant: lastGrant.grantId, credits: lastGrant.credits, balance: lastGrant.balance }) : t('admin.grantAgain', { grant: lastGrant.grantId })}
        </p>
      )}
      <form className="form" onSubmit={submit} aria-labelledby="grant-form-title">
        <h3 id="grant-form-title">{t('admin.importTitle')}</h3>
        <label htmlFor="grant-file">{t('admin.grantFile')}</label>
        <input id="grant-file" type="file" accept=".json,application/json" onChange={pick} data-testid="grant-file" />
        <label htmlFor="grant-text">{t('admin.grantText')}</label>
        <textarea id="grant-text" rows={4} value={contents} onChange={(event) => setContents(event.target.value)} spellCheck={false} />
        <button type="submit" className="button button--primary" disabled={busy || contents.trim().length < 2} aria-busy={busy} data-testid="import-grant">
          {busy ? t('admin.importing') : fileName ? t('admin.importFile', { file: fileName }) : t('admin.import')}
        </button>
      </form>
      <h3>{t('admin.grants')}</h3>
      <table className="table" data-testid="grants-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.grant')}</th>
            <th scope="col">{t('admin.creditsColumn')}</th>
            <th scope="col">{t('admin.imported')}</th>
            <th scope="col">{t('admin.expires')}</th>
          </tr>
        </thead>
        <tbody>
          {credits?.grants.map((grant) => (
            <tr key={grant.grantId}>
              <td className="code-cell">{grant.grantId}</td>
              <td>{grant.credits}</td>
              <td>{time.dateTime(grant.importedAt)}</td>
              <td>{time.date(grant.expires)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('admin.ledger')}</h3>
      <table className="table" data-testid="ledger-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.when')}</th>
            <th scope="col">{t('admin.movement')}</th>
            <th scope="col">{t('admin.amount')}</th>
            <th scope="col">{t('admin.reference')}</th>
            <th scope="col">{t('admin.balanceAfter')}</th>
          </tr>
        </thead>
        <tbody>
          {credits?.entries.map((entry) => (
            <tr key={entry.id} data-kind={entry.kind}>
              <td>{time.dateTime(entry.at)}</td>
              <td>{entry.kind === 'grant' ? t('admin.kindGrant') : t('admin.kindSpend')}</td>
              <td>{entry.kind === 'grant' ? `+${entry.amount}` : `−${entry.amount}`}</td>
              <td className="code-cell">{entry.grantId ?? entry.sessionId}</td>
              <td>{entry.balanceAfter}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AdminView() {
  const t = useT();
  return (
    <section className="view" aria-labelledby="admin-title">
      <h1 id="admin-title">{t('admin.title')}</h1>
      <Enrolment />
      <Credits />
      <AppUpdateHoldPanel />
    </section>
  );
}
