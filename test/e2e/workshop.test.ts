import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { benchDay, systemTimeZone } from '../../electron/contract/bench-time';
import { verifySupportBundle } from '../../electron/services/support/support-bundle';
import { issueCreditGrant } from '../../trust/credit-grant';
import { developmentKeys } from '../../trust/demo-repository';
import { seriousAccessibilityViolations } from '../helpers/accessibility';
import type { PageProblems } from '../helpers/browser';
import { newEnrolmentCode, pullLog, startTestServer } from '../helpers/central-server';
import { e2eArtifacts, openWorkspacePage, type WorkspacePage } from '../helpers/e2e-workspace';

const artifacts = e2eArtifacts;
const families = [
  // What each demo pack puts in the label's QR: the tagged line with part and serial, or the bare code.
  { part: 'SYN-0445110-001', serial: 'INJ-W-0001', qr: 'code-part-serial' },
  { part: 'SYN-295050-0010', serial: 'INJ-W-0002', qr: 'code' },
  { part: 'SYN-EJBR-0001', serial: 'INJ-W-0003', qr: 'code' },
];

/** Clicks (or presses) and returns the bytes and name of the download it starts. */
async function downloadOf(page: Page, action: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), action()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(file) };
}

function grantFor(benchId: string, grantId: string, credits: number): Buffer {
  return Buffer.from(issueCreditGrant({ benchId, grantId, credits, validDays: 30, issuedAt: new Date() }, developmentKeys().credits).bytes);
}

async function signInAs(page: Page, name: string, pin: string, role: string): Promise<void> {
  await page.getByTestId(`operator-${name}`).click();
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: `${name} · ${role}` }).waitFor();
}

async function createFirstAdmin(page: Page): Promise<void> {
  await page.getByLabel('Admin name').fill('Ana Admin');
  await page.getByLabel('PIN (4–12 digits)').fill('246810');
  await page.getByLabel('Repeat the PIN').fill('246810');
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await page.getByTestId('signed-in-as').filter({ hasText: 'Ana Admin · admin' }).waitFor();
}

async function waitForOutcome(page: Page): Promise<Locator> {
  const outcome = page.getByTestId('outcome');
  await outcome.waitFor({ timeout: 60_000 });
  return outcome;
}

