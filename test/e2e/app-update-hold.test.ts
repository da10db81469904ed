/**
 * Issue 19, item 5 as the workshop's admin meets it, in headless Chromium against the workspace: the
 * admin holds app updates with a reason and ticket, sees who holds them since when and why, and releases
 * the hold after confirming; the hold is the file the update policy reads. A technician sees no hold form,
 * and the services refuse the hold to a technician's session.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_HOLD_FILE } from '../../electron/services/app-update/bench-ports';
import { seriousAccessibilityViolations } from '../helpers/accessibility';
import { setUpAdminAndTechnician, signInAs } from '../helpers/bench-setup';
import type { PageProblems } from '../helpers/browser';
import { e2eArtifacts, openWorkspacePage, type WorkspacePage } from '../helpers/e2e-workspace';

describe('an admin holds and releases app updates; a technician cannot', () => {
  let ui: WorkspacePage;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    ui = await openWorkspacePage('app-hold', ['--central-server', '0']);
    ({ page, problems } = ui);
    await setUpAdminAndTechnician(page);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('admin: holds app updates with a reason and ticket, and sees who holds them, since when and why', async () => {
    await page.getByTestId('nav-admin').click();
    const panel = page.getByTestId('app-hold');
    await expect.poll(() => panel.getByTestId('app-hold-current').getAttribute('data-held')).toBe('none');
    expect(await panel.getByTestId('app-hold-current').textContent()).toContain('App updates are not held');
    await // The limit is the pins' own (MAX_PIN_DAYS, 90 days).
    await panel.getByLabel('Hold for (hours, at most 2160)').fill('48');
    await panel.getByLabel('Reason').fill('audit week: no app change on the bench');
    expect(await panel.getByTestId('hold-app-updates').isDisabled()).toBe(true);
    await panel.getByLabel('Ticket').fill('OPS-31');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await panel.getByTestId('hold-app-updates').click();

    await expect.poll(() => panel.getByTestId('app-hold-current').getAttribute('data-held')).toBe('app');
    const shown = (await panel.getByTestId('app-hold-current').textContent()) ?? '';
    expect(shown).toMatch(/^Held by Ana Admin \(op-[^)]+\) since .+, until .+\./);
    expect(shown).toContain('Reason: audit week: no app change on the bench (ticket OPS-31)');
    // Dates as people read them, not ISO strings.
    expect(shown).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(await panel.getByTestId('app-hold-notice').textContent()).toBe('App updates are held.');
    // The hold is the file the update policy reads, with the ticket and a 48-hour end.
    const file = JSON.parse(readFileSync(path.join(ui.dataDir, APP_HOLD_FILE), 'utf8')) as { ticket: string; since: string; until: string };
    expect(file.ticket).toBe('OPS-31');
    expect(Date.parse(file.until) - Date.parse(file.since)).toBe(48 * 3_600_000);
    await page.screenshot({ path: path.join(e2eArtifacts, 'app-hold-held.png'), fullPage: true });
  });

  it('admin: releases the hold only after confirming it', async () => {
    const panel = page.getByTestId('app-hold');
    await panel.getByLabel('Reason').fill('audit over');
    await panel.getByLabel('Ticket').fill('OPS-31');
    await panel.getByTestId('release-app-hold').click();
    const confirm = panel.getByTestId('confirm-release-app-hold');
    expect(await confirm.textContent()).toContain('Release the hold set by Ana Admin');
    // Cancel keeps the hold.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await panel.getByTestId('app-hold-current').getAttribute('data-held')).toBe('app');
    expect(existsSync(path.join(ui.dataDir, APP_HOLD_FILE))).toBe(true);

    await panel.getByTestId('release-app-hold').click();
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(e2eArtifacts, 'app-hold-release-confirm.png'), fullPage: true });
    await panel.getByTestId('confirm-release-app-hold-button').click();
    await expect.poll(() => panel.getByTestId('app-hold-current').getAttribute('data-held')).toBe('none');
    expect(await panel.getByTestId('app-hold-notice').textContent()).toBe('The hold is released.');
    expect(existsSync(path.join(ui.dataDir, APP_HOLD_FILE))).toBe(false);
    // Both changes are in the evidence.
    await page.getByTestId('nav-evidence').click();
    await expect.poll(() => page.locator('tr[data-type="app-update.hold.set"]').count()).toBe(1);
    expect(await page.locator('tr[data-type="app-update.hold.released"]').count()).toBe(1);
  });

  it('technician: no Admin view and no hold form anywhere, and the services refuse a hold', async () => {
    await page.getByTestId('sign-out').click();
    await signInAs(page, 'Tom Tech', '1357');
    await page.getByTestId('signed-in-as').filter({ hasText: 'Tom Tech · technician' }).waitFor();
    expect(await page.getByTestId('nav-admin').count()).toBe(0);
    await page.getByTestId('nav-releases').click();
    await page.getByRole('heading', { name: 'Releases' }).waitFor();
    expect(await page.getByTestId('app-hold').count()).toBe(0);
    expect(await page.getByTestId('hold-app-updates').count()).toBe(0);
    const refused = await page.evaluate(async () => {
      const bench = (window as unknown as { bench: { holdAppUpdates(input: unknown): Promise<{ ok: boolean; error?: { code: string } }> } }).bench;
      return bench.holdAppUpdates({ hours: 1, reason: 'let me try', ticket: 'OPS-1' });
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(existsSync(path.join(ui.dataDir, APP_HOLD_FILE))).toBe(false);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});
