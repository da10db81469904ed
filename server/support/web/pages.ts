/** The support web view's pages: plain server-rendered HTML through the escaping `html` template. */
import type { SessionSummary, SessionTrace, TraceIntegrity } from '../../store/session-index-repository';
import { sessionOutcomes } from '../../store/fleet-schema';
import { deliveryChart, type ChartStep } from './chart';
import { html, type SafeHtml } from './html';

export const WEB_PREFIX = '/support';
export const sessionPagePath = (benchId: string, sessionId: string): string => `${WEB_PREFIX}/sessions/${encodeURIComponent(benchId)}/${encodeURIComponent(sessionId)}`;

export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f3448"/><path d="M4 12V4h2v8zm4 0V4h4v2h-2v1h2v2h-2v3z" fill="#fff"/></svg>';

export const SUPPORT_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d232b; background: #f6f7f9; }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; background: #1f3448; color: #fff; }
header a { color: #fff; }
header form { margin-left: auto; }
main { padding: 1rem 1.2rem; max-width: 1200px; }
h1 { font-size: 1.35rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid #d5d9df; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef1f4; }
td.payload { font-family: ui-monospace, monospace; font-size: 12px; word-break: break-all; max-width: 520px; }
form.filters { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; margin-bottom: 1rem; }
form.filters label, form.signin label { display: flex; flex-direction: column; font-size: 12px; gap: .2rem; }
input, select, button { font: inherit; padding: .3rem .45rem; }
.status { padding: .5rem .8rem; border-radius: 4px; display: inline-block; }
.status.sealed { background: #d9f2df; color: #14532d; }
.status.unsealed { background: #fff4cc; color: #5c4400; }
.status.broken, .error { background: #fde2e1; color: #7f1d1d; padding: .5rem .8rem; }
.outcome-passed { color: #14532d; } .outcome-failed, .outcome-aborted { color: #9b1c1c; }
.muted { color: #5f6b7a; }
.who { margin-right: .6rem; font-size: 13px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
.chart { background: #fff; border: 1px solid #d5d9df; }
form.signin { display: flex; flex-direction: column; gap: .8rem; max-width: 22rem; }
`;

/** Who is signed in, for the header: their CSRF token for the sign-out form and a name to show. */
export interface Viewer {
  csrfToken: string;
  label: string;
}

function layout(title: string, body: SafeHtml, viewer: Viewer | null): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Injector Bench support</title>
<link rel="stylesheet" href="${WEB_PREFIX}/static/support.css">
<link rel="icon" href="${WEB_PREFIX}/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<header><strong>Injector Bench · support</strong>${
    viewer
      ? html`<a href="${WEB_PREFIX}/sessions">Sessions</a><form method="post" action="${WEB_PREFIX}/sign-out"><span class="who">Signed in as ${viewer.label}</span> <input type="hidden" name="csrf" value="${viewer.csrfToken}"><button type="submit">Sign out</button></form>`
      : null
  }</header>
<main>
${body}
</main>
</body>
</html>`;
}

export function signInPage(error: string | null): SafeHtml {
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
<p>The support view is read-only. Sign in with your support user name and password, or leave the name empty and give the server's support token.</p>
${error ? html`<p class="error" role="alert">${error}</p>` : null}
<form class="signin" method="post" action="${WEB_PREFIX}/sign-in">
<label>Name <input type="text" name="name" autocomplete="username" maxlength="64"></label>
<label>Password or support token <input type="password" name="token" autocomplete="current-password" required maxlength="512"></label>
<button type="submit">Sign in</button>
</form>`,
    null,
  );
}

export function errorPage(status: number, message: string, viewer: Viewer | null): SafeHtml {
  return layout(`Error ${status}`, html`<h1>Error ${status}</h1><p class="error" role="alert">${message}</p><p><a href="${WEB_PREFIX}/sessions">Back to the sessions</a></p>`, viewer);
}

export interface ListFilters {
  bench?: string;
  serial?: string;
  from?: string;
  to?: string;
  outcome?: string;
  family?: string;
}

const cell = (value: string | null | undefined): SafeHtml => (value ? html`${value}` : html`<span class="muted">—</span>`);

function exportQuery(filters: ListFilters, format: 'json' | 'csv'): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  params.set('format', format);
  return `${WEB_PREFIX}/export?${params.toString()}`;
}

export function sessionsPage(sessions: readonly SessionSummary[], filters: ListFilters, limit: number, viewer: Viewer): SafeHtml {
  const field = (name: keyof ListFilters, label: string, type = 'text') => html`<label>${label} <input type="${type}" name="${name}" value="${filters[name] ?? ''}"></label>`;
  const rows = sessions.map(
    (s) => html`<tr>
<td>${cell(s.startedAt)}</td>
<td><a href="${sessionPagePath(s.benchId, s.sessionId)}">${s.sessionId}</a></td>
<td>${s.benchId}</td>
<td>${cell(s.serial)}</td>
<td>${cell(s.partNumber)}</td>
<td>${s.family ? `${s.family} ${s.packVersion ?? ''}` : cell(null)}</td>
<td class="outcome-${s.outcome}">${s.outcome}</td>
<td>${cell(s.errorClass)}</td>
</tr>`,
  );
  return layout(
    'Sessions',
    html`<h1>Sessions</h1>
<form class="filters" method="get" action="${WEB_PREFIX}/sessions">
${field('bench', 'Bench id')}${field('serial', 'Injector serial')}${field('family', 'Family')}
${field('from', 'From (date or ISO time)')}${field('to', 'To (date or ISO time)')}
<label>Outcome <select name="outcome"><option value="">any</option>${sessionOutcomes.map((o) => html`<option value="${o}"${filters.outcome === o ? html` selected` : null}>${o}</option>`)}</select></label>
<button type="submit">Filter</button>
</form>
<p>${sessions.length} session(s)${sessions.length === limit ? ` (the newest ${limit}; narrow the filters to see older ones)` : ''}. Export these with their traces: <a href="${exportQuery(filters, 'json')}">JSON</a> · <a href="${exportQuery(filters, 'csv')}">CSV</a></p>
<table>
<thead><tr><th>Started</th><th>Session</th><th>Bench</th><th>Serial</th><th>Part</th><th>Pack</th><th>Outcome</th><th>Error class</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="8" class="muted">No session matches.</td></tr>`}</tbody>
</table>`,
    viewer,
  );
}

function integrityBox(integrity: TraceIntegrity, benchId: string): SafeHtml {
  switch (integrity.status) {
    case 'sealed':
      return html`<p class="status sealed">Integrity: intact and sealed — the entries chain to checkpoint ${integrity.checkpointSeq}, signed by ${benchId}'s enrolled key at ${integrity.signedAt}.</p>`;
    case 'unsealed':
      return html`<p class="status unsealed">Integrity: the entries chain correctly through ${integrity.checkedThrough}, but no signed checkpoint covers them yet.</p>`;
    case 'broken':
      return html`<p class="status broken">Integrity: BROKEN (${integrity.code}) at entry ${integrity.seq}: ${integrity.reason}.</p>`;
  }
}

function stepsOf(trace: SessionTrace): ChartStep[] {
  const steps: ChartStep[] = [];
  for (const entry of trace.entries) {
    if (entry.type !== 'session.step' || !entry.sessionEntry) continue;
    try {
      const p = JSON.parse(entry.payloadJson) as Record<string, unknown>;
      const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
      steps.push({ id: String(p.id ?? ''), label: String(p.label ?? p.id ?? ''), nominalMm3: num(p.nominalMm3), measuredMm3: num(p.measuredMm3), toleranceMm3: num(p.toleranceMm3), verdict: String(p.verdict ?? '') });
    } catch {
      // An unreadable payload shows in the entries table; the integrity status names it.
    }
  }
  return steps;
}

export function sessionPage(trace: SessionTrace, viewer: Viewer): SafeHtml {
  const s = trace.session;
  const steps = stepsOf(trace);
  const exportBase = `${sessionPagePath(s.benchId, s.sessionId)}/export`;
  return layout(
    `Session ${s.sessionId}`,
    html`<h1>Session ${s.sessionId}</h1>
${integrityBox(trace.integrity, s.benchId)}
<dl>
<dt>Bench</dt><dd>${s.benchId} (${trace.benchStatus})</dd>
<dt>Injector</dt><dd>${cell(s.serial)} · part ${cell(s.partNumber)}</dd>
<dt>Pack</dt><dd>${s.family ? `${s.family} ${s.packVersion ?? ''}` : cell(null)}${s.packSha256 ? html` <span class="muted">${s.packSha256}</span>` : null}</dd>
<dt>Started / ended</dt><dd>${cell(s.startedAt)} → ${cell(s.endedAt)}</dd>
<dt>Outcome</dt><dd class="outcome-${s.outcome}">${s.outcome}${s.errorClass ? ` (${s.errorClass})` : ''}</dd>
<dt>Log entries</dt><dd>${s.firstSeq}–${s.lastSeq}</dd>
</dl>
<p>Export: <a href="${exportBase}.json">JSON</a> · <a href="${exportBase}.csv">CSV</a></p>
<h2>Delivery</h2>
${deliveryChart(steps)}
<h2>Steps</h2>
<table>
<thead><tr><th>Step</th><th>Nominal mm³</th><th>Measured mm³</th><th>Tolerance ± mm³</th><th>Verdict</th></tr></thead>
<tbody>${steps.length ? steps.map((step) => html`<tr><td>${step.label}</td><td>${step.nominalMm3}</td><td>${step.measuredMm3}</td><td>${Math.round(step.toleranceMm3 * 100) / 100}</td><td>${step.verdict}</td></tr>`) : html`<tr><td colspan="5" class="muted">No delivery step.</td></tr>`}</tbody>
</table>
<h2>Trace</h2>
<table>
<thead><tr><th>Seq</th><th>Recorded</th><th>Type</th><th>Payload</th></tr></thead>
<tbody>${trace.entries.map((e) => html`<tr${e.sessionEntry ? null : html` class="muted"`}><td>${e.seq}</td><td>${e.recordedAt}</td><td>${e.type}</td><td class="payload">${e.payloadJson}</td></tr>`)}</tbody>
</table>`,
    viewer,
  );
}
