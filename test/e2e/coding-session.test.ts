import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAccessibilityViolations } from '../helpers/accessibility';
import { launchChromium, watchPage, type PageProblems } from '../helpers/browser';
import { startWorkspaceProcess, type WorkspaceProcess } from '../helpers/workspace-process';

const artifacts = path.resolve('test-results', 'e2e');
const PART = 'SYN-0445110-001';

describe('a technician codes injectors in headless Chromium against the demo bench', () => {
  let workspace: WorkspaceProcess;
  let browser: Browser;
  let dataDir: string;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'injbench-e2e-session-'));
    workspace = await startWorkspaceProcess(dataDir, ['--demo', '--speed', '40']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = await watchPage(page);
    await page.goto(workspace.url);
    await page.getByLabel('Admin name').fill('Ana Admin');
    await page.getByLabel('PIN (4–12 digits)').fill('246810');
    await page.getByLabel('Repeat the PIN').fill('246810');
    await page.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.getByTestId('nav-operators').click();
    await page.getByLabel('Name', { exact: true }).fill('Tom Tech');
    await page.getByLabel('PIN (4–12 digits)').fill('1357');
    await page.getByRole('button', { name: 'Add operator' }).click();
    await page.getByTestId('operator-row-Tom Tech').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('operator-Tom Tech').click();
    await page.getByLabel('PIN', { exact: true }).fill('1357');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-as').filter({ hasText: 'Tom Tech · technician' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await workspace?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the connected virtual bench', async () => {
    await page.getByTestId('nav-bench').click();
    await expect.poll(() => page.getByTestId('bench-status').textContent()).toMatch(/^Connected · tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(await page.getByTestId('bench-facts').textContent()).toContain('virtual-bench');
    await page.screenshot({ path: path.join(artifacts, 'bench.png'), fullPage: true });
  });

  it('codes an injector from identification to a verified code, with every gate and step on screen', async () => {
    await page.getByTestId('nav-session').click();
    // Typed as a keyboard-wedge scanner does: characters, then Enter, which moves on to the serial.
    await page.getByLabel('Part number (type or scan)').pressSequentially(PART);
    await page.keyboard.press('Enter');
    await page.keyboard.type('INJ-E2E-0001');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('outcome').getAttribute('data-status'), { timeout: 60_000 }).toBe('completed');
    expect(await page.getByTestId('outcome').getAttribute('data-verdict')).toBe('pass');
    expect(await page.getByTestId('correction-code').textContent()).toMatch(/^[A-HK-NPR-Z1-8]{7}$/);
    expect(await page.locator('[data-gate][data-passed="true"]').count()).toBe(5);
    expect(await page.locator('[data-testid="steps-table"] tbody tr').count()).toBe(4);
    expect(await page.locator('[data-testid="delivery-chart"] canvas').count()).toBeGreaterThan(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'session-pass.png'), fullPage: true });
  });

  it('keeps the part number for the next injector and aborts mid-step with Escape: SAFE, nothing charged', async () => {
    await page.keyboard.press('n');
    await expect.poll(() => page.getByLabel('Part number (type or scan)').inputValue()).toBe(PART);
    await page.getByLabel('Injector serial (type or scan)').fill('INJ-E2E-0002');
    await page.getByTestId('start-session').click();
    await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 30_000 }).toContain('Delivery step');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('outcome').getAttribute('data-status'), { timeout: 30_000 }).toBe('aborted');
    expect(await page.getByTestId('outcome-reason').textContent()).toContain('ABORTED_BY_OPERATOR');
    await page.screenshot({ path: path.join(artifacts, 'session-aborted.png'), fullPage: true });
  });

  it('lists both sessions in the history and reopens a report', async () => {
    await page.getByTestId('nav-history').click();
    await expect.poll(() => page.locator('[data-testid="history-table"] tbody tr').count()).toBe(2);
    const rows = await page.locator('[data-testid="history-table"] tbody tr').allTextContents();
    expect(rows[0]).toContain('aborted');
    expect(rows[1]).toContain('pass');
    await page.locator('[data-testid="history-table"] tbody tr').nth(1).getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByTestId('outcome').getAttribute('data-verdict')).toBe('pass');
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});
