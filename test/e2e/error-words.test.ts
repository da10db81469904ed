import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorDetailsDe, errorMessagesDe } from '../../renderer/src/i18n/errors.de';
import { seriousAccessibilityViolations } from '../helpers/accessibility';
import { setUpAdminAndTechnician } from '../helpers/bench-setup';
import { e2eArtifacts, openWorkspacePage, type WorkspacePage } from '../helpers/e2e-workspace';

/** The bench's zone is far from the machine's (UTC in CI), so a time shown in it cannot be the machine's by chance. */
const BENCH_ZONE = 'Asia/Tokyo';
const TOKYO_OFFSET_MS = 9 * 3600_000;
const LOCKOUT_MS = 300_000;

/** "HH:MM" of an instant in Tokyo, computed without Intl: what the screen must show for the lock-out. */
function tokyoClock(ms: number): string {
  const shifted = new Date(ms + TOKYO_OFFSET_MS);
  return `${String(shifted.getUTCHours()).padStart(2, '0')}:${String(shifted.getUTCMinutes()).padStart(2, '0')}`;
}

describe('service errors in the catalog words of the language, in headless Chromium', () => {
  let ui: WorkspacePage;
  let page: Page;

  beforeAll(async () => {
    ui = await openWorkspacePage('error-words');
    page = ui.page;
  });

  afterAll(async () => {
    await ui?.close();
  });

  it('an admin switches the bench to German in the Tokyo time zone; a bad setting is refused in German words with its code', async () => {
    await expect.poll(() => page.getByRole('heading', { name: 'Set up this bench' }).isVisible(), { timeout: 15_000 }).toBe(true);
    await setUpAdminAndTechnician(page);
    await page.getByTestId('nav-settings').click();
    await page.getByLabel('Language').selectOption('de');
    await page.getByLabel('Time zone').fill(BENCH_ZONE);
    await page.getByTestId('save-settings').click();
    await expect.poll(() => page.getByTestId('nav-settings').textContent()).toBe('Einstellungen');

    await page.getByLabel('Prüfstandsanschluss').fill('COM-not-a-port');
    await page.getByTestId('save-settings').click();
    await expect.poll(() => page.getByTestId('settings-error').getAttribute('data-code')).toBe('INVALID_ARGUMENT');
    expect(await page.getByTestId('settings-error-text').textContent()).toBe(errorMessagesDe.INVALID_ARGUMENT);
    expect(await page.getByTestId('settings-error').textContent()).toContain('(INVALID_ARGUMENT)');
    await page.getByTestId('sign-out').click();
    // A fresh start, as the next morning: nobody has signed in, so no settings are loaded; the bench's zone
    // reaches the sign-in screen through the public status alone.
    await page.reload();
    await expect.poll(() => page.getByTestId('operator-Tom Tech').isVisible(), { timeout: 15_000 }).toBe(true);
  });

  it('a wrong PIN says in German what happened, how many tries are left, and shows the code', async () => {
    await page.getByTestId('operator-Tom Tech').click();
    await page.getByLabel('PIN', { exact: true }).fill('0001');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect.poll(() => page.getByTestId('sign-in-error').getAttribute('data-code')).toBe('BAD_CREDENTIALS');
    expect(await page.getByTestId('sign-in-error-text').textContent()).toBe(errorMessagesDe.BAD_CREDENTIALS);
    expect(await page.getByTestId('sign-in-error-detail').textContent()).toBe(`Details: ${errorDetailsDe.BAD_CREDENTIALS.replace('{triesLeft}', '4')}`);
    expect(await page.getByTestId('sign-in-error').textContent()).toContain('(BAD_CREDENTIALS)');
  });

  it('the lock-out says in German until when, in the bench time zone, never as an ISO string', async () => {
    for (let attempt = 2; attempt <= 4; attempt += 1) {
      await page.getByLabel('PIN', { exact: true }).fill(`000${attempt}`);
      await page.getByRole('button', { name: 'Anmelden' }).click();
      await expect.poll(() => page.getByTestId('sign-in-error-detail').textContent()).toContain(`: ${5 - attempt}.`);
    }
    const before = Date.now();
    await page.getByLabel('PIN', { exact: true }).fill('0005');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await expect.poll(() => page.getByTestId('sign-in-error').getAttribute('data-code')).toBe('LOCKED_OUT');
    const after = Date.now();
    expect(await page.getByTestId('sign-in-error-text').textContent()).toBe(errorMessagesDe.LOCKED_OUT);
    expect(await page.getByTestId('sign-in-error').textContent()).toContain('(LOCKED_OUT)');
    const detail = (await page.getByTestId('sign-in-error-detail').textContent()) ?? '';
    expect(detail).toMatch(/^Details: Tom Tech ist gesperrt bis .+\.$/);
    expect(detail).not.toMatch(/\d{4}-\d\d-\d\dT/);
    const clocks = new Set([tokyoClock(before + LOCKOUT_MS), tokyoClock(after + LOCKOUT_MS)]);
    expect([...clocks].some((clock) => detail.includes(clock)), `${detail} shows one of ${[...clocks].join(', ')} (Tokyo)`).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(e2eArtifacts, 'sign-in-locked-de.png'), fullPage: true });
  });
});
