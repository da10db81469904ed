import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAppStore } from '../store/context';

const statusText = {
  disconnected: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Connection lost, reconnecting…',
  error: 'Connection failed',
} as const;

/** Bench connection: port (serial or serial device server), status, heartbeat state, firmware, calibration date. */
export function BenchView() {
  const { link, error, busy, load, connect, disconnect } = useAppStore(
    useShallow((state) => ({
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
  }, [load]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void connect(target.trim() || undefined);
  };
  const connected = link?.status === 'connected';

  return (
    <section className="view" aria-labelledby="bench-title">
      <h1 id="bench-title">Bench</h1>
      <ErrorNotice error={error} testId="bench-error" />
      <p className={`link-status link-status--${link?.status ?? 'disconnected'}`} role="status" data-testid="bench-status">
        {statusText[link?.status ?? 'disconnected']}
        {link?.target ? ` · ${link.target}` : ''}
      </p>
      {link?.lastError && link.status !== 'connected' && <p className="hint">{link.lastError.message}</p>}
      {connected && (
        <dl className="facts facts--wide" data-testid="bench-facts">
          <div className="facts__row">
            <dt>Model</dt>
            <dd>{link.model}</dd>
          </div>
          <div className="facts__row">
            <dt>Serial</dt>
            <dd>{link.benchSerial}</dd>
          </div>
          <div className="facts__row">
            <dt>Firmware</dt>
            <dd>{link.firmware}</dd>
          </div>
          <div className="facts__row">
            <dt>Bench state</dt>
            <dd data-testid="bench-state">{link.safeReason ? `${link.benchState} (${link.safeReason})` : link.benchState}</dd>
          </div>
          <div className="facts__row">
            <dt>Calibration check due</dt>
            <dd>{link.calibrationDue ?? 'unknown'}</dd>
          </div>
        </dl>
      )}
      {connected ? (
        <button className="button button--secondary" onClick={() => void disconnect()} disabled={busy}>
          Disconnect
        </button>
      ) : (
        <form className="form" onSubmit={submit}>
          <label htmlFor="bench-target">Port (empty: the port from Settings)</label>
          <input id="bench-target" value={target} onChange={(event) => setTarget(event.target.value)} placeholder="/dev/ttyUSB0 or tcp://192.168.1.50:4001" autoComplete="off" />
          <button type="submit" className="button button--primary" disabled={busy} data-testid="connect-bench">
            {busy ? 'Connecting…' : 'Connect'}
          </button>
        </form>
      )}
    </section>
  );
}
