import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { OperatorSummary } from '../../../electron/contract/bench-api';
import { ErrorNotice } from '../components/ErrorNotice';
import { PinPad } from '../components/PinPad';
import type { MessageKey } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
import { useAppStore } from '../store/context';

const roleName: Record<OperatorSummary['role'], MessageKey> = { technician: 'role.technician', admin: 'role.admin', support: 'role.support' };

export function SignInView() {
  const t = useT();
  const { choices, error, signIn, clearError } = useAppStore(
    useShallow((state) => ({ choices: state.signInChoices, error: state.sessionError, signIn: state.signIn, clearError: state.clearSessionError })),
  );
  const [chosen, setChosen] = useState<OperatorSummary | null>(null);
  const [busy, setBusy] = useState(false);

  if (!chosen) {
    return (
      <main className="centered-view" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">{t('signIn.title')}</h1>
        <ul className="operator-tiles">
          {choices.map((operator) => (
            <li key={operator.id}>
              <button
                className="operator-tile"
                data-testid={`operator-${operator.name}`}
                onClick={() => {
                  clearError();
                  setChosen(operator);
                }}
              >
                <span className="operator-tile__name">{operator.name}</span>
                <span className="operator-tile__role">{t(roleName[operator.role])}</span>
              </button>
            </li>
          ))}
        </ul>
        {choices.length === 0 && <p>{t('signIn.nobody')}</p>}
      </main>
    );
  }

  return (
    <main className="centered-view" aria-labelledby="pin-title">
      <h1 id="pin-title">{chosen.name}</h1>
      <ErrorNotice error={error} testId="sign-in-error" />
      <PinPad
        label={t('signIn.pin')}
        submitLabel={t('signIn.submit')}
        busy={busy}
        onCancel={() => {
          clearError();
          setChosen(null);
        }}
        onSubmit={(pin) => {
          setBusy(true);
          void signIn(chosen.id, pin).finally(() => setBusy(false));
        }}
      />
    </main>
  );
}
