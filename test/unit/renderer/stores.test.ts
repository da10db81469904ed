import { describe, expect, it } from 'vitest';
import type { DocumentFile, EnrolmentView } from '../../../electron/contract/documents';
import { createAppStore } from '../../../renderer/src/store/app-store';
import { fakeBench, memoryStorage } from './fake-bench';

const sessionId = 'ses-20261122-0123456789ab';
const pdf: DocumentFile = { fileName: 'label_A_B_2026-11-22.pdf', mediaType: 'application/pdf', base64: 'JVBERi0=', bytes: 5 };
const enrolment = (serverUrl: string | null): EnrolmentView => ({
  benchId: 'bench-0123456789abcdef',
  publicKey: 'key',
  serverUrl,
  enrolledAt: serverUrl ? '2026-11-22T08:00:00Z' : null,
  backlog: { headSeq: 4, ackedEntrySeq: 0, unsentEntries: 4, unsentCheckpoints: 1, lastSuccessAt: null, lastError: null, blocked: false },
});

describe('documents slice', () => {
  it('hands the printed file to the save adapter once, and shows progress while the services make it', async () => {
    let release: () => void = () => undefined;
    const { bench, calls } = fakeBench({ exportSessionDocument: () => ({ ok: true, value: pdf }) });
    const gated = { ...bench, exportSessionDocument: (input: never) => new Promise((resolve) => (release = () => resolve(bench.exportSessionDocument(input)))) } as typeof bench;
    const saved: DocumentFile[] = [];
    const store = createAppStore(gated, { saveFile: (file) => saved.push(file), storage: null });
    const first = store.getState().printDocument(sessionId, 'label');
    expect(store.getState().printing).toBe('label');
    // A second press while the first PDF is being made starts nothing.
    expect(await store.getState().printDocument(sessionId, 'report')).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(saved).toEqual([pdf]);
    expect(store.getState()).toMatchObject({ printing: null, printed: { kind: 'label', fileName: pdf.fileName, bytes: 5 }, documentError: null });
    expect(calls).toEqual([{ method: 'exportSessionDocument', input: { sessionId, kind: 'label' } }]);
  });

  it('keeps the services\' error (what happened, what to do) and saves nothing', async () => {
    const error = { code: 'CONFLICT' as const, message: 'Session issued no code, so it has no label: print its report instead.' };
    const { bench } = fakeBench({ exportSessionDocument: () => ({ ok: false, error }), getSessionLabel: () => ({ ok: false, error }) });
    const saved: DocumentFile[] = [];
    const store = createAppStore(bench, { saveFile: (file) => saved.push(file), storage: null });
    expect(await store.getState().printDocument(sessionId, 'label')).toBe(false);
    expect(saved).toEqual([]);
    expect(store.getState()).toMatchObject({ printing: null, documentError: error });
    await store.getState().loadLabel(sessionId);
    expect(store.getState().label).toBeNull();
  });
});

describe('admin slice', () => {
  it('enrols, showing progress, and keeps a refusal with its code', async () => {
    let answer: 'refuse' | 'accept' = 'refuse';
    const { bench, calls } = fakeBench({
      enrolBench: () =>
        answer === 'refuse'
          ? { ok: false, error: { code: 'SERVER_REFUSED', message: 'The server refused the enrolment (ENROLMENT_CODE_UNKNOWN). Ask the server admin for a new one-time code.' } }
          : { ok: true, value: enrolment('http://127.0.0.1:8780') },
    });
    const store = createAppStore(bench, { storage: null });
    const pending = store.getState().enrol('http://127.0.0.1:8780', 'abcdefgh');
    expect(store.getState().enrolling).toBe(true);
    expect(await pending).toBe(false);
    expect(store.getState()).toMatchObject({ enrolling: false, enrolmentError: { code: 'SERVER_REFUSED' } });
    answer = 'accept';
    expect(await store.getState().enrol('http://127.0.0.1:8780', 'abcdefgh')).toBe(true);
    expect(store.getState()).toMatchObject({ enrolmentError: null, enrolment: { serverUrl: 'http://127.0.0.1:8780' } });
    expect(calls.map((call) => call.method)).toEqual(['enrolBench', 'enrolBench']);
  });

  it('imports a grant and reloads the ledger; exports a support bundle without keeping its bytes in state', async () => {
    let balance = 10;
    const { bench, calls } = fakeBench({
      importCreditGrant: () => {
        balance += 5;
        return { ok: true, value: { grantId: 'g-1', credits: 5, added: true, balance } };
      },
      getCreditsLedger: () => ({ ok: true, value: { benchId: 'bench-0123456789abcdef', balance, grants: [], entries: [] } }),
      exportSupportBundle: () => ({ ok: true, value: { fileName: 'support-bundle.json', mediaType: 'application/json', base64: 'e30=', bytes: 2, sessions: 3, entries: 20 } }),
    });
    const saved: DocumentFile[] = [];
    const store = createAppStore(bench, { saveFile: (file) => saved.push(file), storage: null });
    expect(await store.getState().importGrant('{"signed":"grant"}')).toBe(true);
    expect(store.getState()).toMatchObject({ importingGrant: false, lastGrant: { grantId: 'g-1', balance: 15 }, credits: { balance: 15 } });
    expect(calls.slice(0, 2)).toEqual([
      { method: 'importCreditGrant', input: { grant: '{"signed":"grant"}' } },
      { method: 'getCreditsLedger', input: undefined },
    ]);
    expect(await store.getState().exportSupportBundle()).toBe(true);
    expect(saved.map((file) => file.fileName)).toEqual(['support-bundle.json']);
    expect(store.getState().lastBundle).toEqual({ fileName: 'support-bundle.json', mediaType: 'application/json', bytes: 2, sessions: 3, entries: 20 });
  });
});

