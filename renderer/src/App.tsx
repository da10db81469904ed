import { useEffect, useState, type ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Role } from '../../electron/contract/bench-api';
import type { MessageKey } from './i18n/i18n';
import { useT } from './i18n/use-t';
import { useAppStore } from './store/context';
import { AdminView } from './views/AdminView';
import { BenchView } from './views/BenchView';
import { EvidenceView } from './views/EvidenceView';
import { FirstRunView } from './views/FirstRunView';
import { HistoryView } from './views/HistoryView';
import { JobsView } from './views/JobsView';
import { OperatorsView } from './views/OperatorsView';
import { ReleasesView } from './views/ReleasesView';
import { SessionView } from './views/SessionView';
import { SettingsView } from './views/SettingsView';
import { SignInView } from './views/SignInView';
import { StatusPage } from './views/StatusPage';
import { SupportView } from './views/SupportView';

interface ViewDefinition {
  id: string;
  /** Shown when the view has no catalog key yet. */
  label: string;
  labelKey?: MessageKey;
  /** Roles that see the view; the services enforce the same rule for every call it makes. */
  roles: readonly Role[];
  render(show: (view: string) => void): ReactElement;
}

const views: readonly ViewDefinition[] = [
  { id: 'jobs', label: 'Jobs', labelKey: 'nav.jobs', roles: ['technician', 'admin'], render: (show) => <JobsView onCode={() => show('session')} /> },
  { id: 'session', label: 'Session', labelKey: 'nav.session', roles: ['technician', 'admin'], render: (show) => <SessionView onShowJob={() => show('jobs')} /> },
  { id: 'bench', label: 'Bench', labelKey: 'nav.bench', roles: ['technician', 'admin', 'support'], render: () => <BenchView /> },
  { id: 'history', label: 'History', labelKey: 'nav.history', roles: ['technician', 'admin', 'support'], render: (show) => <HistoryView onOpen={() => show('session')} /> },
  { id: 'status', label: 'Status', labelKey: 'nav.status', roles: ['technician', 'admin', 'support'], render: () => <StatusPage /> },
  { id: 'operators', label: 'Operators', labelKey: 'nav.operators', roles: ['admin'], render: () => <OperatorsView /> },
  { id: 'admin', label: 'Enrolment & credits', labelKey: 'nav.admin', roles: ['admin'], render: () => <AdminView /> },
  { id: 'support', label: 'Support', labelKey: 'nav.support', roles: ['admin', 'support'], render: (show) => <SupportView onShowEvidence={() => show('evidence')} /> },
  { id: 'evidence', label: 'Evidence', labelKey: 'nav.evidence', roles: ['admin', 'support'], render: () => <EvidenceView /> },
  { id: 'releases', label: 'Releases', labelKey: 'nav.releases', roles: ['technician', 'admin', 'support'], render: () => <ReleasesView /> },
  { id: 'settings', label: 'Settings', labelKey: 'nav.settings', roles: ['technician', 'admin', 'support'], render: () => <SettingsView /> },
];

/** The role as it reads after a name ("Ana · admin"). */
const roleKey: Record<Role, MessageKey> = { technician: 'role.inline.technician', admin: 'role.inline.admin', support: 'role.inline.support' };

export function App() {
  const { session, signOut, loadSession, loadSettings } = useAppStore(
    useShallow((state) => ({ session: state.session, signOut: state.signOut, loadSession: state.loadSession, loadSettings: state.loadSettings })),
  );
  const t = useT();
  const [current, setCurrent] = useState('session');

  useEffect(() => {
    void loadSession();
  }, [loadSession]);
  const operatorId = session?.operator?.id;
  // The bench's language applies as soon as someone signs in.
  useEffect(() => {
    if (operatorId) void loadSettings();
  }, [operatorId, loadSettings]);

  if (!session) return <p className="loading">{t('app.connecting')}</p>;
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
        <nav aria-label={t('nav.label')} className="shell__nav">
          {allowed.map((view) => (
            <button key={view.id} className={`nav-tab${view.id === active?.id ? ' nav-tab--active' : ''}`} aria-current={view.id === active?.id ? 'page' : undefined} onClick={() => setCurrent(view.id)} data-testid={`nav-${view.id}`}>
              {view.labelKey ? t(view.labelKey) : view.label}
            </button>
          ))}
        </nav>
        <span className="shell__operator" data-testid="signed-in-as" data-role={operator.role}>
          {operator.name} · {t(roleKey[operator.role])}
        </span>
        <button className="button button--secondary" onClick={() => void signOut()} data-testid="sign-out">
          {t('app.signOut')}
        </button>
      </header>
      {active?.render(setCurrent)}
    </div>
  );
}