describe('the workshop: technician, admin and support in headless Chromium against the demo bench', () => {
  let ui: WorkspacePage;
  let server: CentralServer;
  let page: Page;
  let problems: PageProblems;
  let benchId = '';

  beforeAll(async () => {
    ui = await openWorkspacePage('workshop', ['--demo', '--speed', '40', '--no-central-server']);
    ({ page, problems } = ui);
    // A central server of the test's own, in the workspace's temporary directory: the admin enrols the bench with it.
    server = await startTestServer(`sqlite:${path.join(ui.root, 'central.sqlite')}`);
    await createFirstAdmin(page);
    await page.getByTestId('nav-operators').click();
    for (const [name, role, pin] of [
      ['Tom Tech', 'technician', '1357'],
      ['Sue Support', 'support', '8642'],
    ] as const) {
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Role', { exact: true }).selectOption(role);
      await page.getByLabel('PIN (4–12 digits)').fill(pin);
      await page.getByRole('button', { name: 'Add operator' }).click();
      await page.getByTestId(`operator-row-${name}`).waitFor();
    }
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await ui?.close();
  });

  it('admin: enrolment refuses an unknown code saying what to do, then enrols with a real one', async () => {
    await page.getByTestId('nav-admin').click();
    await expect.poll(() => page.getByTestId('enrolment-server').textContent()).toContain('not enrolled');
    benchId = (await page.getByTestId('enrolment-bench-id').textContent()) ?? '';
    expect(benchId).toMatch(/^bench-[0-9a-f]{16}$/);

    await page.getByLabel('Server address').fill(server.url);
    await page.getByLabel('One-time enrolment code').fill('not-a-real-code-123');
    await page.getByTestId('enrol').click();
    await expect.poll(() => page.getByTestId('enrolment-error').getAttribute('data-code')).toBe('SERVER_REFUSED');
    expect(await page.getByTestId('enrolment-error').textContent()).toContain('Ask the server admin for a new one-time code');

    await page.getByLabel('One-time enrolment code').fill(await newEnrolmentCode(server.url));
    await page.getByTestId('enrol').click();
    await expect.poll(() => page.getByTestId('enrolment-server').textContent()).toBe(new URL(server.url).origin);
    await expect.poll(() => page.getByTestId('enrolment-error').count()).toBe(0);
    expect(await page.getByTestId('enrolment-backlog').textContent()).toMatch(/^\d+ log entries, \d+ checkpoints$/);
    // The outbox starts at once: the server holds the bench's log, verified.
    await expect.poll(async () => (await pullLog(server.url, benchId)).entries.length, { timeout: 20_000 }).toBeGreaterThan(0);
  });

  it('admin: credits show balance, grants and ledger; a signed grant file imports once, a foreign one is refused', async () => {
    await expect.poll(() => page.getByTestId('credits-balance').getAttribute('data-balance')).toBe('60');
    expect(await page.locator('[data-testid="ledger-table"] tbody tr[data-kind="grant"]').count()).toBe(1);

    const grant = grantFor(benchId, 'grant-e2e-0001', 25);
    await page.getByTestId('grant-file').setInputFiles({ name: 'grant-e2e.json', mimeType: 'application/json', buffer: grant });
    await page.getByRole('button', { name: 'Import grant-e2e.json' }).click();
    await expect.poll(() => page.getByTestId('grant-imported').textContent()).toBe('Imported grant-e2e-0001: +25 credits, balance 85.');
    await expect.poll(() => page.getByTestId('credits-balance').getAttribute('data-balance')).toBe('85');
    expect(await page.locator('[data-testid="grants-table"] tbody tr').count()).toBe(2);
    expect(await page.locator('[data-testid="ledger-table"] tbody tr').first().textContent()).toContain('+25');

    await page.getByTestId('grant-file').setInputFiles({ name: 'grant-e2e.json', mimeType: 'application/json', buffer: grant });
    await page.getByRole('button', { name: 'Import grant-e2e.json' }).click();
    await expect.poll(() => page.getByTestId('grant-imported').textContent()).toBe('grant-e2e-0001 was imported before: nothing added.');

    await page.getByLabel('or paste the grant').fill(grantFor('bench-0000000000000000', 'grant-e2e-foreign', 5).toString('utf8'));
    await page.getByTestId('import-grant').click();
    await expect.poll(() => page.getByTestId('credits-error').getAttribute('data-code')).toBe('GRANT_REFUSED');
    expect(await page.getByTestId('credits-error').textContent()).toContain(`ask for a grant signed for bench ${benchId}`);
    await expect.poll(() => page.getByTestId('credits-balance').getAttribute('data-balance')).toBe('85');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'admin-enrolment-credits.png'), fullPage: true });
  });

  it('the language setting switches the whole UI live, German included', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByLabel('Language').selectOption('de');
    await page.getByTestId('save-settings').click();
    await expect.poll(() => page.getByTestId('nav-settings').textContent()).toBe('Einstellungen');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Einstellungen');
    expect(await page.getByTestId('nav-session').textContent()).toBe('Prüfung');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');
    await page.screenshot({ path: path.join(artifacts, 'settings-de.png'), fullPage: true });
    await page.getByLabel('Sprache').selectOption('en');
    await page.getByTestId('save-settings').click();
    await expect.poll(() => page.getByTestId('nav-settings').textContent()).toBe('Settings');
  });

  it('technician: codes an injector of each demo family and prints its label (PDF) from the preview', { timeout: 180_000 }, async () => {
    await page.getByTestId('sign-out').click();
    await signInAs(page, 'Tom Tech', '1357', 'technician');
    await page.getByTestId('nav-session').click();
    expect(await page.getByTestId('shortcuts').textContent()).toMatch(/Enter.*start.*Esc.*abort.*N.*next injector/);
    for (const [index, family] of families.entries()) {
      if (index > 0) {
        await page.keyboard.press('n');
        await page.getByLabel('Part number (type or scan)').fill('');
      }
      // As a keyboard-wedge scanner types: characters, Enter, characters, Enter.
      await page.getByLabel('Part number (type or scan)').pressSequentially(family.part);
      await page.keyboard.press('Enter');
      await page.keyboard.type(family.serial);
      await page.keyboard.press('Enter');
      const outcome = await waitForOutcome(page);
      expect(await outcome.getAttribute('data-verdict')).toBe('pass');
      const code = (await page.getByTestId('correction-code').getAttribute('data-code')) ?? '';
      expect(code.length).toBeGreaterThan(5);
      // On screen and on the label the code reads in groups; the lines of the label join to the same groups.
      const grouped = (await page.getByTestId('correction-code').textContent()) ?? '';
      expect(grouped.replaceAll(' ', '')).toBe(code);
      if (code.length > 8) expect(grouped).toMatch(/^([0-9A-Z]{4,5} )+[0-9A-Z]{3,5}$/);
      await expect.poll(async () => (await page.getByTestId('label-code').allTextContents()).join(' ')).toBe(grouped);
      const qrText = await page.getByTestId('label-qr').getAttribute('data-qr-text');
      if (family.qr === 'code') expect(qrText).toBe(code);
      else expect(qrText).toContain(`P=${family.part};S=${family.serial};C=${code};`);
      expect(await page.locator('[data-testid="label-qr"] path').getAttribute('d')).toMatch(/^M4 4h7v1h-7z/);

      // The first label by button, the others with the P shortcut shown on screen.
      const label = await downloadOf(page, () => (index === 0 ? page.getByTestId('print-label').click() : page.keyboard.press('p')));
      expect(label.name).toBe(`label_${family.part}_${family.serial}_${benchDay(new Date().toISOString(), systemTimeZone())}.pdf`);
      expect(label.bytes.length).toBeGreaterThan(1000);
      expect(label.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      await expect.poll(() => page.getByTestId('printed').textContent()).toContain(label.name);
      if (index === 0) {
        const report = await downloadOf(page, () => page.getByTestId('print-report').click());
        expect(report.name).toMatch(/^report_SYN-0445110-001_INJ-W-0001_\d{4}-\d{2}-\d{2}\.pdf$/);
        expect(report.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(await seriousAccessibilityViolations(page)).toEqual([]);
        await page.screenshot({ path: path.join(artifacts, 'session-label.png'), fullPage: true });
      }
    }
  });

  it('history lists the sessions, reopens a report with its label and prints the report again', async () => {
    await page.getByTestId('nav-history').click();
    await expect.poll(() => page.locator('[data-testid="history-table"] tbody tr').count()).toBe(3);
    await page.screenshot({ path: path.join(artifacts, 'history.png'), fullPage: true });
    const oldest = page.locator('[data-testid="history-table"] tbody tr').nth(2);
    const again = await downloadOf(page, () => oldest.getByRole('button', { name: 'Report PDF of INJ-W-0001' }).click());
    expect(again.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await oldest.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('outcome').getAttribute('data-verdict')).toBe('pass');
    await expect.poll(() => page.getByTestId('label-preview').count()).toBe(1);
    expect(await page.getByTestId('label-qr').getAttribute('data-qr-text')).toContain('S=INJ-W-0001;');
  });

  it('support: exports a signed support bundle that verifies offline, and verifies the log', async () => {
    await page.getByTestId('sign-out').click();
    await signInAs(page, 'Sue Support', '8642', 'support');
    await page.getByTestId('nav-support').click();
    const bundle = await downloadOf(page, () => page.getByTestId('export-bundle').click());
    expect(bundle.name).toMatch(new RegExp(`^support-bundle_${benchId}_\\d{8}T\\d{6}\\.json$`));
    const verdict = verifySupportBundle(bundle.bytes);
    expect(verdict).toMatchObject({ ok: true, benchId, sessions: 3 });
    await expect.poll(() => page.getByTestId('bundle-result').textContent()).toContain('3 sessions');
    await page.getByTestId('verify-log').click();
    await expect.poll(() => page.getByTestId('log-verdict').textContent()).toMatch(/^Intact: \d+ entries/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'support.png'), fullPage: true });
    await page.getByTestId('show-evidence').click();
    await expect.poll(() => page.locator('tr[data-type="support.bundle_exported"]').count()).toBe(1);
    // Every printed label and report left its entry in the signed log.
    expect(await page.locator('tr[data-type="document.printed"]').count()).toBeGreaterThanOrEqual(5);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});

