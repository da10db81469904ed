import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { OperatorSummary } from '../../../electron/contract/bench-api';
import { ErrorNotice } from '../components/ErrorNotice';
import { PinPad } from '../components/PinPad';
import { useAppStore } from '../store/context';

const roleName: Record<OperatorSummary['role'], string> = { technician: 'Technician', admin: 'Admin', support: 'Support' };

export function SignInView() {
  const { choices, error, signIn, clearError } = useAppStore(
    useShallow((state) => ({ choices: state.signInChoices, error: state.sessionError, signIn: state.signIn, clearError: state.clearSessionError })),
  );
  const [chosen, setChosen] = useState<OperatorSummary | null>(null);
  const [busy, setBusy] = useState(false);

  if (!chosen) {
    return (
      <main className="centered-view" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Who is at the bench?</h1>
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
                <span className="operator-tile__role">{roleName[operator.role]}</span>
              </button>
            </li>
          ))}
        </ul>
        {choices.length === 0 && <p>No operators can sign in. An admin must enable one.</p>}
      </main>
    );
  }

  return (
    <main className="centered-view" aria-labelledby="pin-title">
      <h1 id="pin-title">{chosen.name}</h1>
      <ErrorNotice error={error} testId="sign-in-error" />
      <PinPad
        label="PIN"
        submitLabel="Sign in"
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
