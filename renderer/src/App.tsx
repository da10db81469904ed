import { useEffect, useState, type ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Role } from '../../electron/contract/bench-api';
import { useAppStore } from './store/context';
import { BenchView } from './views/BenchView';
import { EvidenceView } from './views/EvidenceView';
import { FirstRunView } from './views/FirstRunView';
import { HistoryView } from './views/HistoryView';
import { OperatorsView } from './views/OperatorsView';
import { ReleasesView } from './views/ReleasesView';
import { SessionView } from './views/SessionView';
import { SettingsView } from './views/SettingsView';
import { SignInView } from './views/SignInView';
import { StatusPage } from './views/StatusPage';

interface ViewDefinition {
  id: string;
  label: string;
  /** Roles that see the view; the services enforce the same rule for every call it makes. */
  roles: readonly Role[];
  render(show: (view: string) => void): ReactElement;
}

const views: readonly ViewDefinition[] = [
  { id: 'session', label: 'Session', roles: ['technician', 'admin'], render: () => <SessionView /> },
  { id: 'bench', label: 'Bench', roles: ['technician', 'admin', 'support'], render: () => <BenchView /> },
  { id: 'history', label: 'History', roles: ['technician', 'admin', 'support'], render: (show) => <HistoryView onOpen={() => show('session')} /> },
  { id: 'status', label: 'Status', roles: ['technician', 'admin', 'support'], render: () => <StatusPage /> },
  { id: 'operators', label: 'Operators', roles: ['admin'], render: () => <OperatorsView /> },
  { id: 'evidence', label: 'Evidence', roles: ['admin', 'support'], render: () => <EvidenceView /> },
  { id: 'releases', label: 'Releases', roles: ['technician', 'admin', 'support'], render: () => <ReleasesView /> },
  { id: 'settings', label: 'Settings', roles: ['technician', 'admin', 'support'], render: () => <SettingsView /> },
];

export function App() {
  const { session, signOut, loadSession } = useAppStore(useShallow((state) => ({ session: state.session, signOut: state.signOut, loadSession: state.loadSession })));
  const [current, setCurrent] = useState('session');

  useEffect(() => {
    void loadSession();
  }, [loadSession]);

  if (!session) return <p className="loading">Connecting to the bench services…</p>;
  const operator = session.operator;
  if (!operator) {
    // Before sign-in the bench's health is still on screen: a technician can see why it is not ready.
    return (
      <div className="shell shell--signed-out">
        {session.setupRequired ? <FirstRunView /> : <SignInView />}
        <StatusPage />
      </div>
    );
  }

  const allowed = views.filter((view) => view.roles.includes(operator.role));
  const active = allowed.find((view) => view.id === current) ?? allowed[0];
  return (
    <div className="shell">
      <header className="shell__bar">
        <span className="shell__brand">Injector Bench</span>
        <nav aria-label="Views" className="shell__nav">
          {allowed.map((view) => (
            <button key={view.id} className={`nav-tab${view.id === active?.id ? ' nav-tab--active' : ''}`} aria-current={view.id === active?.id ? 'page' : undefined} onClick={() => setCurrent(view.id)} data-testid={`nav-${view.id}`}>
              {view.label}
            </button>
          ))}
        </nav>
        <span className="shell__operator" data-testid="signed-in-as">
          {operator.name} · {operator.role}
        </span>
        <button className="button button--secondary" onClick={() => void signOut()} data-testid="sign-out">
          Sign out
        </button>
      </header>
      {active?.render(setCurrent)}
    </div>
  );
}
