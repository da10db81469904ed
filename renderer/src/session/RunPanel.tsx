import { useLayoutEffect, useRef } from 'react';
import type { RunPlanStep, StepReport } from '../../../electron/contract/coding-session';
import type { Translate } from '../i18n/i18n';
import { useT } from '../i18n/use-t';
import type { LiveReading } from '../store/coding-slice';

export interface RunPlan {
  steps: RunPlanStep[];
  oil: { minC: number; maxC: number };
}

const dash = '—';

/**
 * Live readouts in fixed-width fields, so 20 updates a second never move the layout. Each batch drawn is
 * counted on the element (data-drawn), which the UI benchmark compares with what the services sent.
 */
export function LiveReadouts({ live, seq, plan }: { live: LiveReading | null; seq: number; plan: RunPlan | null }) {
  const t = useT();
  const element = useRef<HTMLDListElement>(null);
  const drawn = useRef({ count: 0, last: 0 });
  useLayoutEffect(() => {
    if (seq === 0 || seq === drawn.current.last) return;
    drawn.current = { count: drawn.current.count + 1, last: seq };
    element.current?.setAttribute('data-drawn', String(drawn.current.count));
    element.current?.setAttribute('data-seq', String(seq));
  }, [seq]);
  const oil = live?.oilTempC;
  const oilInside = oil !== undefined && plan !== null && oil >= plan.oil.minC && oil <= plan.oil.maxC;
  return (
    <dl className="live-values" ref={element} data-testid="live-values" aria-live="off">
      <div>
        <dt>{t('live.step')}</dt>
        <dd>{live ? (live.stepId ?? (live.phase === 'conditioning' ? t('live.conditioning') : live.phase === 'leak' ? t('live.leak') : dash)) : dash}</dd>
      </div>
      <div>
        <dt>{t('live.rail')}</dt>
        <dd>{live ? `${Math.round(live.railBar)} bar` : dash}</dd>
      </div>
      <div>
        <dt>{t('live.delivery')}</dt>
        <dd data-testid="live-delivery">{live?.deliveryMm3PerStroke !== undefined ? `${live.deliveryMm3PerStroke.toFixed(2)} mm³` : dash}</dd>
      </div>
      <div>
        <dt>{t('live.backLeak')}</dt>
        <dd data-testid="live-back-leak">{live?.backLeakMlPerMin !== undefined ? `${live.backLeakMlPerMin.toFixed(1)} mL/min` : dash}</dd>
      </div>
      <div className={oil === undefined || plan === null ? undefined : oilInside ? 'live-values--ok' : 'live-values--warn'}>
        <dt>{plan ? t('live.oilWindow', { min: plan.oil.minC, max: plan.oil.maxC }) : t('live.oil')}</dt>
        <dd data-testid="live-oil">{oil !== undefined ? `${oil.toFixed(1)} °C` : dash}</dd>
      </div>
      <div>
        <dt>{t('live.strokes')}</dt>
        <dd>{live ? live.strokesDone : dash}</dd>
      </div>
    </dl>
  );
}

/**
 * One fixed scale per test point, from the plan alone (codable window, or three tolerance bands when the
 * code does not correct the point), so nothing rescales while values arrive.
 */
export function pointScale(step: RunPlanStep): { min: number; max: number } {
  const low = Math.min(step.codable?.minMm3 ?? Infinity, step.nominalMm3 - 3 * step.toleranceMm3);
  const high = Math.max(step.codable?.maxMm3 ?? -Infinity, step.nominalMm3 + 3 * step.toleranceMm3);
  const margin = (high - low) * 0.08 || 1;
  return { min: Math.max(0, low - margin), max: high + margin };
}

const WIDTH = 1000;

