import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ErrorNotice } from '../components/ErrorNotice';
import { LogVerdictNotice } from '../components/LogVerdictNotice';
import type { MessageKey } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
import { useBenchTime } from '../i18n/use-bench-time';
import { describeEvidence, namesInEntries } from '../i18n/evidence-words';
import { useAppStore } from '../store/context';

const filters: ReadonlyArray<{ prefix: string; label: MessageKey }> = [
  { prefix: '', label: 'evidence.filter.all' },
  { prefix: 'session.', label: 'evidence.filter.sessions' },
  { prefix: 'admin.', label: 'evidence.filter.admin' },
  { prefix: 'auth.', label: 'evidence.filter.auth' },
  { prefix: 'credits.', label: 'evidence.filter.credits' },
  { prefix: 'app.', label: 'evidence.filter.app' },
];

function payloadSummary(payload: Record<string, unknown>): string {
  return Object.entries(payload)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

/** Verifying walks the whole log: the button says so while it works. */
export function VerifyLogButton({ verify }: { verify(): Promise<void> }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  return (
    <button
      className="button button--primary"
      onClick={() => {
        setBusy(true);
        void verify().finally(() => setBusy(false));
      }}
      disabled={busy}
      aria-busy={busy}
      data-testid="verify-log"
    >
      {busy ? t('evidence.verifying') : t('evidence.verify')}
    </button>
  );
}

export function EvidenceView() {
  const t = useT();
  const time = useBenchTime();
  const { entries, filter, hasMore, sealedThrough, error, verdict, load, loadOlder, verify, locale, operators, loadOperators, isAdmin } = useAppStore(
    useShallow((state) => ({
      locale: state.locale,
      operators: state.operators,
      loadOperators: state.loadOperators,
      isAdmin: state.session?.operator?.role === 'admin',
      entries: state.evidence,
      filter: state.evidenceFilter,
      hasMore: state.evidenceHasMore,
      sealedThrough: state.evidenceSealedThrough,
      error: state.evidenceError,
      verdict: state.logVerdict,
      load: state.loadEvidence,
      loadOlder: state.loadOlderEvidence,
      verify: state.verifyLog,
    })),
  );
  useEffect(() => {
    void load('');
  }, [load]);
  // Names for the operator ids in the entries: admins may list the operators; the log itself names those it created.
  useEffect(() => {
    if (isAdmin) void loadOperators();
  }, [isAdmin, loadOperators]);
  const wording = useMemo(() => {
    const names = namesInEntries(entries);
    for (const operator of operators) names.set(operator.id, operator.name);
    return { locale, nameOf: (id: string) => names.get(id) ?? null, time: time.dateTime };
  }, [entries, operators, locale, time]);

  return (
    <section className="view" aria-labelledby="evidence-title">
      <header className="view__header">
        <h1 id="evidence-title">{t('evidence.title')}</h1>
        <VerifyLogButton verify={verify} />
      </header>
      <ErrorNotice error={error} testId="evidence-error" />
      <LogVerdictNotice verdict={verdict} />
      <div className="filters" role="group" aria-label={t('evidence.filterLabel')}>
        {filters.map((option) => (
          <button key={option.prefix} className={`chip${filter === option.prefix ? ' chip--active' : ''}`} aria-pressed={filter === option.prefix} onClick={() => void load(option.prefix)}>
            {t(option.label)}
          </button>
        ))}
      </div>
      <table className="table" data-testid="evidence-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('evidence.time')}</th>
            <th scope="col">{t('evidence.what')}</th>
            <th scope="col">{t('evidence.details')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.seq} data-type={entry.type}>
              <td>
                {entry.seq}
                {entry.seq <= sealedThrough ? '' : ' *'}
              </td>
              <td data-testid="evidence-time">{time.dateTime(entry.recordedAt)}</td>
              <td>
                <span data-testid="evidence-words">{describeEvidence(entry, wording)}</span>
                <br />
                <code className="evidence__kind" data-testid="evidence-kind">
                  {entry.type}
                </code>
              </td>
              <td className="details">{payloadSummary(entry.payload)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">{t('evidence.notSealed')}</p>
      {hasMore && (
        <button className="button button--secondary" onClick={() => void loadOlder()}>
          {t('evidence.older')}
        </button>
      )}
    </section>
  );
}
