import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAppStore } from '../store/context';

const filters = [
  { prefix: '', label: 'Everything' },
  { prefix: 'admin.', label: 'Admin actions' },
  { prefix: 'auth.', label: 'Sign-in' },
  { prefix: 'app.', label: 'App start and stop' },
] as const;

function payloadSummary(payload: Record<string, unknown>): string {
  return Object.entries(payload)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
}

export function EvidenceView() {
  const { entries, filter, hasMore, sealedThrough, error, verdict, load, loadOlder, verify } = useAppStore(
    useShallow((state) => ({
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

  return (
    <section className="view" aria-labelledby="evidence-title">
      <header className="view__header">
        <h1 id="evidence-title">Evidence</h1>
        <button className="button button--primary" onClick={() => void verify()} data-testid="verify-log">
          Verify the log
        </button>
      </header>
      <ErrorNotice error={error} testId="evidence-error" />
      {verdict &&
        (verdict.ok ? (
          <p className="verdict verdict--ok" role="status" data-testid="log-verdict">
            Intact: {verdict.entries} entries, sealed through entry {verdict.sealedThrough}
            {verdict.unsealedEntries > 0 ? ` (${verdict.unsealedEntries} sealed at the next session end or shutdown)` : ''}.
          </p>
        ) : (
          <p className="verdict verdict--bad" role="alert" data-testid="log-verdict">
            Tampering found at entry {verdict.seq}: {verdict.reason} ({verdict.code}). Export a support bundle and contact support.
          </p>
        ))}
      <div className="filters" role="group" aria-label="Filter by kind">
        {filters.map((option) => (
          <button key={option.prefix} className={`chip${filter === option.prefix ? ' chip--active' : ''}`} aria-pressed={filter === option.prefix} onClick={() => void load(option.prefix)}>
            {option.label}
          </button>
        ))}
      </div>
      <table className="table" data-testid="evidence-table">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">What</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.seq} data-type={entry.type}>
              <td>
                {entry.seq}
                {entry.seq <= sealedThrough ? '' : ' *'}
              </td>
              <td>{new Date(entry.recordedAt).toLocaleString()}</td>
              <td>{entry.type}</td>
              <td className="details">{payloadSummary(entry.payload)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">* not yet sealed by a signed checkpoint.</p>
      {hasMore && (
        <button className="button button--secondary" onClick={() => void loadOlder()}>
          Show older entries
        </button>
      )}
    </section>
  );
}
