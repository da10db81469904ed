/**
 * Words for people, in headless Chromium against the demo bench: with German chosen and a bench in New
 * York, History and Evidence show German dates in the bench's zone (not ISO), Evidence says in words who
 * did what, and the Status page shows a technician's items with the support details folded away.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchDay, benchInstant, formatBenchTime } from '../../electron/contract/bench-time';
import { seriousAccessibilityViolations } from '../helpers/accessibility';
import { setUpAdminAndTechnician } from '../helpers/bench-setup';
import type { PageProblems } from '../helpers/browser';
import { e2eArtifacts, openWorkspacePage, type WorkspacePage } from '../helpers/e2e-workspace';

const artifacts = e2eArtifacts;
const PART = 'SYN-0445110-001';
// Not the machine's zone (the browser's own would pass by accident): the bench is set to New York.
const BENCH_ZONE = 'America/New_York';

/** A German date with time ("22. Nov. 2026, 18:30 …"), never an ISO instant. */
const germanDateTime = /^\d{1,2}\. [A-ZÄÖÜ][a-zäöü]{2,3}\.? \d{4}, \d{2}:\d{2}\s\S+/;

/** The date and time as Node words them for the bench zone, without the zone name (ICU builds name zones differently). */
function expectedLocal(iso: string): string {
  const full = formatBenchTime(iso, BENCH_ZONE, 'de').replace(/\s/g, ' ');
  return full.slice(0, full.lastIndexOf(' '));
}

