import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchInstant, benchWallClock, formatBenchTime } from '../../electron/contract/bench-time';
import { seriousAccessibilityViolations } from '../helpers/accessibility';
import { setUpAdminAndTechnician, signInAs } from '../helpers/bench-setup';
import type { PageProblems } from '../helpers/browser';
import { e2eArtifacts, openWorkspacePage, type WorkspacePage } from '../helpers/e2e-workspace';

const artifacts = e2eArtifacts;
const FAMILY = 'bosch-like-cri';
/** The bench's zone, far from the machine's (UTC in CI): a pin end read in the browser's zone would be 9 hours off. */
const BENCH_ZONE = 'Asia/Tokyo';

describe('releases: an admin pins, the pin expires, a technician only looks (headless Chromium, demo bench)', () => {
  let ui: WorkspacePage;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    ui = await openWorkspacePage('releases', ['--demo', '--speed', '40', '--central-server', '0']);
    ({ page, problems } = ui);
    await setUpAdminAndTechnician(page);
    await page.getByTestId('nav-settings').click();
    await page.getByLabel('Time zone').fill(BENCH_ZONE);
    await page.getByTestId('save-settings').click();
    await page.getByTestId('settings-saved').waitFor();
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('shows the admin each family: active pack, channel, freshness and the versions with release notes', async () => {
    await page.getByTestId('nav-releases').click();
    await expect.poll(() => page.getByTestId(`release-${FAMILY}-active`).textContent(), { timeout: 15_000 }).toBe('1.0.0 (release 1)');
    expect(await page.getByTestId(`release-${FAMILY}-decided`).textContent()).toBe('bench channel stable');
    expect(await page.getByTestId(`release-${FAMILY}-freshness`).textContent()).toBe('Fresh');
    expect(await page.getByTestId(`release-${FAMILY}-version-1.1.0`).textContent()).toContain('Tightens the idle delivery tolerance');
    expect(await page.getByTestId('releases-source').textContent()).toContain('directory');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
  });

  it('asks for reason and ticket, then pins to 1.1.0: the active pack changes', async () => {
    await page.getByRole('button', { name: `Pin 1.1.0 of ${FAMILY}` }).click();
    await page.getByLabel('Reason').fill('trial of the tighter idle tolerance');
    expect(await page.getByTestId('confirm-release-change').isDisabled()).toBe(true);
    await page.getByLabel('Ticket').fill('OPS-7');
    // The form offers a week from now on the bench's clock (Tokyo), and names the zone.
    const offered = benchInstant(await page.getByLabel('Pin ends at').inputValue(), BENCH_ZONE);
    expect(Math.abs(Date.parse(offered ?? '') - (Date.now() + 7 * 86_400_000))).toBeLessThan(120_000);
    expect(await page.getByTestId('release-change-form').textContent()).toContain(`Time at the bench (${BENCH_ZONE})`);
    // Short, so the expiry can be watched: 25 s from now, on the bench's clock (read in the browser's zone it would be 9 hours away).
    const endsAt = benchWallClock(new Date(Date.now() + 25_000).toISOString(), BENCH_ZONE);
    await page.getByLabel('Pin ends at').fill(endsAt);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'releases-pin-form.png'), fullPage: true });
    await page.getByTestId('confirm-release-change').click();
    await expect.poll(() => page.getByTestId(`release-${FAMILY}-active`).textContent(), { timeout: 15_000 }).toBe('1.1.0 (release 2)');
    await page.getByTestId('release-change-form').waitFor({ state: 'detached' });
    expect(await page.getByTestId(`release-${FAMILY}-pin`).textContent()).toMatch(/^1\.1\.0 until /);
    // Tokyo's clock, without the zone's name (ICU builds name zones differently).
    const pinEnd = formatBenchTime(benchInstant(endsAt, BENCH_ZONE) ?? '', BENCH_ZONE, 'en').replace(/\s/g, ' ');
    const decided = ((await page.getByTestId(`release-${FAMILY}-decided`).textContent()) ?? '').replace(/\s/g, ' ');
    expect(decided.startsWith(`local pin: 1.1.0 until ${pinEnd.slice(0, pinEnd.lastIndexOf(' '))}`), decided).toBe(true);
    expect(await page.getByTestId('releases-notice').textContent()).toContain('Pinned.');
    await page.screenshot({ path: path.join(artifacts, 'releases.png'), fullPage: true });
  });

  it('says why a downgrade pin is refused and what to do', async () => {
    await page.getByRole('button', { name: `Pin 1.0.0 of ${FAMILY}` }).click();
    await page.getByLabel('Reason').fill('go back to stable');
    await page.getByLabel('Ticket').fill('OPS-8');
    await page.getByTestId('confirm-release-change').click();
    await expect.poll(() => page.getByTestId('releases-error').getAttribute('data-code')).toBe('DOWNGRADE_REFUSED');
    expect(await page.getByTestId('releases-error').textContent()).toContain('roll back to the last-known-good');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('records the pin in the evidence with actor, reason, ticket and gates', async () => {
    await page.getByTestId('nav-evidence').click();
    await expect.poll(() => page.locator('tr[data-type="releases.pinned"]').count()).toBe(1);
    const row = await page.locator('tr[data-type="releases.pinned"]').textContent();
    expect(row).toContain('OPS-7');
    expect(row).toContain('Ana Admin');
    expect(await page.locator('tr[data-type="releases.pin_refused"]').count()).toBe(1);
  });

  it('expires the pin at its end time: the bench returns to its channel and the expiry is recorded', async () => {
    await page.getByTestId('nav-releases').click();
    await expect.poll(() => page.getByTestId(`release-${FAMILY}-active`).textContent(), { timeout: 60_000, interval: 1000 }).toBe('1.0.0 (release 1)');
    expect(await page.getByTestId(`release-${FAMILY}-pin`).textContent()).toBe('none');
    expect(await page.getByTestId(`release-${FAMILY}-decided`).textContent()).toBe('bench channel stable');
    await page.getByTestId('nav-evidence').click();
    await expect.poll(() => page.locator('tr[data-type="releases.pin_expired"]').count()).toBe(1);
    expect(await page.locator('tr[data-type="releases.pin_expired"]').textContent()).toContain('OPS-7');
  }, 90_000);

  it('refreshes on demand from the configured source, with reason and ticket', async () => {
    await page.getByTestId('nav-releases').click();
    await page.getByTestId('refresh-releases').click();
    expect(await page.getByLabel('Source', { exact: true }).inputValue()).toBe('configured');
    await page.getByLabel('Reason').fill('weekly check of the release source');
    await page.getByLabel('Ticket').fill('OPS-20');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.getByTestId('confirm-release-change').click();
    await expect.poll(() => page.getByTestId('releases-notice').textContent()).toMatch(/^Refreshed from .*demo-repository: 0 activated, 3 unchanged, 0 refused\.$/);
    await page.getByTestId('sign-out').click();
  });

  it('shows a technician the active packs and their freshness, no admin actions, and the services refuse them', async () => {
    await signInAs(page, 'Tom Tech', '1357');
    await page.getByTestId('signed-in-as').filter({ hasText: 'Tom Tech · technician' }).waitFor();
    await page.getByTestId('nav-releases').click();
    await expect.poll(() => page.getByTestId(`release-${FAMILY}-active`).textContent()).toBe('1.0.0 (release 1)');
    expect(await page.getByTestId(`release-${FAMILY}-freshness`).textContent()).toBe('Fresh');
    expect(await page.getByTestId('refresh-releases').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Pin|Hold) / }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Pin to channel' }).count()).toBe(0);
    const forbidden = await page.evaluate(() =>
      (window as unknown as { bench: { pinRelease(input: unknown): Promise<unknown> } }).bench.pinRelease({
        family: 'bosch-like-cri',
        target: { version: '1.1.0' },
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        reason: 'not allowed',
        ticket: 'OPS-9',
      }),
    );
    expect(forbidden).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('Only an admin') } });
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'releases-technician.png'), fullPage: true });
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});
