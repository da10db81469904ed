/**
 * The support web view in headless Chromium, as a support engineer uses it: signed out, the sessions list
 * sends them to the sign-in form; after signing in with the support token they filter, open a session
 * (steps, chart, integrity) and sign out. The strict CSP must not block anything the page needs.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { TEST_SUPPORT_TOKEN, startTestServer } from '../helpers/central-server';
import { e2eArtifacts, openE2ePage, type E2ePage, type Served } from '../helpers/e2e-workspace';
import { openFleetBench, type FleetBench } from '../helpers/fleet-bench';

const artifacts = e2eArtifacts;

/**
 * What this test serves instead of a workspace: a central server with two sessions a fleet bench coded
 * (one healthy, one with a high back-leak) and synced; the page opens on its support view.
 */
async function serveSupport(root: string): Promise<Served & { server: CentralServer; bench: FleetBench; sessionIds: string[] }> {
  const server = await startTestServer(`sqlite:${path.join(root, 'server.sqlite')}`);
  let bench: FleetBench | null = null;
  try {
    mkdirSync(path.join(root, 'bench'));
    bench = await openFleetBench(path.join(root, 'bench'), server.url);
    const sessionIds = [(await bench.runSession('INJ-E2E-0001')).sessionId, (await bench.runSession('INJ-E2E-0002', { faults: { highLeak: true } })).sessionId];
    await bench.sync();
    const opened = bench;
    return {
      url: `${server.url}/support/sessions`,
      server,
      bench,
      sessionIds,
      stop: async () => {
        await opened.close();
        await server.close();
      },
    };
  } catch (error) {
    await bench?.close();
    await server.close();
    throw error;
  }
}

describe('support web view in headless Chromium', () => {
  let ui: E2ePage<Awaited<ReturnType<typeof serveSupport>>>;
  let server: CentralServer;
  let bench: FleetBench;
  let sessionIds: string[];

  beforeAll(async () => {
    ui = await openE2ePage('support', serveSupport, { width: 1100, height: 1300 });
    ({ server, bench, sessionIds } = ui.served);
  });

  afterAll(async () => {
    await ui?.close();
  });

  it('signs in, filters, opens a session with its chart, and signs out, without console errors or CSP violations', async () => {
    const { page, problems } = ui;
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
