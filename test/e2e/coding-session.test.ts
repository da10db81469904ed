import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAccessibilityViolations } from '../helpers/accessibility';
import { setUpAdminAndTechnician, signInAs } from '../helpers/bench-setup';
import type { PageProblems } from '../helpers/browser';
import { callAs } from '../helpers/central-server';
import { e2eArtifacts, openWorkspacePage, type WorkspacePage } from '../helpers/e2e-workspace';
import { SUPPORT_SESSIONS_PATH } from '../../common/central-api/paths';

const artifacts = e2eArtifacts;
const PART = 'SYN-0445110-001';

describe('a technician codes injectors in headless Chromium against the demo bench', () => {
  let ui: WorkspacePage;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    ui = await openWorkspacePage('session', ['--demo', '--speed', '40', '--central-server', '0']);
    ({ page, problems } = ui);
    await setUpAdminAndTechnician(page);
    await page.getByTestId('sign-out').click();
    await signInAs(page, 'Tom Tech', '1357');
    await page.getByTestId('signed-in-as').filter({ hasText: 'Tom Tech · technician' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('shows the connected virtual bench', async () => {
    await page.getByTestId('nav-bench').click();
    await expect.poll(() => page.getByTestId('bench-status').textContent()).toMatch(/^Connected · tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(await page.getByTestId('bench-facts').textContent()).toContain('virtual-bench');
    await page.screenshot({ path: path.join(artifacts, 'bench.png'), fullPage: true });
  });

  it('runs a manual test within the pack limits: a measurement, no code, no charge, in the evidence; beyond the limits nothing runs', async () => {
    const creditsBefore = await page.evaluate(async () => (await (window as unknown as { bench: { getCredits(): Promise<{ ok: true; value: { balance: number } }> } }).bench.getCredits()).value.balance);
    await page.getByTestId('nav-bench').click();
    await page.getByLabel('Part number (type or scan)').fill(PART);
    await page.getByLabel('Injector serial (type or scan)').fill('INJ-MANUAL-1');
    // Within the bench's range, beyond what the pack tests this part at: the services refuse it.
    await page.getByLabel('Rail pressure (bar)').fill('2000');
    await page.getByTestId('run-manual-test').click();
    await expect.poll(() => page.getByTestId('manual-test-error').getAttribute('data-code'), { timeout: 30_000 }).toBe('OUT_OF_LIMITS');
    await page.getByLabel('Rail pressure (bar)').fill('800');
    await page.getByLabel('Energizing time (µs)').fill('550');
    await page.getByTestId('run-manual-test').click();
    await expect.poll(() => page.getByTestId('manual-delivery').textContent(), { timeout: 30_000 }).toMatch(/^\d+\.\d{2} mm³$/);
    expect(await page.getByTestId('manual-back-leak').textContent()).toMatch(/mL\/min$/);
    expect(await page.getByTestId('manual-test-result').textContent()).toContain('≤ 1600 bar');
    const creditsAfter = await page.evaluate(async () => (await (window as unknown as { bench: { getCredits(): Promise<{ ok: true; value: { balance: number } }> } }).bench.getCredits()).value.balance);
    expect(creditsAfter).toBe(creditsBefore);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'manual-test.png'), fullPage: true });
  });

  it('shows before Start what a part is coded with and the credits left; an unknown part never starts', async () => {
    await page.getByTestId('nav-session').click();
    await expect.poll(() => page.getByTestId('credits-before-start').textContent()).toMatch(/^Credits left: \d+\.$/);
    expect(await page.locator('#known-parts option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value))).toContain(PART);
    await page.getByLabel('Part number (type or scan)').fill('SYN-TYPO-0001');
    await page.getByLabel('Injector serial (type or scan)').fill('INJ-E2E-TYPO');
    await expect.poll(() => page.getByTestId('part-hint').textContent()).toMatch(/^Not a part number of the active packs/);
    expect(await page.getByTestId('start-session').isDisabled()).toBe(true);
    await page.getByLabel('Part number (type or scan)').fill(PART);
    await expect.poll(() => page.getByTestId('part-hint').textContent()).toMatch(/^Coded with bosch-like-cri \d+\.\d+\.\d+\.$/);
    expect(await page.getByTestId('start-session').isDisabled()).toBe(false);
    await page.getByLabel('Part number (type or scan)').fill('');
    await page.getByLabel('Injector serial (type or scan)').fill('');
  });

  it('codes an injector from identification to a verified code, with every gate and step on screen', async () => {
    await page.getByTestId('nav-session').click();
    // Typed as a keyboard-wedge scanner does: characters, then Enter, which moves on to the serial.
    await page.getByLabel('Part number (type or scan)').pressSequentially(PART);
    await page.keyboard.press('Enter');
    await page.keyboard.type('INJ-E2E-0001');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.press('Enter');
    // The run screen while a step measures: every test point, live delivery, back-leak and oil, on one screen.
    await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 30_000 }).toContain('Delivery step');
    await expect.poll(() => page.getByTestId('live-delivery').textContent(), { timeout: 30_000 }).toMatch(/^\d+\.\d{2} mm³$/);
    expect(await page.getByTestId('live-oil').textContent()).toMatch(/^\d+\.\d °C$/);
    expect(await page.getByTestId('live-back-leak').textContent()).toMatch(/mL\/min$/);
    expect(await page.locator('[data-testid="test-points"] [data-point]').count()).toBe(4);
    expect(await page.getByTestId('gates').getAttribute('data-all-passed')).toBe('true');
    await page.screenshot({ path: path.join(artifacts, 'run-screen-1280x800.png') });
    expect(await page.evaluate(() => ({ height: document.scrollingElement!.scrollHeight, viewport: window.innerHeight }))).toEqual({ height: 800, viewport: 800 });
    await expect.poll(() => page.getByTestId('outcome').getAttribute('data-status'), { timeout: 60_000 }).toBe('completed');
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(await page.getByTestId('outcome').getAttribute('data-verdict')).toBe('pass');
    expect(await page.getByTestId('correction-code').textContent()).toMatch(/^[A-HK-NPR-Z1-8]{7}$/);
    expect(await page.locator('[data-gate][data-passed="true"]').count()).toBe(6);
    expect(await page.locator('[data-testid="steps-table"] tbody tr').count()).toBe(4);
    expect(await page.locator('[data-testid="test-points"]').getAttribute('data-points')).toBe('4');
    expect(await page.locator('[data-testid="test-points"] [data-state="waiting"], [data-testid="test-points"] [data-state="measuring"]').count()).toBe(0);
    expect(await page.locator('[data-testid="phase-progress"] li[data-state="done"]').count()).toBe(7);
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
    // Honest progress: the phase it stopped in is marked, nothing after it shows as done, the header says aborted.
    const phaseStates = (): Promise<Record<string, string | null>> =>
      page.locator('[data-testid="phase-progress"] li').evaluateAll((items) => Object.fromEntries(items.map((item) => [item.getAttribute('data-phase'), item.getAttribute('data-state')])));
    expect(await phaseStates()).toEqual({ preflight: 'done', electrical: 'done', leak: 'done', delivery: 'failed', coding: 'skipped', writing: 'skipped', done: 'failed' });
    expect(await page.getByTestId('phase').textContent()).toMatch(/^Aborted/);
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

  it("syncs both sessions to the demo's local central server, where support finds them", async () => {
    const central = ui.workspace.centralServer;
    expect(central, 'npm start runs a local central server beside the demo bench').not.toBeNull();
    const token = readFileSync(central?.supportTokenFile ?? '', 'utf8').trim();
    const outcomes = async (): Promise<string[]> => {
      const answer = await callAs(token, central?.url ?? '', 'GET', SUPPORT_SESSIONS_PATH);
      expect(answer.status).toBe(200);
      return (answer.body as { sessions: { outcome: string }[] }).sessions.map((session) => session.outcome).sort();
    };
    await expect.poll(outcomes, { timeout: 30_000 }).toEqual(['aborted', 'passed']);
  });
});
