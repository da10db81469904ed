/**
 * The delivery chart of one session as server-rendered SVG (no script, no inline style: the page's strict
 * CSP holds): per step, the tolerance band around nominal and the measured delivery, as a deviation in %
 * of nominal so that a 2 mm³ pilot and a 60 mm³ full-load step read on one axis.
 */
import { html, joinHtml, type SafeHtml } from './html';

export interface ChartStep {
  id: string;
  label: string;
  nominalMm3: number;
  measuredMm3: number;
  toleranceMm3: number;
  verdict: string;
}

const WIDTH = 640;
const HEIGHT = 260;
const PAD = { left: 48, right: 16, top: 16, bottom: 48 };

const round = (value: number): number => Math.round(value * 10) / 10;

export function deliveryChart(steps: readonly ChartStep[]): SafeHtml {
  if (steps.length === 0) return html`<p class="muted">No delivery step was recorded for this session.</p>`;
  const points = steps.map((step) => {
    const nominal = step.nominalMm3 === 0 ? 1 : step.nominalMm3;
    return { step, deviation: ((step.measuredMm3 - step.nominalMm3) / nominal) * 100, band: (step.toleranceMm3 / nominal) * 100 };
  });
  const extent = Math.max(5, ...points.map((p) => Math.abs(p.deviation)), ...points.map((p) => p.band)) * 1.2;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const y = (pct: number): number => round(PAD.top + plotH / 2 - (pct / extent) * (plotH / 2));
  const slot = plotW / points.length;
  const x = (index: number): number => round(PAD.left + slot * index + slot / 2);
  const bandWidth = round(Math.min(48, slot * 0.6));
  const ticks = [-extent, -extent / 2, 0, extent / 2, extent].map(
    (pct) => html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(pct)}" y2="${y(pct)}" stroke="#d0d4da" stroke-width="1"></line><text x="${PAD.left - 6}" y="${y(pct) + 4}" text-anchor="end" font-size="11" fill="#444">${pct.toFixed(1)} %</text>`,
  );
  const marks = points.map(({ step, deviation, band }, index) => {
    const inside = Math.abs(deviation) <= band;
    return html`<g>
<title>${step.label}: measured ${step.measuredMm3} mm³, nominal ${step.nominalMm3} ± ${round(step.toleranceMm3)} mm³ (${step.verdict})</title>
<rect x="${round(x(index) - bandWidth / 2)}" y="${y(band)}" width="${bandWidth}" height="${round(y(-band) - y(band))}" fill="#cfe8d5" stroke="#6aa67a" stroke-width="1"></rect>
<line x1="${round(x(index) - bandWidth / 2)}" x2="${round(x(index) + bandWidth / 2)}" y1="${y(0)}" y2="${y(0)}" stroke="#2f6b3f" stroke-width="1.5"></line>
<circle cx="${x(index)}" cy="${y(deviation)}" r="5" fill="${inside ? '#1f5fbf' : '#c0392b'}"></circle>
<text x="${x(index)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle" font-size="11" fill="#222">${step.id}</text>
<text x="${x(index)}" y="${HEIGHT - PAD.bottom + 30}" text-anchor="middle" font-size="10" fill="#555">${round(deviation)} %</text>
</g>`;
  });
  return html`<svg class="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">Measured delivery against the tolerance band, per step (deviation from nominal in %)</title>
${joinHtml(ticks)}
${joinHtml(marks)}
</svg>`;
}
