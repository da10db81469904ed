import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { SessionReport } from '../../../electron/contract/coding-session';
import { buildLabel } from '../../../electron/services/documents/label';
import { LabelPreview, qrPath } from '../../../renderer/src/components/LabelPreview';
import { createAppStore, type AppStore } from '../../../renderer/src/store/app-store';
import { StoreProvider } from '../../../renderer/src/store/context';
import type { ReleasesView as ReleasesData } from '../../../electron/contract/bench-api';
import { AdminView } from '../../../renderer/src/views/AdminView';
import { HistoryView } from '../../../renderer/src/views/HistoryView';
import { ReleasesView } from '../../../renderer/src/views/ReleasesView';
import { SessionView } from '../../../renderer/src/views/SessionView';
import { SupportView } from '../../../renderer/src/views/SupportView';
import { errorMessagesDe, logFaultWordsDe } from '../../../renderer/src/i18n/errors.de';
import { fakeBench } from './fake-bench';

const base: SessionReport = {
  sessionId: 'ses-20261122-0123456789ab',
  status: 'completed',
  verdict: 'pass',
  reason: null,
  partNumber: 'SYN-0445110-001',
  serial: 'INJ-0042',
  operatorId: null,
  bench: { model: 'Injector Bench virtual bench', benchSerial: 'VB-0001', firmware: '1.0.0-sim' },
  pack: { family: 'bosch-like-cri', version: '1.0.0', sha256: 'ab'.repeat(32), resolvedBy: 'default channel stable', synthetic: true },
  gates: [{ id: 'pack', label: 'Calibration pack', passed: true, detail: 'verified now' }],
  electrical: null,
  leak: null,
  steps: [],
  code: 'RSTTAA6',
  codeFormat: 'bosch',
  codeWrite: 'verified',
  creditsDebited: 3,
  startedAt: '2026-11-22T08:00:00.000Z',
  endedAt: '2026-11-22T08:01:00.000Z',
  logCheckpoint: null,
};

/** Server rendering reads zustand's initial state: hand it the state the test set up. */
function render(store: AppStore, element: React.ReactElement): string {
  const current: AppStore = { ...store, getInitialState: () => store.getState() };
  return renderToStaticMarkup(<StoreProvider store={current}>{element}</StoreProvider>);
}

function storeWith(report: SessionReport, locale: 'en' | 'de' = 'en'): AppStore {
  const store = createAppStore(fakeBench({}).bench, { storage: null });
  store.setState({ codingSessionId: report.sessionId, codingReport: report, codingGates: report.gates, codingPhase: 'done', locale });
  return store;
}

describe('label preview', () => {
  it('draws the QR matrix from the services as runs of dark modules inside a 4-module quiet zone', () => {
    expect(qrPath(['1110', '0101'])).toBe('M4 4h3v1h-3zM5 5h1v1h-1zM7 5h1v1h-1z');
    const label = buildLabel(base, { timeZone: 'Europe/Berlin', locale: 'en' });
    const markup = render(storeWith(base), <LabelPreview label={label} />);
    expect(markup).toContain('>RSTTAA6<');
    expect(markup).toContain(`viewBox="0 0 ${label.qr.size + 8} ${label.qr.size + 8}"`);
    expect(markup).toContain(`data-qr-text="${label.qr.text}"`);
    expect(markup).toContain(`d="${qrPath(label.qr.rows)}"`);
    // No style attributes: the app's CSP (style-src 'self') would block them.
    expect(markup).not.toContain('style=');
  });
});

