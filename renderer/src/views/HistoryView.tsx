import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store/context';

/** Sessions on this bench, newest first; a row reopens its report in the session view. */
export function HistoryView({ onOpen }: { onOpen(): void }) {
  const { history, load, open } = useAppStore(useShallow((state) => ({ history: state.history, load: state.loadHistory, open: state.openReport })));
  const [serial, setSerial] = useState('');
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="view" aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <form
        className="form form--row"
        onSubmit={(event) => {
          event.preventDefault();
          void load(serial.trim() || undefined);
        }}
      >
        <label htmlFor="history-serial">Injector serial</label>
        <input id="history-serial" value={serial} onChange={(event) => setSerial(event.target.value.toUpperCase())} autoComplete="off" />
        <button type="submit" className="button button--secondary">
          Filter
        </button>
      </form>
      <table className="table" data-testid="history-table">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Part</th>
            <th scope="col">Serial</th>
            <th scope="col">Outcome</th>
            <th scope="col">Code</th>
            <th scope="col">Report</th>
          </tr>
        </thead>
        <tbody>
          {history.map((session) => (
            <tr key={session.sessionId} data-session={session.sessionId}>
              <td>{new Date(session.startedAt).toLocaleString()}</td>
              <td>{session.partNumber}</td>
              <td>{session.serial}</td>
              <td>{session.status === 'completed' ? session.verdict : `${session.status}${session.reasonCode ? ` (${session.reasonCode})` : ''}`}</td>
              <td className="code-cell">{session.code ?? '—'}</td>
              <td>
                <button
                  className="button button--secondary"
                  disabled={session.status === 'running'}
                  onClick={() => {
                    void open(session.sessionId).then(onOpen);
                  }}
                >
                  Open
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {history.length === 0 && <p className="hint">No sessions yet.</p>}
    </section>
  );
}