describe('a failing injector in headless Chromium: the virtual bench mounts one with a high back-leak', () => {
  let ui: WorkspacePage;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    ui = await openWorkspacePage('failing', ['--demo', '--speed', '40', '--fault', 'high-leak', '--no-central-server']);
    ({ page, problems } = ui);
    await createFirstAdmin(page);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('ends the session failed, charges nothing, offers no label and says what to do', async () => {
    await page.getByTestId('nav-session').click();
    await page.getByLabel('Part number (type or scan)').fill(families[0]?.part ?? '');
    await page.getByLabel('Injector serial (type or scan)').fill('INJ-LEAKY-1');
    await page.getByTestId('start-session').click();
    const outcome = await waitForOutcome(page);
    expect(await outcome.getAttribute('data-status')).toBe('completed');
    expect(await outcome.getAttribute('data-verdict')).toBe('fail');
    expect(await page.getByTestId('outcome-reason').textContent()).toContain('Back-leak');
    expect(await page.getByTestId('outcome-next').textContent()).toContain('Do not refit this injector');
    expect(await page.getByTestId('outcome-charge').textContent()).toContain('Credits charged: 0.');
    expect(await page.getByTestId('print-label').count()).toBe(0);
    expect(await page.getByTestId('label-preview').count()).toBe(0);
    const report = await downloadOf(page, () => page.keyboard.press('r'));
    expect(report.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'session-failed.png'), fullPage: true });

    await page.getByTestId('nav-admin').click();
    await expect.poll(() => page.getByTestId('credits-balance').getAttribute('data-balance')).toBe('60');
    expect(await page.locator('[data-testid="ledger-table"] tbody tr[data-kind="spend"]').count()).toBe(0);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});
