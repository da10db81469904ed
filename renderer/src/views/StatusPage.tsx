import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BenchLinkStateView, PartStatus, StatusOverview } from '../../../electron/contract/bench-api';
import { ErrorWordsText } from '../components/ErrorNotice';
import type { MessageKey, Translate } from '../i18n/i18n';
import { useBenchTime, type BenchTimeFormat } from '../i18n/use-bench-time';
import { useErrorWords } from '../i18n/use-error-words';
import { useT } from '../i18n/use-t';
import { useAppStore } from '../store/context';

const linkWords: Record<BenchLinkStateView['status'], MessageKey> = {
  disconnected: 'bench.status.disconnected',
  connecting: 'bench.status.connecting',
  connected: 'bench.status.connected',
  reconnecting: 'bench.status.reconnecting',
  error: 'bench.status.error',
};

interface TechnicianItem {
  id: string;
  label: string;
  value: string;
  ok: boolean;
}

/** What a technician needs before coding, each with a plain ok or attention; credits only once signed in. */
function technicianItems(t: Translate, time: BenchTimeFormat, overview: StatusOverview, credits: number | null): TechnicianItem[] {
  const { bench, packs, server } = overview;
  const connected = bench.status === 'connected';
  const overdue = bench.calibrationDue !== null && bench.calibrationDue < time.today();
  const lastSync = server.lastSuccessAt ? time.dateTime(server.lastSuccessAt) : t('status.tech.neverSynced');
  const items: TechnicianItem[] = [
    {
      id: 'bench',
      label: t('status.tech.bench'),
      value: connected ? t('status.tech.benchConnected', { bench: [bench.model, bench.benchSerial].filter(Boolean).join(' ') }) : t(linkWords[bench.status]),
      ok: connected,
    },
    {
      id: 'calibration',
      label: t('status.tech.calibration'),
      value: bench.calibrationDue === null ? t('status.tech.calibrationUnknown') : overdue ? t('status.tech.calibrationOverdue', { day: time.day(bench.calibrationDue) }) : time.day(bench.calibrationDue),
      ok: bench.calibrationDue !== null && !overdue,
    },
    {
      id: 'packs',
      label: t('status.tech.packs'),
      value: packs.state === 'error' ? t('status.tech.packsError') : packs.active.length === 0 ? t('status.tech.packsNone') : packs.active.map((pack) => `${pack.family} ${pack.version}`).join(', '),
      ok: packs.state === 'ok',
    },
  ];
  if (credits !== null) items.push({ id: 'credits', label: t('status.tech.credits'), value: credits > 0 ? String(credits) : t('status.tech.creditsNone'), ok: credits > 0 });
  items.push({
    id: 'server',
    label: t('status.tech.server'),
    value: !server.enrolled
      ? t('status.tech.serverOffline')
      : server.blocked
        ? t('status.tech.serverBlocked')
        : server.failing
          ? t('status.tech.serverFailing', { when: lastSync })
          : server.lastSuccessAt
            ? t('status.tech.serverOk', { when: lastSync })
            : t('status.tech.serverWaiting'),
    // A bench without a server codes offline; only a failing or refused link needs someone.
    ok: !server.blocked && !server.failing,
  });
  return items;
}

function TechnicianSummary({ overview }: { overview: StatusOverview }) {
  const t = useT();
  const time = useBenchTime();
  const { signedIn, credits, loadStartInfo } = useAppStore(
    useShallow((state) => ({ signedIn: Boolean(state.session?.operator), credits: state.creditsBalance, loadStartInfo: state.loadStartInfo })),
  );
  useEffect(() => {
    if (signedIn) void loadStartInfo();
  }, [signedIn, loadStartInfo]);
  const items = technicianItems(t, time, overview, signedIn ? credits : null);
  const attention = items.filter((item) => !item.ok);
  return (
    <section className={`part part--${attention.length === 0 ? 'ok' : 'not_configured'} technician-status`} aria-labelledby="technician-status-title" data-testid="status-technician">
      <header className="part__header">
        <h2 id="technician-status-title">{t('status.tech.title')}</h2>
      </header>
      <p className="technician-status__summary" data-testid="status-summary" data-state={attention.length === 0 ? 'ok' : 'attention'}>
        {attention.length === 0 ? t('status.tech.ready') : t('status.tech.attention', { items: attention.map((item) => item.label).join(', ') })}
      </p>
      <dl className="facts technician-status__items">
        {items.map((item) => (
          <div className="facts__row" key={item.id} data-testid={`status-tech-${item.id}`} data-state={item.ok ? 'ok' : 'attention'}>
            <dt>{item.label}</dt>
            <dd>
              <span className={`technician-status__mark technician-status__mark--${item.ok ? 'ok' : 'attention'}`}>{item.ok ? t('status.tech.ok') : t('status.tech.check')}</span> {item.value}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

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
      </header>
      {error && (
        <div role="alert" className="error-banner" data-testid="status-error">
          <strong>{t('status.cannotRead')}</strong> <ErrorWordsText words={describe(error)} detailsLabel={detailsLabel} />
        </div>
      )}
      {!status && !error && <p className="loading">{t('status.loading')}</p>}
      {status && (
        <>
          <TechnicianSummary overview={status.overview} />
          {/* Schema, journal, paths and ids help support, not the technician: folded away until asked for. */}
          <details className="support-details" data-testid="status-details">
            <summary>{t('status.details')}</summary>
            <p className="topbar__meta" data-testid="app-meta">
              v{status.app.version} · {status.app.mode === 'electron' ? t('status.modeDesktop') : t('status.modeWorkspace')} · {t('status.launch', { count: status.app.launchCount })}
            </p>
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
          </details>
        </>
      )}
    </main>
  );
}
