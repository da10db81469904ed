import { useEffect, useState } from 'react';
import type { PartStatus } from '../../../electron/contract/bench-api';
import { useAppStore } from '../store/context';

const stateLabel: Record<PartStatus['state'], string> = {
  ok: 'Running',
  not_configured: 'Not configured',
  error: 'Error',
};

function PartCard({ part }: { part: PartStatus }) {
  return (
    <section className={`part part--${part.state}`} data-testid={`part-${part.id}`} aria-labelledby={`part-${part.id}-title`}>
      <header className="part__header">
        <h2 id={`part-${part.id}-title`}>{part.label}</h2>
        <span className="badge" data-testid={`part-${part.id}-state`}>
          {stateLabel[part.state]}
        </span>
      </header>
      <p className="part__detail">{part.detail}</p>
      {part.facts.length > 0 && (
        <dl className="facts">
          {part.facts.map((fact) => (
            <div className="facts__row" key={fact.label}>
              <dt>{fact.label}</dt>
              <dd data-testid={`fact-${part.id}-${fact.label.toLowerCase().replace(/\s+/g, '-')}`}>{fact.value}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function useSecondsSince(timestamp: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return timestamp === null ? null : Math.max(0, Math.round((now - timestamp) / 1000));
}

export function StatusPage() {
  const status = useAppStore((state) => state.status);
  const error = useAppStore((state) => state.statusError);
  const receivedAt = useAppStore((state) => state.statusReceivedAt);
  const updates = useAppStore((state) => state.statusUpdates);
  const age = useSecondsSince(receivedAt);

  return (
    <main className="status-page">
      <header className="topbar">
        <h1>Bench status</h1>
        {status && (
          <p className="topbar__meta" data-testid="app-meta">
            v{status.app.version} · {status.app.mode === 'electron' ? 'Desktop app' : 'Workspace mode'} · launch #{status.app.launchCount}
          </p>
        )}
      </header>
      {error && (
        <div role="alert" className="error-banner" data-testid="status-error">
          <strong>Cannot read the bench status.</strong> {error.message} ({error.code})
        </div>
      )}
      {!status && !error && <p className="loading">Loading bench status…</p>}
      {status && (
        <>
          <div className="parts" data-testid="parts">
            {status.parts.map((part) => (
              <PartCard key={part.id} part={part} />
            ))}
          </div>
          <footer className="live" aria-live="off">
            <span data-testid="status-updates" data-count={updates}>
              Live status · {updates} update{updates === 1 ? '' : 's'}
            </span>
            <span> · last {age === null ? '—' : `${age} s ago`}</span>
            <span> · up {status.app.uptimeSeconds} s</span>
          </footer>
        </>
      )}
    </main>
  );
}
