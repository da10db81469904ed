import { useEffect, useState } from 'react';
import type { PartStatus } from '../../../electron/contract/bench-api';
import { ErrorWordsText } from '../components/ErrorNotice';
import type { MessageKey } from '../i18n/i18n';
import { useErrorWords } from '../i18n/use-error-words';
import { useT } from '../i18n/use-t';
import { useAppStore } from '../store/context';

const stateLabel: Record<PartStatus['state'], MessageKey> = {
  ok: 'status.state.ok',
  not_configured: 'status.state.notConfigured',
  error: 'status.state.error',
};

function PartCard({ part }: { part: PartStatus }) {
  const t = useT();
  return (
    <section className={`part part--${part.state}`} data-testid={`part-${part.id}`} aria-labelledby={`part-${part.id}-title`}>
      <header className="part__header">
        <h2 id={`part-${part.id}-title`}>{part.label}</h2>
        <span className="badge" data-testid={`part-${part.id}-state`}>
          {t(stateLabel[part.state])}
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
  const t = useT();
  const { describe, detailsLabel } = useErrorWords();
  const status = useAppStore((state) => state.status);
  const error = useAppStore((state) => state.statusError);
  const receivedAt = useAppStore((state) => state.statusReceivedAt);
  const updates = useAppStore((state) => state.statusUpdates);
  const age = useSecondsSince(receivedAt);

  return (
    <main className="status-page">
      <header className="topbar">
        <h1>{t('status.title')}</h1>
        {status && (
          <p className="topbar__meta" data-testid="app-meta">
            v{status.app.version} · {status.app.mode === 'electron' ? t('status.modeDesktop') : t('status.modeWorkspace')} · {t('status.launch', { count: status.app.launchCount })}
          </p>
        )}
      </header>
      {error && (
        <div role="alert" className="error-banner" data-testid="status-error">
          <strong>{t('status.cannotRead')}</strong> <ErrorWordsText words={describe(error)} detailsLabel={detailsLabel} />
        </div>
      )}
      {!status && !error && <p className="loading">{t('status.loading')}</p>}
      {status && (
        <>
          <div className="parts" data-testid="parts">
            {status.parts.map((part) => (
              <PartCard key={part.id} part={part} />
            ))}
          </div>
          <footer className="live" aria-live="off">
            <span data-testid="status-updates" data-count={updates}>
              {updates === 1 ? t('status.updatesOne') : t('status.updates', { count: updates })}
            </span>
            <span> · {age === null ? t('status.lastNever') : t('status.lastAgo', { seconds: age })}</span>
            <span> · {t('status.uptime', { seconds: status.app.uptimeSeconds })}</span>
          </footer>
        </>
      )}
    </main>
  );
}
