/**
 * The support web view in headless Chromium, as a support engineer uses it: signed out, the sessions list
 * sends them to the sign-in form; after signing in with the support token they filter, open a session
 * (steps, chart, integrity) and sign out. The strict CSP must not block anything the page needs.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { CHROMIUM_PATH, launchChromium, watchPage } from '../helpers/browser';
import { TEST_SUPPORT_TOKEN, startTestServer } from '../helpers/central-server';
import { openFleetBench, type FleetBench } from '../helpers/fleet-bench';

const artifacts = path.resolve('test-results', 'e2e');

describe('support web view in headless Chromium', () => {
  let dir: string;
  let server: CentralServer;
  let bench: FleetBench;
  let browser: Browser;
  const sessionIds: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (see .ci/run).`);
    mkdirSync(artifacts, { recursive: true });
    dir = mkdtempSync(path.join(os.tmpdir(), 'injbench-e2e-support-'));
    server = await startTestServer(`sqlite:${path.join(dir, 'server.sqlite')}`);
    mkdirSync(path.join(dir, 'bench'));
    bench = await openFleetBench(path.join(dir, 'bench'), server.url);
    sessionIds.push((await bench.runSession('INJ-E2E-0001')).sessionId);
    sessionIds.push((await bench.runSession('INJ-E2E-0002', { faults: { highLeak: true } })).sessionId);
    await bench.sync();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await bench?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in, filters, opens a session with its chart, and signs out, without console errors or CSP violations', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
    const problems = await watchPage(page);
    await page.goto(`${server.url}/support/sessions`);
    expect(page.url()).toBe(`${server.url}/support/sign-in`);
    await page.getByLabel('Password or support token').fill(TEST_SUPPORT_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/support/sessions`);
    // The cookie is invisible to scripts (HttpOnly).
    expect(await page.evaluate(() => document.cookie)).toBe('');
    // The stylesheet loaded under the CSP: the header has its colour.
    expect(await page.locator('header').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(31, 52, 72)');
    expect(await page.locator('tbody tr').count()).toBe(2);

    await page.getByLabel('Outcome').selectOption('failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/outcome=failed/);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('link', { name: sessionIds[1] ?? '' }).click();
    await page.waitForURL(new RegExp(`/support/sessions/${bench.benchId}/${sessionIds[1]}$`));
    expect(await page.locator('.status.sealed').textContent()).toContain('intact and sealed');
    expect(await page.locator('dd.outcome-failed').textContent()).toBe('failed (LEAK_FAIL)');

    await page.goto(`${server.url}/support/sessions/${bench.benchId}/${sessionIds[0]}`);
    const chart = page.getByRole('img', { name: /Measured delivery against the tolerance band/ });
    expect(await chart.isVisible()).toBe(true);
    expect(await page.locator('svg.chart circle').count()).toBe(4);
    await page.screenshot({ path: path.join(artifacts, 'support-session.png'), fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${server.url}/support/sign-in`);
    await page.goto(`${server.url}/support/sessions`);
    expect(page.url()).toBe(`${server.url}/support/sign-in`);
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});
