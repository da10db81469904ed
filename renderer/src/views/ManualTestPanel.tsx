import { useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { ErrorNotice } from '../components/ErrorNotice';
import { useT } from '../i18n/use-t';
import { useAppStore } from '../store/context';

/**
 * Manual test mode: one measurement at settings the technician chooses, within what the part's pack tests
 * it at (the services refuse anything beyond). No code and no charge; the integrity log records the run.
 */
export function ManualTestPanel() {
  const t = useT();
  const { manual, run, knownParts } = useAppStore(useShallow((state) => ({ manual: state.manualTest, run: state.runManualTest, knownParts: state.knownParts })));
  const [form, setForm] = useState({ partNumber: '', serial: '', railBar: '800', energizingUs: '500', frequencyHz: '10' });
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [name]: name === 'partNumber' || name === 'serial' ? event.target.value.toUpperCase() : event.target.value }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run({
      partNumber: form.partNumber.trim(),
      serial: form.serial.trim(),
      railBar: Number(form.railBar),
      energizingUs: Math.round(Number(form.energizingUs)),
      frequencyHz: Number(form.frequencyHz),
      strokes: 200,
    });
  };
  const result = manual.result;
  return (
    <section className="manual-test" aria-labelledby="manual-title">
      <h2 id="manual-title">{t('manual.title')}</h2>
      <p className="hint">{t('manual.hint')}</p>
      <form className="form form--grid" onSubmit={submit} data-testid="manual-test-form">
        <label htmlFor="manual-part">{t('session.part')}</label>
        <input id="manual-part" list="manual-known-parts" autoComplete="off" required {...field('partNumber')} />
        <datalist id="manual-known-parts">
          {knownParts.map((known) => (
            <option key={known.partNumber} value={known.partNumber} label={`${known.family} ${known.version}`} />
          ))}
        </datalist>
        <label htmlFor="manual-serial">{t('session.serial')}</label>
        <input id="manual-serial" autoComplete="off" required {...field('serial')} />
        <label htmlFor="manual-rail">{t('manual.rail')}</label>
        <input id="manual-rail" type="number" min={0} max={2500} step={10} required {...field('railBar')} />
        <label htmlFor="manual-et">{t('manual.energizing')}</label>
        <input id="manual-et" type="number" min={0} max={5000} step={10} required {...field('energizingUs')} />
        <label htmlFor="manual-frequency">{t('manual.frequency')}</label>
        <input id="manual-frequency" type="number" min={1} max={100} step={1} required {...field('frequencyHz')} />
        <button type="submit" className="button button--secondary" disabled={manual.running} aria-busy={manual.running} data-testid="run-manual-test">
          {manual.running ? t('manual.running') : t('manual.run')}
        </button>
      </form>
      <ErrorNotice error={manual.error} testId="manual-test-error" />
      {result && (
        <dl className="facts facts--wide" data-testid="manual-test-result">
          <div className="facts__row">
            <dt>{t('live.delivery')}</dt>
            <dd data-testid="manual-delivery">{result.deliveryMm3PerStroke.toFixed(2)} mm³</dd>
          </div>
          <div className="facts__row">
            <dt>{t('live.backLeak')}</dt>
            <dd data-testid="manual-back-leak">{result.backLeakMlPerMin.toFixed(1)} mL/min</dd>
          </div>
          <div className="facts__row">
            <dt>{t('live.oil')}</dt>
            <dd>{result.oilTempC === null ? '—' : `${result.oilTempC.toFixed(1)} °C`}</dd>
          </div>
          <div className="facts__row">
            <dt>{t('manual.settings')}</dt>
            <dd>
              {result.railBar} bar · {result.energizingUs} µs · {result.frequencyHz} Hz · {result.strokes} {t('live.strokes').toLowerCase()}
            </dd>
          </div>
          <div className="facts__row">
            <dt>{t('manual.limits')}</dt>
            <dd>
              {result.family} {result.packVersion}: ≤ {result.limits.maxRailBar} bar · ≤ {result.limits.maxEnergizingUs} µs · ≤ {result.limits.maxFrequencyHz} Hz
            </dd>
          </div>
        </dl>
      )}
    </section>
  );
}
