import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAccessibilityViolations } from '../helpers/accessibility';
import { signInAs } from '../helpers/bench-setup';
import type { PageProblems } from '../helpers/browser';
import { e2eArtifacts, openWorkspacePage, type WorkspacePage } from '../helpers/e2e-workspace';

const artifacts = e2eArtifacts;

describe('first run, operators and roles in headless Chromium', () => {
  let ui: WorkspacePage;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    ui = await openWorkspacePage('operators');
    ({ page, problems } = ui);
  });

  afterAll(async () => {
    await ui?.close();
  });

  const signIn = (name: string, pin: string) => signInAs(page, name, pin);

  it('sets up the first admin on a new bench, with the status visible before sign-in', async () => {
    await expect.poll(() => page.getByRole('heading', { name: 'Set up this bench' }).isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('part-store-state').textContent()).toBe('Running');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'first-run.png'), fullPage: true });
    await page.getByLabel('Admin name').fill('Ana Admin');
    await page.getByLabel('PIN (4–12 digits)').fill('246810');
    await page.getByLabel('Repeat the PIN').fill('246810');
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('Ana Admin · admin');
  });

  it('lets the admin add a technician', async () => {
    await page.getByTestId('nav-operators').click();
    await page.getByLabel('Name', { exact: true }).fill('Tom Tech');
    await page.getByLabel('Role', { exact: true }).selectOption('technician');
    await page.getByLabel('PIN (4–12 digits)').fill('1357');
    await page.getByRole('button', { name: 'Add operator' }).click();
    await expect.poll(() => page.getByTestId('operator-row-Tom Tech').isVisible()).toBe(true);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'operators.png'), fullPage: true });
  });

  it('lets the admin set the bench port, server and release channel, refusing a malformed port', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByLabel('Bench port').fill('COM-not-a-port');
    await page.getByTestId('save-settings').click();
    await expect.poll(() => page.getByTestId('settings-error').getAttribute('data-code')).toBe('INVALID_ARGUMENT');
    await page.getByLabel('Bench port').fill('tcp://127.0.0.1:4001');
    await page.getByLabel('Central server').fill('http://127.0.0.1:8780');
    await page.getByLabel('Release channel').selectOption('canary');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('settings-saved').waitFor();
    const saved = await page.evaluate(() => (window as unknown as { bench: { getSettings(): Promise<unknown> } }).bench.getSettings());
    expect(saved).toMatchObject({ ok: true, value: { benchPort: 'tcp://127.0.0.1:4001', serverUrl: 'http://127.0.0.1:8780', releaseChannel: 'canary' } });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'settings.png'), fullPage: true });
  });

  it('shows the admin the evidence of it and verifies the log', async () => {
    await page.getByTestId('nav-evidence').click();
    await expect.poll(() => page.locator('tr[data-type="admin.operator_created"]').count()).toBe(1);
    expect(await page.locator('tr[data-type="admin.operator_created"]').textContent()).toContain('Tom Tech');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await expect.poll(() => page.locator('tr[data-type="admin.operator_created"]').count()).toBe(0);
    expect(await page.locator('tr[data-type="auth.signed_in"]').count()).toBeGreaterThan(0);
    await page.getByTestId('verify-log').click();
    await expect.poll(() => page.getByTestId('log-verdict').textContent()).toMatch(/^Intact: \d+ entries/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'evidence.png'), fullPage: true });
    await page.getByTestId('sign-out').click();
  });

  it('shows a technician no admin actions, and the services refuse them too', async () => {
    await signIn('Tom Tech', '1357');
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('Tom Tech · technician');
    expect(await page.getByTestId('nav-operators').count()).toBe(0);
    expect(await page.getByTestId('nav-evidence').count()).toBe(0);
    await page.getByTestId('nav-settings').click();
    expect(await page.getByTestId('save-settings').isDisabled()).toBe(true);
    const forbidden = await page.evaluate(async () => {
      const bench = (window as unknown as { bench: { listOperators(): Promise<unknown>; updateSettings(input: unknown): Promise<unknown> } }).bench;
      return [await bench.listOperators(), await bench.updateSettings({ language: 'de' })];
    });
    expect(forbidden).toEqual([
      { ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('Only an admin') } },
      { ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('Only an admin') } },
    ]);
    await page.getByTestId('sign-out').click();
  });

  it('locks an operator out after five wrong PINs and says so', async () => {
    await page.getByTestId('operator-Tom Tech').click();
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await page.getByLabel('PIN', { exact: true }).fill(`000${attempt}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByTestId('sign-in-error').getAttribute('data-code')).toBe(attempt < 5 ? 'BAD_CREDENTIALS' : 'LOCKED_OUT');
    }
    expect(await page.getByTestId('sign-in-error').textContent()).toContain('locked');
    await page.screenshot({ path: path.join(artifacts, 'sign-in-locked.png'), fullPage: true });
  });

  it('lets the admin help a locked-out technician: a role change asks first, the PIN reset lifts the lockout', async () => {
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await signIn('Ana Admin', '246810');
    await page.getByTestId('nav-operators').click();
    await expect.poll(() => page.getByTestId('operator-state-Tom Tech').textContent()).toMatch(/^Locked until /);
    // A slip of the role drop-down changes nothing until confirmed.
    await page.getByLabel('Role of Tom Tech').selectOption('admin');
    await expect.poll(() => page.getByTestId('confirm-role-Tom Tech').textContent()).toContain('Make Tom Tech Admin?');
    await page.getByTestId('confirm-role-Tom Tech').getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByLabel('Role of Tom Tech').inputValue()).toBe('technician');
    const roleOf = await page.evaluate(async () => {
      const bench = (window as unknown as { bench: { listOperators(): Promise<{ ok: boolean; value: { name: string; role: string }[] }> } }).bench;
      return (await bench.listOperators()).value.find((operator) => operator.name === 'Tom Tech')?.role;
    });
    expect(roleOf).toBe('technician');
    await page.getByTestId('operator-row-Tom Tech').getByRole('button', { name: 'Reset PIN' }).click();
    await page.getByLabel('New PIN for Tom Tech (4–12 digits)').fill('8642');
    await page.getByRole('button', { name: 'Set PIN', exact: true }).click();
    await expect.poll(() => page.getByTestId('operator-state-Tom Tech').textContent()).toBe('Active');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'operators-reset.png'), fullPage: true });
    await page.getByTestId('sign-out').click();
    await signIn('Tom Tech', '8642');
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('Tom Tech · technician');
    await page.getByTestId('sign-out').click();
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});