describe('dates, evidence and status in words, in German', () => {
  let ui: WorkspacePage;
  let page: Page;
  let problems: PageProblems;
  const call = <T,>(method: string, input: unknown = {}): Promise<T> =>
    page.evaluate(
      async ([name, value]) => {
        const bench = (window as unknown as { bench: Record<string, (input: unknown) => Promise<{ ok: boolean; value: unknown }>> }).bench;
        const result = await bench[name as string]!(value);
        if (!result.ok) throw new Error(JSON.stringify(result));
        return result.value;
      },
      [method, input] as const,
    ) as Promise<T>;

  beforeAll(async () => {
    ui = await openWorkspacePage('words-time', ['--demo', '--speed', '40', '--central-server', '0']);
    ({ page, problems } = ui);
    await setUpAdminAndTechnician(page);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('switches the bench to German and a New York time zone in Settings', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByLabel('Language').selectOption('de');
    await page.getByLabel('Time zone').fill(BENCH_ZONE);
    await page.getByTestId('save-settings').click();
    await expect.poll(() => page.getByTestId('nav-history').textContent()).toBe('Verlauf');
  });

  it('codes an injector and shows its start in History as a German date in the bench zone', async () => {
    await page.getByTestId('nav-session').click();
    await page.getByLabel('Teilenummer (tippen oder scannen)').fill(PART);
    await page.getByLabel('Seriennummer des Injektors (tippen oder scannen)').fill('INJ-WORDS-0001');
    await page.getByTestId('start-session').click();
    await expect.poll(() => page.getByTestId('outcome').getAttribute('data-status'), { timeout: 90_000 }).toBe('completed');

    await page.getByTestId('nav-history').click();
    const started = page.getByTestId('history-started').first();
    await expect.poll(() => started.textContent(), { timeout: 15_000 }).toMatch(germanDateTime);
    const sessions = await call<Array<{ startedAt: string }>>('listCodingSessions');
    const text = ((await started.textContent()) ?? '').replace(/\s/g, ' ');
    expect(text.startsWith(expectedLocal(sessions[0]!.startedAt)), `${text} in ${BENCH_ZONE}`).toBe(true);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'history-de.png'), fullPage: true });
  }, 120_000);

  it("filters History by the bench's days: from its midnight to the end of the day in New York, and finds the session", async () => {
    const sessions = await call<Array<{ startedAt: string }>>('listCodingSessions');
    const day = benchDay(sessions[0]!.startedAt, BENCH_ZONE);
    await page.locator('#history-from').fill(day);
    await page.locator('#history-to').fill(day);
    const asked = page.waitForRequest((request) => request.url().endsWith('/api/call/listCodingSessions'));
    await page.getByRole('button', { name: 'Filtern' }).click();
    const { input } = (await asked).postDataJSON() as { input: { from?: string; to?: string } };
    // New York's midnight, not the machine's (UTC here): five hours apart in winter.
    expect(input).toMatchObject({ from: benchInstant(`${day}T00:00:00`, BENCH_ZONE), to: benchInstant(`${day}T23:59:59.999`, BENCH_ZONE) });
    expect(input.from).toMatch(/T0[45]:00:00\.000Z$/);
    await expect.poll(() => page.getByTestId('history-started').count()).toBe(1);
  });

  it('describes evidence entries in German words, the raw kind small beneath, with German local times', async () => {
    await page.getByTestId('nav-evidence').click();
    const created = page.locator('tr[data-type="admin.operator_created"]');
    await expect.poll(() => created.count()).toBe(1);
    expect(await created.getByTestId('evidence-words').textContent()).toBe('Ana Admin hat Techniker Tom Tech angelegt.');
    expect(await created.getByTestId('evidence-kind').textContent()).toBe('admin.operator_created');
    const time = ((await created.getByTestId('evidence-time').textContent()) ?? '').replace(/\s/g, ' ');
    expect(time).toMatch(germanDateTime);
    const entries = await call<{ entries: Array<{ type: string; recordedAt: string }> }>('listEvidence', { typePrefix: 'admin.' });
    const recordedAt = entries.entries.find((entry) => entry.type === 'admin.operator_created')!.recordedAt;
    expect(time.startsWith(expectedLocal(recordedAt))).toBe(true);
    // A finished session, in words too.
    const completed = page.locator('tr[data-type="session.completed"]').first();
    expect(await completed.getByTestId('evidence-words').textContent()).toMatch(/^Prüfung ses-\S+ an INJ-WORDS-0001 \(SYN-0445110-001\) beendet: bestanden\.$/);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'evidence-de.png'), fullPage: true });
  });

  it('shows the technician items on the Status page with the details for support folded away', async () => {
    await page.getByTestId('nav-status').click();
    await expect.poll(() => page.getByTestId('status-technician').isVisible()).toBe(true);
    expect(await page.getByTestId('status-tech-bench').textContent()).toContain('Verbunden');
    expect(await page.getByTestId('status-tech-packs').textContent()).toMatch(/bosch-like-cri \d+\.\d+\.\d+/);
    expect(await page.getByTestId('status-tech-credits').textContent()).toMatch(/\d+/);
    expect(await page.getByTestId('status-tech-calibration').textContent()).toMatch(/\d{2}\.\d{2}\.\d{4}/);
    // The demo's own central server: reachable, with the last sync as a German date in the bench zone.
    await expect.poll(() => page.getByTestId('status-tech-server').textContent(), { timeout: 30_000 }).toMatch(/Erreichbar, zuletzt synchronisiert \d{1,2}\. [A-ZÄÖÜ][a-zäöü]{2,3}\.? \d{4}, \d{2}:\d{2}/);
    // Closed by default: schema, WAL and paths are in the page for support, not on a technician's screen.
    const details = page.getByTestId('status-details');
    expect(await details.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    expect(await page.getByTestId('fact-store-journal').isVisible()).toBe(false);
    expect(await page.getByTestId('status-technician').textContent()).not.toMatch(/WAL|Schema|sqlite/i);
    await page.getByText('Details für den Support').click();
    await expect.poll(() => page.getByTestId('fact-store-journal').isVisible()).toBe(true);
    expect(await page.getByTestId('fact-store-journal').textContent()).toBe('WAL');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(artifacts, 'status-de.png'), fullPage: true });
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
  });
});
