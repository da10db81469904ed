/**
 * Jobs and engine sets through the BenchApi dispatcher of the real bench services: a real SQLite store,
 * the demo packs on disk, the virtual bench over TCP on 127.0.0.1, real coding sessions. A 4-cylinder job
 * is coded position by position, one position retested for free within the pack's window, and the set
 * verdict is checked against the spread of the reports' own deviations and the pack's limit. Then the job
 * is corrected, closed (nothing more can be coded into it) and reopened by an admin, read back from the file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionReport, SessionSummary } from '../../electron/contract/coding-session';
import type { DocumentFile } from '../../electron/contract/documents';
import type { JobSummary, JobView } from '../../electron/contract/jobs';
import type { OperatorSummary } from '../../electron/contract/bench-api';
import { formatBenchTime } from '../../electron/contract/bench-time';
import { createBenchServices, type BenchServices } from '../../electron/services/bench-services';
import { openBenchStore } from '../../electron/services/store/bench-store';
import { prepareDemoBench, type DemoBench } from '../../demo/demo-bench';
import { hashPin } from '../../common/pin-hash';
import { bundledRootFile } from '../helpers/bundled-root';
import { silentLogger } from '../helpers/silent-logger';
import { requireTool } from '../helpers/system-tools';

const PART = 'SYN-295050-0010';
const cheapHash = (pin: string) => hashPin(pin, { N: 2 ** 10, r: 8, p: 1 });

describe('a 4-cylinder job coded as a set', () => {
  let dataDir: string;
  let services: BenchServices;
  let demo: DemoBench;
  let job: JobView;

  async function call<T>(method: string, input?: unknown): Promise<T> {
    const result = await services.dispatch(method, input);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value as T;
  }

  async function code(position: number, serial: string): Promise<SessionReport> {
    await call('startCodingSession', { partNumber: PART, serial, job: { jobId: job.job.jobId, position } });
    const report = await services.sessions.settled();
    if (!report) throw new Error('no session ran');
    return report;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'injbench-jobs-'));
    services = createBenchServices({ dataDir, bundledRootFile, appVersion: '0.1.0', mode: 'workspace', logger: silentLogger(), statusIntervalMs: 0, hashPin: cheapHash, releaseTimers: { pinCheckMs: 0, serverRefreshMs: 0 } });
    demo = await prepareDemoBench(services, { dataDir, sourceDir: path.resolve('resources', 'demo-source'), speed: 200, logger: silentLogger() });
    await call('setupFirstAdmin', { name: 'Ana Admin', pin: '246810' });
    await call('updateSettings', { workshopName: 'Diesel Nord GmbH', workshopAddress: 'Hafenstrasse 4\n20457 Hamburg', timeZone: 'Europe/Berlin' });
    const tech = await call<{ id: string }>('createOperator', { name: 'Tom Tech', role: 'technician', pin: '1357' });
    await call('signOut');
    await call('signIn', { operatorId: tech.id, pin: '1357' });
    job = await call<JobView>('createJob', { customer: 'Spedition Meyer', vehicle: 'Sprinter 316 CDI', vin: 'wdb9066331s123456', orderNumber: 'WO-2026-118', notes: 'rough idle', cylinders: 4, partNumber: PART });
  }, 120_000);

  afterAll(async () => {
    await services?.close();
    await demo?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens a job with four empty positions and an incomplete set, recorded in the integrity log without the customer', () => {
    expect(job.job).toMatchObject({ customer: 'Spedition Meyer', vin: 'WDB9066331S123456', cylinders: 4, createdBy: 'Tom Tech' });
    expect(job.positions.map((position) => [position.position, position.latest])).toEqual([[1, null], [2, null], [3, null], [4, null]]);
    expect(job.set).toMatchObject({ verdict: 'incomplete', coded: 0 });
    const [entry] = services.store.integrityLog.search({ typePrefix: 'job.created', limit: 5 });
    expect(JSON.parse(entry?.payloadJson ?? '{}')).toMatchObject({ jobId: job.job.jobId, cylinders: 4, partNumber: PART });
    expect(entry?.payloadJson).not.toContain('Meyer');
  });

  it('refuses another part, a position the engine does not have, and one injector in two positions', async () => {
    const start = (input: object) => services.dispatch('startCodingSession', { partNumber: PART, serial: 'SET-X', job: { jobId: job.job.jobId, position: 1 }, ...input });
    expect(await start({ partNumber: 'SYN-0445110-001' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(`codes part ${PART}`) } });
    expect(await start({ job: { jobId: job.job.jobId, position: 5 } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('no position 5') } });
    expect(await start({ job: { jobId: 'job-20260101-00000000', position: 1 } })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('codes four injectors, retests one for free within the window, and gives the matched-set verdict from the spread', async () => {
    const before = services.store.sessions.balance();
    const first = [await code(1, 'SET-A1'), await code(2, 'SET-A2'), await code(3, 'SET-A3'), await code(4, 'SET-A4')];
    for (const report of first) expect(report).toMatchObject({ status: 'completed', verdict: 'pass', creditsDebited: 3, retestOf: null, packRules: { maxCorrectionSpread: 24, retestWindowMin: 30, labelQr: 'code' } });
    expect(services.store.sessions.balance()).toBe(before - 12);
    expect(await services.dispatch('startCodingSession', { partNumber: PART, serial: 'SET-A1', job: { jobId: job.job.jobId, position: 3 } })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    const view = await call<JobView>('getJob', { jobId: job.job.jobId });
    expect(view.positions[1]?.freeRetestUntil).not.toBeNull();
    const retest = await code(2, 'SET-A2');
    expect(retest).toMatchObject({ status: 'completed', creditsDebited: 0, retestOf: first[1]?.sessionId });
    expect(retest.gates.find((gate) => gate.id === 'credits')?.detail).toContain('Free retest');
    expect(services.store.sessions.balance()).toBe(before - 12);
    const ended = services.store.integrityLog.search({ typePrefix: 'session.completed', limit: 10 }).map((entry) => JSON.parse(entry.payloadJson) as Record<string, unknown>);
    expect(ended.find((payload) => payload.sessionId === retest.sessionId)).toMatchObject({ creditsDebited: 0, retestOf: first[1]?.sessionId });

    const set = await call<JobView>('getJob', { jobId: job.job.jobId });
    expect(set.positions.map((position) => [position.latest?.serial, position.attempts])).toEqual([['SET-A1', 1], ['SET-A2', 2], ['SET-A3', 1], ['SET-A4', 1]]);
    expect(set.positions[1]?.latest).toMatchObject({ sessionId: retest.sessionId, retestOf: first[1]?.sessionId, operatorName: 'Tom Tech' });
    // The spread recomputed from the latest reports: the retest replaces position 2's first session.
    const latest = [first[0], retest, first[2], first[3]] as SessionReport[];
    const spreads = (latest[0]?.steps ?? []).map((step) => {
      const values = latest.map((report) => report.steps.find((candidate) => candidate.id === step.id)?.correctionSteps ?? 0);
      return Math.max(...values) - Math.min(...values);
    });
    expect(set.set.spread).toBe(Math.max(...spreads));
    expect(set.set).toMatchObject({ coded: 4, rejected: 0, limit: 24, verdict: Math.max(...spreads) <= 24 ? 'matched' : 'not_matched' });
    const jobs = await call<JobSummary[]>('listJobs', { text: 'meyer' });
    expect(jobs).toEqual([expect.objectContaining({ jobId: job.job.jobId, coded: 4, setVerdict: set.set.verdict })]);
  }, 240_000);

  it('finds sessions in History by partial serial, job, customer, VIN and operator', async () => {
    const find = (input: object) => call<SessionSummary[]>('listCodingSessions', input);
    expect((await find({ text: 'A3' })).map((summary) => summary.serial)).toEqual(['SET-A3']);
    expect(await find({ text: 'spedition' })).toHaveLength(5);
    expect(await find({ text: 'S123456' })).toHaveLength(5);
    expect(await find({ text: job.job.jobId })).toHaveLength(5);
    expect(await find({ text: 'WO-2026' })).toHaveLength(5);
    expect(await find({ operator: 'tom' })).toHaveLength(5);
    expect(await find({ operator: 'ana' })).toEqual([]);
    expect((await find({ text: 'SET-A1' }))[0]).toMatchObject({ operatorName: 'Tom Tech', jobId: job.job.jobId, position: 1, customer: 'Spedition Meyer' });
    // LIKE's own wildcards are taken literally.
    expect(await find({ text: '%' })).toEqual([]);
  });

  it('makes one A4 job report with the workshop header, every position, the set verdict and the technician on every page', async () => {
    const file = await call<DocumentFile>('exportJobReport', { jobId: job.job.jobId });
    const bytes = Buffer.from(file.base64, 'base64');
    expect(file.fileName).toMatch(/^job_job-\d{8}-[0-9a-f]{8}_Spedition_Meyer\.pdf$/);
    const pdftotext = requireTool('pdftotext', 'poppler-utils');
    if (!pdftotext) return;
    const pdfFile = path.join(dataDir, 'job.pdf');
    writeFileSync(pdfFile, bytes);
    execFileSync(pdftotext, ['-layout', pdfFile, `${pdfFile}.txt`]);
    const text = readFileSync(`${pdfFile}.txt`, 'utf8');
    const view = await call<JobView>('getJob', { jobId: job.job.jobId });
    expect(text).toContain('Diesel Nord GmbH');
    expect(text).toContain('20457 Hamburg');
    expect(text).toContain('WDB9066331S123456');
    expect(text).toContain(view.set.verdict === 'matched' ? 'MATCHED SET' : 'NOT MATCHED');
    for (const position of view.positions) {
      expect(text).toContain(position.latest?.serial ?? 'missing');
      // The code in groups of five, as on the label.
      expect(text).toContain((position.latest?.code ?? 'missing').match(/.{1,5}/g)?.join(' '));
    }
    expect(text).toContain('(free retest)');
    expect(text).not.toContain('Closed by');
    // Times in the bench's zone (Europe/Berlin: CET or CEST), not UTC ISO.
    expect(text).toMatch(/GMT\+1|GMT\+2|CET|CEST/);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    const pages = text.split('\f').filter((page) => page.trim().length > 0);
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const page of pages) expect(page).toContain('Technician: Tom Tech');
  });

  it('corrects the job\'s facts, validated as on create, and logs which fields changed but not their values', async () => {
    const edit = (input: object) => services.dispatch('editJob', { jobId: job.job.jobId, ...input });
    // Refused as on create, and nothing changed.
    expect(await edit({ vin: 'WDB-9066' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('a VIN is 6 to 17 letters and digits') } });
    expect(await edit({ customer: '   ' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('name the customer') } });
    expect(await edit({ cylinders: 6 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await edit({})).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('at least one field') } });
    expect((await call<JobView>('getJob', { jobId: job.job.jobId })).job).toMatchObject({ vin: 'WDB9066331S123456', customer: 'Spedition Meyer', updatedAt: null });

    const edited = await call<JobView>('editJob', { jobId: job.job.jobId, vin: 'wdb9066331s654321', orderNumber: 'WO-2026-119', notes: 'rough idle, cold start', customer: 'Spedition Meyer' });
    expect(edited.job).toMatchObject({ customer: 'Spedition Meyer', vin: 'WDB9066331S654321', orderNumber: 'WO-2026-119', notes: 'rough idle, cold start', vehicle: 'Sprinter 316 CDI', cylinders: 4, partNumber: PART, state: 'open' });
    expect(edited.job.updatedAt).not.toBeNull();
    // The set is untouched by an edit.
    expect(edited.set.coded).toBe(4);
    const [entry] = services.store.integrityLog.search({ typePrefix: 'job.updated', limit: 5 });
    expect(JSON.parse(entry?.payloadJson ?? '{}')).toEqual({ jobId: job.job.jobId, fields: ['vin', 'orderNumber', 'notes'], by: expect.stringMatching(/.+/) });
    expect(entry?.payloadJson).not.toContain('654321');
    expect(entry?.payloadJson).not.toContain('Meyer');
    expect(await call<JobSummary[]>('listJobs', { text: 'WO-2026-119' })).toEqual([expect.objectContaining({ jobId: job.job.jobId })]);
  });

  it('closes the job: no injector, retest or edit goes into it, a technician cannot reopen it, an admin can', async () => {
    const sessionsBefore = (await call<SessionSummary[]>('listCodingSessions', { limit: 200 })).length;
    const balanceBefore = services.store.sessions.balance();
    const closed = await call<JobView>('closeJob', { jobId: job.job.jobId });
    expect(closed.job).toMatchObject({ state: 'closed', closedBy: 'Tom Tech' });
    expect(closed.job.closedAt).not.toBeNull();
    expect(JSON.parse(services.store.integrityLog.search({ typePrefix: 'job.closed', limit: 1 })[0]?.payloadJson ?? '{}')).toMatchObject({ jobId: job.job.jobId, coded: 4 });

    // A new injector and a retest of position 2 (within its free window) are both refused, before the bench is touched.
    for (const attempt of [{ serial: 'SET-NEW', position: 1 }, { serial: 'SET-A2', position: 2 }]) {
      const refused = await services.dispatch('startCodingSession', { partNumber: PART, serial: attempt.serial, job: { jobId: job.job.jobId, position: attempt.position } });
      expect(refused).toMatchObject({ ok: false, error: { code: 'JOB_CLOSED', message: expect.stringContaining('was closed by Tom Tech: it takes no more injectors or retests. An admin can reopen it') } });
    }
    expect(await services.dispatch('editJob', { jobId: job.job.jobId, notes: 'late note' })).toMatchObject({ ok: false, error: { code: 'JOB_CLOSED' } });
    expect(await services.dispatch('closeJob', { jobId: job.job.jobId })).toMatchObject({ ok: false, error: { code: 'JOB_CLOSED' } });
    expect((await call<SessionSummary[]>('listCodingSessions', { limit: 200 })).length).toBe(sessionsBefore);
    expect(services.store.sessions.balance()).toBe(balanceBefore);
    // The report of a closed job still prints, and says who closed it when, in the bench's zone.
    const closedReport = await call<DocumentFile>('exportJobReport', { jobId: job.job.jobId });
    expect(closedReport.fileName).toMatch(/\.pdf$/);
    const pdftotext = requireTool('pdftotext', 'poppler-utils');
    if (pdftotext) {
      const pdfFile = path.join(dataDir, 'job-closed.pdf');
      writeFileSync(pdfFile, Buffer.from(closedReport.base64, 'base64'));
      execFileSync(pdftotext, ['-layout', pdfFile, `${pdfFile}.txt`]);
      const text = readFileSync(`${pdfFile}.txt`, 'utf8').replace(/\s+/g, ' ');
      const closedOn = formatBenchTime(closed.job.closedAt ?? '', 'Europe/Berlin', 'en').replace(/\s+/g, ' ');
      expect(text).toContain(`Closed by Tom Tech on ${closedOn}`);
    }

    expect((await call<JobSummary[]>('listJobs', { state: 'closed' })).map((summary) => summary.jobId)).toEqual([job.job.jobId]);
    expect(await call<JobSummary[]>('listJobs', { state: 'open' })).toEqual([]);
    expect(await call<JobSummary[]>('listJobs', {})).toHaveLength(1);

    // Read back from the SQLite file through a second, read-only connection.
    const reader = openBenchStore(dataDir, { readonly: true });
    try {
      expect(reader.jobs.byId(job.job.jobId)).toMatchObject({ closedAt: closed.job.closedAt, vin: 'WDB9066331S654321' });
    } finally {
      reader.close();
    }

    expect(await services.dispatch('reopenJob', { jobId: job.job.jobId, reason: 'customer brought injector 2 back' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const admin = (await call<OperatorSummary[]>('listSignInOperators')).find((operator) => operator.role === 'admin');
    await call('signOut');
    await call('signIn', { operatorId: admin?.id, pin: '246810' });
    expect(await services.dispatch('reopenJob', { jobId: job.job.jobId, reason: 'no' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining('reason') } });
    const reopened = await call<JobView>('reopenJob', { jobId: job.job.jobId, reason: 'customer brought injector 2 back' });
    expect(reopened.job).toMatchObject({ state: 'open', closedAt: null, closedBy: null });
    expect(JSON.parse(services.store.integrityLog.search({ typePrefix: 'job.reopened', limit: 1 })[0]?.payloadJson ?? '{}')).toMatchObject({
      jobId: job.job.jobId,
      reason: 'customer brought injector 2 back',
      closedAt: closed.job.closedAt,
    });
    expect(await services.dispatch('reopenJob', { jobId: job.job.jobId, reason: 'again please' })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // Open again: the set takes its injectors as before (the check passes; no session is started here).
    expect(services.jobs.prepareStart({ partNumber: PART, serial: 'SET-A2', job: { jobId: job.job.jobId, position: 2 } })).toHaveProperty('retestOf');
  });
});
