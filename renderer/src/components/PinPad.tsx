import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useT } from '../i18n/use-t';

interface PinPadProps {
  label: string;
  submitLabel: string;
  busy: boolean;
  onSubmit(pin: string): void;
  onCancel?(): void;
}

const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Large keys for gloved hands, and a normal password field for keyboards and PIN-pad wedges. */
export function PinPad({ label, submitLabel, busy, onSubmit, onCancel }: PinPadProps) {
  const t = useT();
  const [pin, setPin] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const press = (digit: string) => {
    setPin((current) => (current.length < 12 ? current + digit : current));
    input.current?.focus();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pin.length >= 4 && !busy) {
      onSubmit(pin);
      setPin('');
    }
  };

  return (
    <form className="pin-pad" onSubmit={submit}>
      <label htmlFor="pin-input">{label}</label>
      <input
        id="pin-input"
        ref={input}
        className="pin-pad__display"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        maxLength={12}
        value={pin}
        onChange={(event) => setPin(event.target.value.replace(/\D/g, '').slice(0, 12))}
      />
      <div className="pin-pad__keys" role="group" aria-label={t('pin.keys')}>
        {digits.map((digit) => (
          <button type="button" key={digit} className="key" onClick={() => press(digit)} tabIndex={-1}>
            {digit}
          </button>
        ))}
        <button type="button" className="key key--secondary" onClick={() => setPin('')} tabIndex={-1}>
          {t('pin.clear')}
        </button>
        <button type="button" className="key" onClick={() => press('0')} tabIndex={-1}>
          0
        </button>
        <button type="button" className="key key--secondary" onClick={() => setPin((current) => current.slice(0, -1))} tabIndex={-1} aria-label={t('pin.deleteLast')}>
          ⌫
        </button>
      </div>
      <div className="actions">
        {onCancel && (
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t('common.back')}
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={pin.length < 4 || busy}>
          {busy ? t('common.working') : submitLabel}
        </button>
      </div>
    </form>
  );
}