function Bar({ step, measured, live, strokes }: { step: RunPlanStep; measured: StepReport | null; live: number | null; strokes: number | null }) {
  const scale = pointScale(step);
  const x = (value: number) => Math.min(WIDTH, Math.max(0, ((value - scale.min) / (scale.max - scale.min)) * WIDTH));
  const value = measured?.measuredMm3 ?? live;
  const tolerance = { from: x(step.nominalMm3 - step.toleranceMm3), to: x(step.nominalMm3 + step.toleranceMm3) };
  return (
    <svg className="point-bar__svg" viewBox={`0 0 ${WIDTH} 36`} preserveAspectRatio="none" aria-hidden="true">
      <rect className="point-bar__track" x={0} y={8} width={WIDTH} height={20} />
      {step.codable && <rect className="point-bar__codable" x={x(step.codable.minMm3)} y={8} width={Math.max(1, x(step.codable.maxMm3) - x(step.codable.minMm3))} height={20} />}
      <rect className="point-bar__tolerance" x={tolerance.from} y={8} width={Math.max(1, tolerance.to - tolerance.from)} height={20} />
      <rect className="point-bar__nominal" x={x(step.nominalMm3) - 1.5} y={4} width={3} height={28} />
      {strokes !== null && <rect className="point-bar__fill" x={0} y={30} width={WIDTH * strokes} height={4} />}
      {value !== null && <rect className={`point-bar__marker${measured ? '' : ' point-bar__marker--live'}`} x={x(value) - 4} y={0} width={8} height={36} />}
    </svg>
  );
}

function verdictText(t: Translate, step: StepReport | null, measuring: boolean): string {
  if (step) return step.verdict === 'in_tolerance' ? t('step.inTolerance') : step.verdict === 'corrected' ? t('step.corrected') : t('step.notCodable');
  return measuring ? t('point.measuring') : t('point.waiting');
}

/**
 * Per test point: its tolerance band inside the window a code can correct, the nominal delivery, and the
 * measured value, live while the step runs (the running average) and final once it is measured.
 */
export function TestPointBars({ plan, steps, live }: { plan: RunPlan; steps: readonly StepReport[]; live: LiveReading | null }) {
  const t = useT();
  const measuredById = new Map(steps.map((step) => [step.id, step]));
  return (
    <section className="points" aria-label={t('chart.label')} data-testid="test-points" data-points={steps.length}>
      <p className="points__legend hint">
        <span className="legend legend--tolerance">{t('point.legendTolerance')}</span> <span className="legend legend--codable">{t('point.legendCodable')}</span>{' '}
        <span className="legend legend--nominal">{t('point.legendNominal')}</span> <span className="legend legend--measured">{t('point.legendMeasured')}</span> · {t('point.axis')}
      </p>
      <ol className="points__list">
        {plan.steps.map((step) => {
          const measured = measuredById.get(step.id) ?? null;
          const measuring = !measured && live?.stepId === step.id;
          const liveValue = measuring && live?.deliveryMm3PerStroke !== undefined ? live.deliveryMm3PerStroke : null;
          const strokes = measured ? 1 : measuring && step.strokes > 0 ? Math.min(1, (live?.strokesDone ?? 0) / step.strokes) : null;
          const scale = pointScale(step);
          const state = measured ? measured.verdict : measuring ? 'measuring' : 'waiting';
          return (
            <li key={step.id} className={`point point--${state}`} data-point={step.id} data-state={state}>
              <div className="point__name">
                <strong>{step.id}</strong> {step.label}
                <span className="hint">
                  {' '}
                  {step.railBar} bar · {step.energizingUs} µs
                </span>
              </div>
              <div className="point__bar">
                <Bar step={step} measured={measured} live={liveValue} strokes={strokes} />
                <div className="point__axis hint" aria-hidden="true">
                  <span>{scale.min.toFixed(1)}</span>
                  <span>
                    {step.nominalMm3.toFixed(2)} ± {step.toleranceMm3.toFixed(2)}
                  </span>
                  <span>{scale.max.toFixed(1)} mm³</span>
                </div>
              </div>
              <div className="point__value" data-testid={`point-value-${step.id}`}>
                <span className="point__number">{measured ? `${measured.measuredMm3.toFixed(2)} mm³` : liveValue !== null ? `${liveValue.toFixed(2)} mm³` : dash}</span>
                <span className="point__verdict">{verdictText(t, measured, measuring)}</span>
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
