import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BenchLinkStateView } from '../../../electron/contract/bench-api';
import { ErrorNotice, ErrorWordsText } from '../components/ErrorNotice';
import { useErrorWords } from '../i18n/use-error-words';
import type { MessageKey } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
import { useBenchTime } from '../i18n/use-bench-time';
import { useAppStore } from '../store/context';
import { ManualTestPanel } from './ManualTestPanel';

const statusText: Record<BenchLinkStateView['status'], MessageKey> = {
  disconnected: 'bench.status.disconnected',
  connecting: 'bench.status.connecting',
  connected: 'bench.status.connected',
  reconnecting: 'bench.status.reconnecting',
  error: 'bench.status.error',
};

/** Bench connection: port (serial or serial device server), status, heartbeat state, firmware, calibration date. */
export function BenchView() {
  const t = useT();
  const { describe, detailsLabel } = useErrorWords();
  const time = useBenchTime();
  const { link, error, busy, load, connect, disconnect, role, loadStartInfo } = useAppStore(
    useShallow((state) => ({
      role: state.session?.operator?.role,
      loadStartInfo: state.loadStartInfo,
      link: state.benchLink,
      error: state.benchError,
      busy: state.benchBusy,
      load: state.loadBenchLink,
      connect: state.connectBench,
      disconnect: state.disconnectBench,
    })),
  );
  const [target, setTarget] = useState('');
  useEffect(() => {
    void load();
    void loadStartInfo();
  }, [load, loadStartInfo]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void connect(target.trim() || undefined);
  };
  const connected = link?.status === 'connected';

  return (
    <section className="view" aria-labelledby="bench-title">
      <h1 id="bench-title">{t('bench.title')}</h1>
      <ErrorNotice error={error} testId="bench-error" />
      <p className={`link-status link-status--${link?.status ?? 'disconnected'}`} role="status" data-testid="bench-status">
        {t(statusText[link?.status ?? 'disconnected'])}
        {link?.target ? ` · ${link.target}` : ''}
      </p>
      {link?.lastError && link.status !== 'connected' && (
        <p className="hint" data-testid="bench-last-error" data-code={link.lastError.code}>
          <ErrorWordsText words={describe(link.lastError)} detailsLabel={detailsLabel} />
        </p>
      )}
      {connected && (
        <dl className="facts facts--wide" data-testid="bench-facts">
          <div className="facts__row">
            <dt>{t('bench.model')}</dt>
            <dd>{link.model}</dd>
          </div>
          <div className="facts__row">
            <dt>{t('bench.serial')}</dt>
            <dd>{link.benchSerial}</dd>
          </div>
          <div className="facts__row">
            <dt>{t('bench.firmware')}</dt>
            <dd>{link.firmware}</dd>
          </div>
          <div className="facts__row">
            <dt>{t('bench.state')}</dt>
            <dd data-testid="bench-state">{link.safeReason ? `${link.benchState} (${link.safeReason})` : link.benchState}</dd>
          </div>
          <div className="facts__row">
            <dt>{t('bench.calibrationDue')}</dt>
            <dd>{link.calibrationDue ? time.day(link.calibrationDue) : t('bench.unknown')}</dd>
          </div>
        </dl>
      )}
      {connected ? (
        <button className="button button--secondary" onClick={() => void disconnect()} disabled={busy}>
          {busy ? t('common.working') : t('bench.disconnect')}
        </button>
      ) : (
        <form className="form" onSubmit={submit}>
          <label htmlFor="bench-target">{t('bench.portLabel')}</label>
          <input id="bench-target" value={target} onChange={(event) => setTarget(event.target.value)} placeholder={t('common.portPlaceholder')} autoComplete="off" />
          <button type="submit" className="button button--primary" disabled={busy} data-testid="connect-bench" aria-busy={busy}>
            {busy ? t('bench.connecting') : t('bench.connect')}
          </button>
        </form>
      )}
      {connected && (role === 'technician' || role === 'admin') && <ManualTestPanel />}
    </section>
  );
}
