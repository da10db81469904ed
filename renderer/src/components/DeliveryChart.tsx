import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { StepReport } from '../../../electron/contract/coding-session';

/** Step index, upper and lower band (± tolerance in % of nominal), measured deviation in %. */
function chartData(steps: readonly StepReport[]): uPlot.AlignedData {
  const x = steps.map((_, index) => index);
  const band = steps.map((step) => (step.nominalMm3 === 0 ? 0 : (step.toleranceMm3 / step.nominalMm3) * 100));
  return [x, band, band.map((value) => -value), steps.map((step) => step.deviationPct)];
}

/**
 * Measured delivery against the tolerance band, every step on one scale: deviation from nominal in
 * percent, the band drawn as the step's ± tolerance. Drawn with uPlot on a canvas (no inline script
 * or style attributes, so the strict CSP holds).
 */
export function DeliveryChart({ steps, label, series }: { steps: readonly StepReport[]; label: string; series: { upper: string; lower: string; measured: string } }) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const stepIds = useRef<string[]>([]);
  // Series names are read once when the chart is built; a language change rebuilds it (key on the locale).
  const names = useRef(series);
  stepIds.current = steps.map((step) => step.id);
  const data = useRef<uPlot.AlignedData>([[], [], [], []]);
  data.current = chartData(steps);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let chart: uPlot | null = null;
    // Built in a task of its own after the session view has painted, so starting a session is no long task.
    const timer = setTimeout(() => {
      chart = new uPlot(
        {
          width: Math.max(320, element.clientWidth),
          height: 240,
          scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.min(-12, min - 1), Math.max(12, max + 1)] } },
          axes: [
            { stroke: '#a9b6c4', grid: { show: false }, values: (_u, ticks) => ticks.map((tick) => stepIds.current[tick] ?? ''), incrs: [1] },
            { stroke: '#a9b6c4', grid: { stroke: '#2a3746' }, values: (_u, ticks) => ticks.map((tick) => `${tick}%`) },
          ],
          series: [
            {},
            { label: names.current.upper, stroke: '#e0b44a', dash: [6, 4], points: { show: false } },
            { label: names.current.lower, stroke: '#e0b44a', dash: [6, 4], points: { show: false } },
            { label: names.current.measured, stroke: '#3fbf7f', width: 0, points: { show: true, size: 12, fill: '#3fbf7f' } },
          ],
          legend: { show: true },
        },
        data.current,
        element,
      );
      plot.current = chart;
      // What the chart has drawn, for the UI benchmark: points, not props.
      element.setAttribute('data-points', String(data.current[0].length));
    }, 0);
    return () => {
      clearTimeout(timer);
      chart?.destroy();
      plot.current = null;
    };
    // Built once: data updates go through setData below; axis labels read the latest steps via the ref.
  }, []);

  useEffect(() => {
    if (!plot.current) return;
    plot.current.setData(chartData(steps));
    container.current?.setAttribute('data-points', String(steps.length));
  }, [steps]);

  return <div className="delivery-chart" ref={container} data-testid="delivery-chart" aria-label={label} role="img" />;
}
