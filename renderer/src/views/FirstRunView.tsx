import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../components/ErrorNotice';
import { useT } from '../i18n/use-t';
import { useAppStore } from '../store/context';

/** A new bench has no operators: the only way in is creating the first admin, here, once. */
export function FirstRunView() {
  const t = useT();
  const setup = useAppStore((state) => state.setupFirstAdmin);
  const error = useAppStore((state) => state.sessionError);
  const [name, setName] = useState('');
  const [pin, setPin] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const mismatch = confirm.length > 0 && pin !== confirm;
  const pinValid = /^\d{4,12}$/.test(pin);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!pinValid || mismatch || busy) return;
    setBusy(true);
    void setup(name.trim(), pin).finally(() => setBusy(false));
  };

  return (
    <main className="centered-view" aria-labelledby="setup-title">
      <h1 id="setup-title">{t('setup.title')}</h1>
      <p className="hint">{t('setup.hint')}</p>
      <ErrorNotice error={error} testId="setup-error" />
      <form className="form" onSubmit={submit}>
        <label htmlFor="setup-name">{t('setup.name')}</label>
        <input id="setup-name" value={name} onChange={(event) => setName(event.target.value)} autoComplete="off" required minLength={2} maxLength={40} />
        <label htmlFor="setup-pin">{t('common.pinDigits')}</label>
        <input id="setup-pin" type="password" inputMode="numeric" value={pin} onChange={(event) => setPin(event.target.value.replace(/\D/g, ''))} maxLength={12} required />
        <label htmlFor="setup-confirm">{t('setup.repeatPin')}</label>
        <input id="setup-confirm" type="password" inputMode="numeric" value={confirm} onChange={(event) => setConfirm(event.target.value.replace(/\D/g, ''))} maxLength={12} required aria-invalid={mismatch} />
        {mismatch && <p className="field-error">{t('setup.pinsDiffer')}</p>}
        <button type="submit" className="button button--primary" disabled={!pinValid || mismatch || busy || name.trim().length < 2}>
          {busy ? t('common.working') : t('setup.submit')}
        </button>
      </form>
    </main>
  );
}
