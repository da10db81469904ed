import { useEffect, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { roles, type Role } from '../../../electron/contract/roles';
import { ErrorNotice } from '../components/ErrorNotice';
import type { MessageKey } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
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

export function OperatorsView() {
  const t = useT();
  const { operators, error, load, update, me } = useAppStore(
    useShallow((state) => ({
      operators: state.operators,
      error: state.operatorsError,
      load: state.loadOperators,
      update: state.updateOperator,
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
            <tr key={operator.id} data-testid={`operator-row-${operator.name}`}>
              <td>
                {operator.name}
                {operator.id === me ? ` ${t('operators.you')}` : ''}
              </td>
              <td>
                <label className="visually-hidden" htmlFor={`role-${operator.id}`}>
                  {t('operators.roleOf', { name: operator.name })}
                </label>
                <select id={`role-${operator.id}`} value={operator.role} onChange={(event) => void update({ operatorId: operator.id, role: event.target.value as Role })}>
                  {roles.map((value) => (
                    <option key={value} value={value}>
                      {t(roleName[value])}
                    </option>
                  ))}
                </select>
              </td>
              <td>{operator.disabled
                  ? t('operators.disabled')
                  : operator.lockedUntil && Date.parse(operator.lockedUntil) > Date.now()
                    ? t('operators.lockedUntil', { time: new Date(operator.lockedUntil).toLocaleTimeString() })
                    : t('operators.active')}</td>
              <td>
                <button className="button button--secondary" onClick={() => void update({ operatorId: operator.id, disabled: !operator.disabled })}>
                  {operator.disabled ? t('operators.enable') : t('operators.disable')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <CreateOperatorForm />
    </section>
  );
}