describe('session view', () => {
  it('a rejected injector: says what to do, nothing charged, no label to print, shortcuts on screen', () => {
    const rejected = { ...base, verdict: 'fail' as const, code: null, creditsDebited: 0, reason: { code: 'LEAK_FAIL', message: 'Back-leak 62.2 mL/min is above the limit.' } };
    const markup = render(storeWith(rejected), <SessionView />);
    expect(markup).toContain('Rejected: injector out of tolerance');
    expect(markup).toContain('Do not refit this injector.');
    expect(markup).toContain('Credits charged: 0.');
    expect(markup).not.toContain('data-testid="print-label"');
    expect(markup).toContain('data-testid="print-report"');
    expect(markup).toMatch(/<kbd>N<\/kbd> next injector/);
    // Every gate has its row, checked or not, so nothing jumps while results arrive.
    expect(markup.match(/class="gate /g)).toHaveLength(6);
  });

  it('a rejected session says so in its progress and status line, and shows no later phase as done', () => {
    const rejected = { ...base, verdict: 'fail' as const, code: null, codeWrite: null, creditsDebited: 0, reason: { code: 'GATES', message: 'no' }, gates: [{ ...base.gates[0]!, passed: false }] };
    const markup = render(storeWith(rejected), <SessionView />);
    expect(markup).toContain('data-phase="preflight" data-state="failed"');
    for (const phase of ['electrical', 'leak', 'delivery', 'coding', 'writing']) expect(markup).toContain(`data-phase="${phase}" data-state="skipped"`);
    expect(markup).toMatch(/data-phase="done" data-state="failed"[^>]*>Rejected: injector out of tolerance/);
    expect(markup).toMatch(/data-testid="phase">Rejected: injector out of tolerance/);
    expect(markup).not.toContain('data-state="done"');
    expect(markup).not.toContain('>Finished<');
  });

  it('words a refused session in German: the reason and each blocked gate from the catalog, the specifics filled in, the codes shown', () => {
    const refused: SessionReport = {
      ...base,
      status: 'refused',
      verdict: null,
      code: null,
      codeWrite: null,
      creditsDebited: 0,
      reason: { code: 'PREFLIGHT_BLOCKED', message: 'Coding is locked: Credits: 0 available, a code costs 3.', params: { blocked: 1 } },
      gates: [
        ...base.gates,
        { id: 'credits', label: 'Credits', passed: false, code: 'INSUFFICIENT_CREDITS', params: { balance: 0, price: 3 }, detail: '0 available, a code costs 3.', action: 'Import a credit grant.' },
        { id: 'oil', label: 'Test oil', passed: false, code: 'SOMETHING_NEWER', detail: 'A newer service says why.', action: 'Do what it says.' },
      ],
    };
    const markup = render(storeWith(refused, 'de'), <SessionView />);
    expect(markup).toContain(errorMessagesDe.PREFLIGHT_BLOCKED);
    expect(markup).toContain('Details: Blockierte Prüfungen: 1 (siehe Liste).');
    expect(markup).toContain('(PREFLIGHT_BLOCKED)');
    expect(markup).toContain(`✕ Guthaben</strong> <span>${errorMessagesDe.INSUFFICIENT_CREDITS}</span>`);
    expect(markup).toContain('Details: 0 Punkte verfügbar, ein Code kostet 3.');
    expect(markup).toContain('(INSUFFICIENT_CREDITS)');
    // The service's English stays out where the catalog has words; a code it lacks keeps the service's sentence and action.
    expect(markup).not.toContain('Import a credit grant.');
    expect(markup).not.toContain('Coding is locked');
    expect(markup).toContain('A newer service says why.');
    expect(markup).toContain('Do what it says.');
  });

  it('speaks German on the technician path', () => {
    const markup = render(storeWith(base, 'de'), <SessionView />);
    expect(markup).toContain('Codier-Prüfung');
    expect(markup).toContain('In Ordnung · Korrekturcode');
    expect(markup).toContain('3 Guthabenpunkte abgebucht.');
    expect(markup).toContain('Bericht drucken');
    expect(markup).not.toContain('Print report');
  });
});

describe('history view', () => {
  it("shows a stopped session's reason code with its catalog words for hover and screen readers, in German", () => {
    const store = createAppStore(fakeBench({}).bench, { storage: null });
    const summary = { sessionId: base.sessionId, partNumber: base.partNumber, serial: 'INJ-7', verdict: null, code: null, family: null, packVersion: null, creditsDebited: 0, startedAt: base.startedAt, endedAt: base.endedAt };
    store.setState({
      locale: 'de',
      history: [
        { ...summary, status: 'refused', reasonCode: 'PREFLIGHT_BLOCKED' },
        { ...summary, sessionId: 'ses-20261122-0123456789ac', status: 'aborted', reasonCode: 'FROM_AN_OLDER_APP' },
      ],
    });
    const markup = render(store, <HistoryView onOpen={() => undefined} />);
    expect(markup).toContain(`title="${errorMessagesDe.PREFLIGHT_BLOCKED}"`);
    expect(markup).toContain(`(PREFLIGHT_BLOCKED)<span class="visually-hidden"> ${errorMessagesDe.PREFLIGHT_BLOCKED}</span>`);
    // A code the catalog does not know stays visible, without invented words.
    expect(markup).toMatch(/data-code="FROM_AN_OLDER_APP"> \(FROM_AN_OLDER_APP\)<\/span>/);
  });
});

describe('admin and support views', () => {
  it('show enrolment, backlog, balance and each ledger movement with the balance after it', () => {
    const store = createAppStore(fakeBench({}).bench, { storage: null });
    store.setState({
      enrolment: {
        benchId: 'bench-0123456789abcdef',
        publicKey: 'key',
        serverUrl: null,
        enrolledAt: null,
        backlog: { headSeq: 12, ackedEntrySeq: 0, unsentEntries: 12, unsentCheckpoints: 2, lastSuccessAt: null, lastError: null, blocked: false },
      },
      credits: {
        benchId: 'bench-0123456789abcdef',
        balance: 57,
        grants: [{ grantId: 'demo-1', credits: 60, issuedAt: '2026-11-22T08:00:00Z', expires: '2027-11-22T08:00:00Z', importedAt: '2026-11-22T08:00:00Z' }],
        entries: [
          { id: 2, at: '2026-11-22T08:05:00Z', kind: 'spend', amount: 3, grantId: null, sessionId: 'ses-20261122-0123456789ab', balanceAfter: 57 },
          { id: 1, at: '2026-11-22T08:00:00Z', kind: 'grant', amount: 60, grantId: 'demo-1', sessionId: null, balanceAfter: 60 },
        ],
      },
    });
    const markup = render(store, <AdminView />);
    expect(markup).toContain('bench-0123456789abcdef');
    expect(markup).toContain('not enrolled (the bench works offline)');
    expect(markup).toContain('12 log entries, 2 checkpoints');
    expect(markup).toContain('data-testid="enrol"');
    expect(markup).toContain('Balance: 57 credits');
    expect(markup).toMatch(/code issued<\/td><td>−3<\/td><td class="code-cell">ses-20261122-0123456789ab<\/td><td>57</);
    expect(markup).toMatch(/grant booked<\/td><td>\+60<\/td><td class="code-cell">demo-1<\/td><td>60</);
  });

  it('support: export shows progress while the bundle is sealed, and the log verdict', () => {
    const store = createAppStore(fakeBench({}).bench, { storage: null });
    store.setState({ exportingBundle: true, logVerdict: { ok: false, code: 'ENTRY_ALTERED', seq: 7, reason: 'entry 7 (session.completed) was changed after it was written' }, locale: 'de' });
    const markup = render(store, <SupportView onShowEvidence={() => undefined} />);
    expect(markup).toContain('Paket wird versiegelt und signiert…');
    expect(markup).toContain('aria-busy="true"');
    expect(markup).toContain(`Manipulation bei Eintrag 7: ${logFaultWordsDe.ENTRY_ALTERED} (ENTRY_ALTERED).`);
    expect(markup).not.toContain('was changed after it was written');
  });

  it('support: a log fault code this screen does not know keeps the verifier\'s sentence, with its code', () => {
    const store = createAppStore(fakeBench({}).bench, { storage: null });
    store.setState({ logVerdict: { ok: false, code: 'FUTURE_FAULT', seq: 3, reason: 'entry 3 is odd' }, locale: 'de' });
    expect(render(store, <SupportView onShowEvidence={() => undefined} />)).toContain('Manipulation bei Eintrag 3: entry 3 is odd (FUTURE_FAULT).');
  });
});

describe('releases view', () => {
  const releases: ReleasesData = {
    families: [
      {
        family: 'bosch-like-cri',
        channel: null,
        decidedBy: 'local pin to 1.1.0 until 2026-11-25T07:04:21.941Z',
        decision: { kind: 'localPin' },
        pin: { kind: 'version', channel: null, version: '1.1.0', actor: 'Ana Admin', reason: 'try it', ticket: 'OPS-41', startsAt: '2026-11-22T07:04:21.941Z', endsAt: '2026-11-25T07:04:21.941Z', expired: false },
        active: { version: '1.1.0', sha256: 'cd'.repeat(32), releaseCounter: 2 },
        lastKnownGood: { version: '1.0.0', sha256: 'ab'.repeat(32), releaseCounter: 1 },
        securityFloor: 0,
        indexExpires: '2027-02-20T07:03:46Z',
        freshness: 'expiring',
        available: [
          { version: '1.1.0', releaseCounter: 2, sha256: 'cd'.repeat(32), channels: ['canary'], revoked: false, belowFloor: false, publishedAt: null, notes: null },
          { version: '0.9.0', releaseCounter: 0, sha256: 'ef'.repeat(32), channels: [], revoked: true, belowFloor: false, publishedAt: null, notes: null },
        ],
      },
    ],
    source: { kind: 'directory', location: '/media/usb/release' },
    lastRefreshAt: null,
    lastSuccessAt: null,
    lastRefresh: null,
    refreshPendingSince: null,
    maxPinDays: 90,
  };
  const family = releases.families[0];

  function releasesStore(locale: 'en' | 'de'): AppStore {
    const store = createAppStore(fakeBench({}).bench, { storage: null });
    store.setState({
      locale,
      releases,
      session: { operator: { id: 'op-0123456789abcdef', name: 'Ana Admin', role: 'admin' }, setupRequired: false, idleTimeoutSeconds: 600 },
      releasesNotice: family ? { kind: 'pinned', family } : null,
      // A bench in Berlin: times show there, in the language on screen.
      settings: { benchPort: null, serverUrl: null, language: locale, releaseChannel: 'stable', workshopName: '', workshopAddress: '', timeZone: 'Europe/Berlin', labelPrinter: { kind: 'download' }, documentPrinter: { kind: 'download' } },
    });
    return store;
  }

  it('speaks English by default: facts, actions and the notice of the last change', () => {
    const markup = render(releasesStore('en'), <ReleasesView />);
    expect(markup).toContain('Refresh packs');
    expect(markup).toContain('Source: directory /media/usb/release · last refresh never');
    expect(markup).toContain('Expiring soon: refresh');
    expect(markup).toContain('1.1.0 (release 2)');
    expect(markup).toMatch(/data-testid="release-bosch-like-cri-decided">local pin: 1\.1\.0 until Nov 25, 2026, 08:04 AM (GMT\+1|CET)</);
    expect(markup).toContain('Pinned by Ana Admin (OPS-41): try it');
    expect(markup).toContain('Hold 1.1.0<span class="visually-hidden"> of bosch-like-cri</span>');
    expect(markup).toContain('Revoked');
    expect(markup).toContain('Roll back to 1.0.0');
    expect(markup.replace(/\s/g, ' ')).toMatch(/Pinned\. bosch-like-cri is now on 1\.1\.0 \(pinned until Nov 25, 2026, 08:04 AM (GMT\+1|CET)\)\./);
  });

  it('speaks German with the same data, the decision too, its pin end in the bench zone', () => {
    const markup = render(releasesStore('de'), <ReleasesView />);
    expect(markup).toContain('<h1 id="releases-title">Freigaben</h1>');
    expect(markup).toContain('Pakete aktualisieren');
    expect(markup).toContain('Quelle: directory /media/usb/release · letzte Aktualisierung nie');
    expect(markup).toContain('Läuft bald ab: aktualisieren');
    expect(markup).toContain('1.1.0 (Freigabe 2)');
    expect(markup).toContain('Festgelegt von Ana Admin (OPS-41): try it');
    expect(markup).toContain('1.1.0 halten<span class="visually-hidden"> von bosch-like-cri</span>');
    expect(markup).toContain('Zurückgezogen');
    expect(markup).toContain('Zurück auf 1.0.0');
    expect(markup).toContain('Festgelegt. bosch-like-cri läuft jetzt mit 1.1.0 (festgelegt bis 25. Nov. 2026, 08:04 MEZ).');
    expect(markup).toMatch(/data-testid="release-bosch-like-cri-decided">lokale Festlegung: 1\.1\.0 bis 25\. Nov\. 2026, 08:04 MEZ/);
    expect(markup).not.toContain('2026-11-25T07:04');
    for (const english of ['Refresh packs', 'Active pack', 'Decided by', 'Last-known-good', 'Pin to channel', 'Roll back to', 'Pinned by']) expect(markup).not.toContain(english);
  });
});