describe('language', () => {
  it('follows the bench setting live and remembers it for the next sign-in screen', async () => {
    const storage = memoryStorage();
    let language: 'en' | 'de' | 'fr' = 'de';
    const settings = () => ({ ok: true as const, value: { benchPort: null, serverUrl: null, language, releaseChannel: 'stable' as const, workshopName: '', workshopAddress: '', timeZone: 'UTC', labelPrinter: { kind: 'download' as const }, documentPrinter: { kind: 'download' as const } } });
    const { bench } = fakeBench({ getSettings: settings, updateSettings: settings });
    const store = createAppStore(bench, { storage });
    expect(store.getState().locale).toBe('en');
    await store.getState().loadSettings();
    expect(store.getState().locale).toBe('de');
    expect(createAppStore(bench, { storage }).getState().locale).toBe('de');
    language = 'fr';
    await store.getState().saveSettings({ language: 'fr' });
    // French has no catalog yet: English, never a blank screen.
    expect(store.getState().locale).toBe('en');
  });
});

describe('coding slice', () => {
  it('counts progress batches that carry live values, which the view marks as drawn', () => {
    const { bench } = fakeBench({});
    const store = createAppStore(bench, { storage: null });
    const live = (elapsedMs: number) => ({ type: 'live' as const, sessionId, stepId: 'VL', phase: 'delivery', railBar: 1600, elapsedMs, strokesDone: elapsedMs / 10 });
    store.getState().receiveCodingEvent({ type: 'progress', sessionId, events: [{ type: 'phase', sessionId, phase: 'delivery', stepId: 'VL' }] });
    expect(store.getState().codingLiveSeq).toBe(0);
    store.getState().receiveCodingEvent({ type: 'progress', sessionId, events: [live(50)] });
    store.getState().receiveCodingEvent({ type: 'progress', sessionId, events: [live(100)] });
    expect(store.getState()).toMatchObject({ codingLiveSeq: 2, codingLive: { elapsedMs: 100 }, codingPhase: 'delivery', codingStepId: 'VL' });
  });
});

describe('history filters', () => {
  it('asks the services for a text (serial, job, customer, VIN), an operator and a range of instants', async () => {
    const { bench, calls } = fakeBench({ listCodingSessions: () => ({ ok: true, value: [] }) });
    const store = createAppStore(bench, { storage: null });
    await store.getState().loadHistory('INJ-1', { from: '2026-11-19T15:00:00.000Z', to: '2026-11-22T14:59:59.999Z' }, 'tom');
    await store.getState().loadHistory();
    expect(calls).toEqual([
      { method: 'listCodingSessions', input: { text: 'INJ-1', operator: 'tom', from: '2026-11-19T15:00:00.000Z', to: '2026-11-22T14:59:59.999Z' } },
      { method: 'listCodingSessions', input: {} },
    ]);
  });
});

describe('jobs slice', () => {
  it('closes the job on the bench and reloads the list with the filter the technician chose; a refusal keeps its code', async () => {
    const view = (state: 'open' | 'closed') => ({ job: { jobId: 'job-20261205-0123abcd', state }, positions: [], set: { verdict: 'incomplete' } });
    const error = { code: 'JOB_CLOSED' as const, message: 'Job Meyer (job-20261205-0123abcd) was closed by Tom: its details can no longer be changed.' };
    const { bench, calls } = fakeBench({
      closeJob: () => ({ ok: true, value: view('closed') }),
      listJobs: () => ({ ok: true, value: [] }),
      editJob: () => ({ ok: false, error }),
    });
    const store = createAppStore(bench, { storage: null });
    expect(store.getState().jobsQuery).toEqual({ state: 'open' });
    await store.getState().loadJobs({ text: 'meyer', state: 'closed' });
    expect(await store.getState().closeJob('job-20261205-0123abcd')).toBe(true);
    expect(store.getState()).toMatchObject({ activeJob: { job: { state: 'closed' } }, jobBusy: false, jobError: null });
    await Promise.resolve();
    expect(calls.filter((call) => call.method === 'listJobs').map((call) => call.input)).toEqual([
      { text: 'meyer', state: 'closed' },
      { text: 'meyer', state: 'closed' },
    ]);
    expect(await store.getState().editJob({ jobId: 'job-20261205-0123abcd', notes: 'late' })).toBe(false);
    expect(store.getState()).toMatchObject({ jobError: error, activeJob: { job: { state: 'closed' } } });
  });
});
