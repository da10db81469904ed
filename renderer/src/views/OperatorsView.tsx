import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { OperatorDetail } from '../../../electron/contract/bench-api';
import { roles, type Role } from '../../../electron/contract/roles';
import { ErrorNotice } from '../components/ErrorNotice';
import type { MessageKey } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
import { useBenchTime } from '../i18n/use-bench-time';
import { useAppStore } from '../store/context';

const roleName: Record<Role, MessageKey> = { technician: 'role.technician', admin: 'role.admin', support: 'role.support' };

function CreateOperatorForm() {
  const t = useT();
  const create = useAppStore((state) => state.createOperator);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('technician');
  const [pin, setPin] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void create({ name: name.trim(), role, pin }).then((created) => {
      if (!created) return;
      setName('');
      setPin('');
    });
  };
  return (
    <form className="form form--inline" onSubmit={submit} aria-labelledby="new-operator-title">
      <h2 id="new-operator-title">{t('operators.add')}</h2>
      <label htmlFor="new-operator-name">{t('operators.name')}</label>
      <input id="new-operator-name" value={name} onChange={(event) => setName(event.target.value)} required minLength={2} maxLength={40} autoComplete="off" />
      <label htmlFor="new-operator-role">{t('operators.role')}</label>
      <select id="new-operator-role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
        {roles.map((value) => (
          <option key={value} value={value}>
            {t(roleName[value])}
          </option>
        ))}
      </select>
      <label htmlFor="new-operator-pin">{t('common.pinDigits')}</label>
      <input id="new-operator-pin" type="password" inputMode="numeric" value={pin} onChange={(event) => setPin(event.target.value.replace(/\D/g, ''))} maxLength={12} required />
      <button type="submit" className="button button--primary" disabled={name.trim().length < 2 || !/^\d{4,12}$/.test(pin)}>
        {t('operators.addSubmit')}
      </button>
    </form>
  );
}

/**
 * One operator: a role change waits for confirmation (a technician made admin by a slip of the drop-down
 * could change everything), a PIN reset takes the new PIN inline, and a lockout can be lifted at once.
 */
function OperatorRow({ operator, me }: { operator: OperatorDetail; me: string | undefined }) {
  const t = useT();
  const time = useBenchTime();
  const update = useAppStore((state) => state.updateOperator);
  const [pendingRole, setPendingRole] = useState<Role | null>(null);
  const [resettingPin, setResettingPin] = useState(false);
  const [newPin, setNewPin] = useState('');
  const locked = !operator.disabled && operator.lockedUntil !== null && Date.parse(operator.lockedUntil) > Date.now();
  const resetPin = (event: FormEvent) => {
    event.preventDefault();
    void update({ operatorId: operator.id, pin: newPin }).then((done) => {
      if (!done) return;
      setResettingPin(false);
      setNewPin('');
    });
  };
  return (
    <tr data-testid={`operator-row-${operator.name}`}>
      <td>
        {operator.name}
        {operator.id === me ? ` ${t('operators.you')}` : ''}
      </td>
      <td>
        <label className="visually-hidden" htmlFor={`role-${operator.id}`}>
          {t('operators.roleOf', { name: operator.name })}
        </label>
        <select id={`role-${operator.id}`} value={pendingRole ?? operator.role} onChange={(event) => setPendingRole(event.target.value === operator.role ? null : (event.target.value as Role))}>
          {roles.map((value) => (
            <option key={value} value={value}>
              {t(roleName[value])}
            </option>
          ))}
        </select>
        {pendingRole && (
          <div className="confirm" role="group" aria-label={t('operators.confirmRole', { name: operator.name, role: t(roleName[pendingRole]) })} data-testid={`confirm-role-${operator.name}`}>
            <p>{t('operators.confirmRole', { name: operator.name, role: t(roleName[pendingRole]) })}</p>
            <button className="button button--primary" onClick={() => void update({ operatorId: operator.id, role: pendingRole }).then(() => setPendingRole(null))}>
              {t('operators.confirm')}
            </button>
            <button className="button button--secondary" onClick={() => setPendingRole(null)}>
              {t('common.cancel')}
            </button>
          </div>
        )}
      </td>
      <td data-testid={`operator-state-${operator.name}`}>
        {operator.disabled
          ? t('operators.disabled')
          : locked && operator.lockedUntil
            ? t('operators.lockedUntil', { time: time.clock(operator.lockedUntil) })
            : t('operators.active')}
      </td>
      <td>
        <div className="row-actions">
          {locked && (
            <button className="button button--primary" onClick={() => void update({ operatorId: operator.id, unlock: true })}>
              {t('operators.unlock')}
            </button>
          )}
          <button className="button button--secondary" onClick={() => setResettingPin((open) => !open)} aria-expanded={resettingPin}>
            {t('operators.resetPin')}
          </button>
          <button className="button button--secondary" onClick={() => void update({ operatorId: operator.id, disabled: !operator.disabled })}>
            {operator.disabled ? t('operators.enable') : t('operators.disable')}
          </button>
        </div>
        {resettingPin && (
          <form className="form form--inline" onSubmit={resetPin}>
            <label htmlFor={`new-pin-${operator.id}`}>{t('operators.newPinFor', { name: operator.name })}</label>
            <input id={`new-pin-${operator.id}`} type="password" inputMode="numeric" value={newPin} onChange={(event) => setNewPin(event.target.value.replace(/\D/g, ''))} maxLength={12} autoComplete="off" required />
            <button type="submit" className="button button--primary" disabled={!/^\d{4,12}$/.test(newPin)}>
              {t('operators.setPin')}
            </button>
          </form>
        )}
      </td>
    </tr>
  );
}

export function OperatorsView() {
  const t = useT();
  const { operators, error, load, me } = useAppStore(
    useShallow((state) => ({
      operators: state.operators,
      error: state.operatorsError,
      load: state.loadOperators,
      me: state.session?.operator?.id,
    })),
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="view" aria-labelledby="operators-title">
      <h1 id="operators-title">{t('operators.title')}</h1>
      <ErrorNotice error={error} testId="operators-error" />
      <table className="table" data-testid="operators-table">
        <thead>
          <tr>
            <th scope="col">{t('operators.name')}</th>
            <th scope="col">{t('operators.role')}</th>
            <th scope="col">{t('operators.state')}</th>
            <th scope="col">{t('operators.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {operators.map((operator) => (
            <OperatorRow key={operator.id} operator={operator} me={me} />
          ))}
        </tbody>
      </table>
      <CreateOperatorForm />
    </section>
  );
}
