/**
 * Issue 20, items 3, 7 and 8 as a technician meets them, in headless Chromium against the workspace and
 * the virtual bench: a job for a 4-cylinder engine, four injectors coded position by position (one
 * retested for free), the matched-set verdict, a label printed in ZPL to a raw TCP printer on 127.0.0.1
 * and the job report printed through a real CUPS queue (a private cupsd) whose delivered PDF is read back.
 * Then the job is corrected and closed: coding into it is refused with a message saying why, and only an
 * admin can reopen it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAccessibilityViolations } from '../helpers/accessibility';
import { setUpAdminAndTechnician, signInAs } from '../helpers/bench-setup';
import { startCaptureListener, startCupsServer, type CaptureListener, type CupsServer } from '../helpers/cups-server';
import { e2eArtifacts, openWorkspacePage, type WorkspacePage } from '../helpers/e2e-workspace';
import { requireTool } from '../helpers/system-tools';

const PART = 'SYN-295050-0010';
const SERIALS = ['E2E-SET-1', 'E2E-SET-2', 'E2E-SET-3', 'E2E-SET-4'];

describe('a technician codes a 4-cylinder engine set as one job', () => {
  let ui: WorkspacePage;
  let page: Page;
  let zplPrinter: CaptureListener;
  let cups: CupsServer | null;
  let reportQueue: CaptureListener | null = null;
  let scratch: string;
  const savedServer = process.env.CUPS_SERVER;

  async function waitForOutcome(): Promise<string | null> {
    await expect.poll(() => page.getByTestId('outcome').getAttribute('data-status'), { timeout: 90_000 }).toBe('completed');
    return page.getByTestId('outcome').getAttribute('data-verdict');
  }

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'injbench-e2e-jobs-'));
    zplPrinter = await startCaptureListener();
    cups = await startCupsServer();
    if (cups) {
      reportQueue = await startCaptureListener();
      cups.addQueue('office_a4', reportQueue.port);
      // The workspace process inherits it: its lp talks to the private scheduler, never the machine's.
      process.env.CUPS_SERVER = cups.server;
    }
    ui = await openWorkspacePage('jobs', ['--demo', '--speed', '120', '--central-server', '0'], { width: 1280, height: 800 });
    ({ page } = ui);
    await setUpAdminAndTechnician(page);
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    if (savedServer === undefined) delete process.env.CUPS_SERVER;
    else process.env.CUPS_SERVER = savedServer;
    await zplPrinter?.close();
    await reportQueue?.close();
    await cups?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('admin: sets the workshop header, the time zone and the printers in Settings', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByLabel('Workshop name (job report header)').fill('Diesel Nord GmbH');
    await page.getByLabel('Workshop address').fill('Hafenstrasse 4, 20457 Hamburg');
    await page.getByLabel('Time zone').fill('Europe/Berlin');
    await page.getByLabel('Label printer').selectOption('zpl');
    await page.getByLabel('Printer address').fill('127.0.0.1');
    await page.getByLabel('Port', { exact: true }).fill(String(zplPrinter.port));
    if (cups) {
      await page.getByLabel('Report printer').selectOption('system');
      await page.getByLabel('Report print queue name').fill('office_a4');
    }
    await page.getByTestId('save-settings').click();
    await page.getByTestId('settings-saved').waitFor();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(e2eArtifacts, 'jobs-settings.png'), fullPage: true });
    await page.getByTestId('sign-out').click();
    await signInAs(page, 'Tom Tech', '1357');
    await page.getByTestId('signed-in-as').filter({ hasText: 'Tom Tech · technician' }).waitFor();
  });

  it('opens a job and codes the four positions one after the other', { timeout: 300_000 }, async () => {
    await page.getByTestId('nav-jobs').click();
    await page.getByLabel('Customer', { exact: true }).fill('Spedition Meyer');
    await page.getByLabel('Vehicle', { exact: true }).fill('Sprinter 316 CDI');
    await page.getByLabel('VIN', { exact: true }).fill('WDB9066331S123456');
    await page.getByLabel('Order number', { exact: true }).fill('WO-2026-118');
    await page.getByLabel('Cylinders').selectOption('4');
    await page.getByLabel('Part number (type or scan)').fill(PART);
    await page.getByTestId('create-job').click();
    await expect.poll(() => page.getByTestId('set-verdict').getAttribute('data-verdict')).toBe('incomplete');
    expect(await page.locator('[data-testid="positions"] tbody tr').count()).toBe(4);

    await page.getByTestId('code-position-1').click();
    for (const [index, serial] of SERIALS.entries()) {
      await expect.poll(() => page.getByTestId('job-context').textContent()).toContain(`position ${index + 1} of 4`);
      expect(await page.getByLabel('Part number (type or scan)').inputValue()).toBe(PART);
      await page.getByLabel('Injector serial (type or scan)').fill(serial);
      await page.getByTestId('start-session').click();
      expect(await waitForOutcome()).toBe('pass');
      const grouped = (await page.getByTestId('correction-code').textContent()) ?? '';
      // A 30-character Denso-style code reads as six groups of five.
      expect(grouped).toMatch(/^([0-9A-F]{5} ){5}[0-9A-F]{5}$/);
      if (index === 0) {
        await expect.poll(async () => (await page.getByTestId('label-code').allTextContents()).join(' ')).toBe(grouped);
        await page.screenshot({ path: path.join(e2eArtifacts, 'jobs-position-1.png') });
      }
      await page.keyboard.press('n');
    }
    // After the last position, N leads back to the set.
    await expect.poll(() => page.getByTestId('set-verdict').getAttribute('data-verdict')).not.toBe('incomplete');
    expect(await page.locator('[data-testid="positions"] tbody tr[data-verdict="pass"]').count()).toBe(4);
  });

  it('retests position 2 for free and prints its label in ZPL to the label printer', { timeout: 180_000 }, async () => {
    const creditsBefore = await page.evaluate(async () => (await (window as unknown as { bench: { getCredits(): Promise<{ ok: boolean; value: { balance: number } }> } }).bench.getCredits()).value.balance);
    await expect.poll(() => page.getByTestId('code-position-2').textContent()).toMatch(/^Retest 2 \(free until .+\)$/);
    await page.getByTestId('code-position-2').click();
    expect(await page.getByLabel('Injector serial (type or scan)').inputValue()).toBe(SERIALS[1]);
    expect(await page.getByTestId('job-context').textContent()).toContain('retest of E2E-SET-2 is free');
    await page.getByTestId('start-session').click();
    expect(await waitForOutcome()).toBe('pass');
    expect(await page.getByTestId('outcome').textContent()).toContain('Free retest: no credits charged.');
    const creditsAfter = await page.evaluate(async () => (await (window as unknown as { bench: { getCredits(): Promise<{ ok: boolean; value: { balance: number } }> } }).bench.getCredits()).value.balance);
    expect(creditsAfter).toBe(creditsBefore);

    const code = (await page.getByTestId('correction-code').getAttribute('data-code')) ?? '';
    const arriving = zplPrinter.next();
    await page.getByTestId('print-label').click();
    const zpl = (await arriving).toString('utf8');
    const fields = [...zpl.matchAll(/\^FD(.*?)\^FS/g)].map((match) => match[1]);
    expect(fields).toContain(PART);
    expect(fields).toContain(SERIALS[1]);
    expect(fields).toContain(`MA,${code}`);
    expect(fields.filter((field) => /^[0-9A-F ]+$/.test(field ?? '') && (field ?? '').includes(' ')).join(' ').replaceAll(' ', '')).toBe(code);
    await expect.poll(() => page.getByTestId('printed').textContent()).toContain(`Sent to label printer 127.0.0.1:${zplPrinter.port}`);
    await page.getByTestId('back-to-set').click();
  });

  it('shows the matched-set verdict and prints the job report with the technician on every page', { timeout: 120_000 }, async () => {
    const verdict = await page.getByTestId('set-verdict').getAttribute('data-verdict');
    expect(['matched', 'not_matched']).toContain(verdict);
    expect(await page.getByTestId('set-verdict').textContent()).toMatch(/correction spread \d+ code steps \(limit 24\)/);
    expect(await page.locator('[data-testid="positions"] tbody tr[data-position="2"]').textContent()).toContain('free retest');
    // Times in the bench's zone (Europe/Berlin), not UTC ISO.
    expect(await page.getByTestId('positions').textContent()).toMatch(/GMT\+[12]|CES?T/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(e2eArtifacts, 'jobs-set.png'), fullPage: true });

    let pdf: Buffer;
    if (cups && reportQueue) {
      const arriving = reportQueue.next();
      await page.getByTestId('print-job-report').click();
      pdf = await arriving;
      await expect.poll(() => page.getByTestId('job-report-status').textContent()).toMatch(/^Sent to queue office_a4 \(print job office_a4-\d+\)\.$/);
    } else {
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('print-job-report').click()]);
      pdf = readFileSync(await download.path());
    }
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdftotext = requireTool('pdftotext', 'poppler-utils');
    if (!pdftotext) return;
    const file = path.join(scratch, 'job.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync(pdftotext, ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Diesel Nord GmbH');
    expect(text).toContain('Spedition Meyer');
    expect(text).toContain(verdict === 'matched' ? 'MATCHED SET' : 'NOT MATCHED');
    for (const serial of SERIALS) expect(text).toContain(serial);
    for (const page of text.split('\f').filter((chunk) => chunk.trim())) expect(page).toContain('Technician: Tom Tech');
  });

  it('finds the job in History by customer and operator', async () => {
    await page.getByTestId('nav-history').click();
    await page.getByLabel('Serial, job, customer or VIN').fill('meyer');
    await page.getByLabel('Operator').fill('tom');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('[data-testid="history-table"] tbody tr').count()).toBe(5);
    expect(await page.getByTestId('history-table').textContent()).toContain('Spedition Meyer #2');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(e2eArtifacts, 'jobs-history.png'), fullPage: true });
  });

  it('corrects the job, closes it after confirming, and a closed job refuses the next injector saying why', { timeout: 120_000 }, async () => {
    await page.getByTestId('nav-jobs').click();
    await page.locator('[data-testid="jobs-table"] tr', { hasText: 'Spedition Meyer' }).getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state')).toBe('open');

    await page.getByTestId('edit-job').click();
    const form = page.getByTestId('edit-job-form');
    expect(await form.getByLabel('Order number').inputValue()).toBe('WO-2026-118');
    await form.getByLabel('Order number').fill('WO-2026-119');
    await form.getByLabel('Notes').fill('rough idle; injector 2 retested');
    await form.getByLabel('VIN').fill('wdb 9066');
    await page.getByTestId('save-job').click();
    // Refused as on create, and the form stays open with what was typed.
    await expect.poll(() => page.getByTestId('jobs-error').getAttribute('data-code')).toBe('INVALID_ARGUMENT');
    expect(await page.getByTestId('jobs-error').textContent()).toContain('a VIN is 6 to 17 letters and digits');
    await form.getByLabel('VIN').fill('WDB9066331S123456');
    await page.getByTestId('save-job').click();
    await form.waitFor({ state: 'detached' });
    expect(await page.getByTestId('set-view').locator('p.hint').first().textContent()).toContain('order WO-2026-119');
    expect(await page.getByTestId('job-notes').textContent()).toBe('rough idle; injector 2 retested');

    // A position chosen for the next injector, then back to the set and the job closed.
    await page.getByTestId('code-position-1').click();
    await expect.poll(() => page.getByTestId('job-context').textContent()).toContain('position 1 of 4');
    await page.getByTestId('back-to-set').click();
    await page.getByTestId('close-job').click();
    expect(await page.getByTestId('confirm-close-job').textContent()).toContain('only an admin can reopen it');
    await page.getByTestId('confirm-close-job-button').click();
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state')).toBe('closed');
    expect(await page.getByTestId('job-state').textContent()).toMatch(/^Closed · by Tom Tech on .+: no more injectors or retests$/);
    expect(await page.locator('[data-testid^="code-position-"]').count()).toBe(0);
    expect(await page.getByTestId('reopen-job-form').count()).toBe(0);
    expect(await page.getByTestId('set-view').textContent()).toContain('Only an admin can reopen a closed job.');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(e2eArtifacts, 'jobs-closed.png'), fullPage: true });

    // The session screen still names the job: starting the injector is refused, with the reason and what to do.
    const creditsBefore = await page.evaluate(async () => (await (window as unknown as { bench: { getCredits(): Promise<{ ok: boolean; value: { balance: number } }> } }).bench.getCredits()).value.balance);
    await page.getByTestId('nav-session').click();
    expect(await page.getByTestId('job-context').textContent()).toContain('this job is closed');
    expect(await page.getByLabel('Part number (type or scan)').inputValue()).toBe(PART);
    await page.getByLabel('Injector serial (type or scan)').fill('E2E-SET-9');
    await page.getByTestId('start-session').click();
    await expect.poll(() => page.getByTestId('session-error').getAttribute('data-code')).toBe('JOB_CLOSED');
    expect(await page.getByTestId('session-error').textContent()).toMatch(/Job Spedition Meyer \(job-\d{8}-[0-9a-f]{8}\) was closed by Tom Tech: it takes no more injectors or retests\. An admin can reopen it, or open a new job\./);
    const creditsAfter = await page.evaluate(async () => (await (window as unknown as { bench: { getCredits(): Promise<{ ok: boolean; value: { balance: number } }> } }).bench.getCredits()).value.balance);
    expect(creditsAfter).toBe(creditsBefore);
    await page.screenshot({ path: path.join(e2eArtifacts, 'jobs-closed-refused.png') });

    // The list shows open jobs first: the closed one appears under "Closed jobs".
    await page.getByTestId('nav-jobs').click();
    await expect.poll(() => page.locator('[data-testid="jobs-table"] tbody tr').count()).toBe(0);
    expect(await page.getByText('No jobs match this filter.').count()).toBe(1);
    await page.getByLabel('Show').selectOption('closed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => page.locator('[data-testid="jobs-table"] tbody tr[data-state="closed"]').count()).toBe(1);
  });

  it('admin: reopens the closed job with a reason, and its positions can be coded again', async () => {
    await page.getByTestId('sign-out').click();
    await signInAs(page, 'Ana Admin', '246810');
    await page.getByTestId('signed-in-as').filter({ hasText: 'Ana Admin · admin' }).waitFor();
    await page.getByTestId('nav-jobs').click();
    await page.getByLabel('Show').selectOption('closed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('[data-testid="jobs-table"] tr', { hasText: 'Spedition Meyer' }).getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state')).toBe('closed');
    await page.getByLabel('Reason for reopening').fill('customer brought injector 2 back');
    await page.getByTestId('reopen-job').click();
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state')).toBe('open');
    expect(await page.locator('[data-testid^="code-position-"]').count()).toBe(4);
    await page.getByTestId('nav-evidence').click();
    await expect.poll(() => page.locator('tr[data-type="job.reopened"]').count()).toBe(1);
    expect(await page.locator('tr[data-type="job.closed"]').count()).toBe(1);
    expect(await page.locator('tr[data-type="job.updated"]').count()).toBe(1);
  });
});
