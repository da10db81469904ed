/**
 * The bench app's UI performance, driven through headless Chromium against workspace mode with the demo
 * bench (virtual bench, demo packs, demo credits), all on 127.0.0.1.
 *
 *   npm run bench:ui -- [loads=5] [speed=10]        (or: npx tsx bench/ui.ts 5 10)
 *
 * 1. First meaningful paint: navigation start until the session view (which needs the services' answers)
 *    is painted, median of `loads` cold loads. Target: < 1000 ms.
 * 2. Initial JavaScript: every script the first load fetches (app bundle and workspace bridge), gzip -9.
 *    Target: <= 350 KB.
 * 3. Live updates during a whole test plan (virtual bench at `speed`× real time, sending live values at
 *    40 Hz): progress batches with live values the services published (at most 20 a second) against the batches the renderer drew
 *    (counted on the live-values element); steps published against points measured on the test-point bars. Target: none
 *    dropped.
 * 4. Long tasks (PerformanceObserver 'longtask') in the page during that plan. Target: none over 50 ms.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { CodingSessionEvent } from '../electron/contract/coding-session';
import { createBenchServices } from '../electron/services/bench-services';
import { prepareDemoBench } from '../demo/demo-bench';
import { createLogger } from '../common/logger';
import { hashPin } from '../common/pin-hash';
import { startWorkspaceHost } from '../electron/workspace/workspace-host';
import { buildAll } from '../scripts/build.mjs';
import { launchChromium } from '../test/helpers/browser';

const loads = Number(process.argv[2] ?? 5);
const speed = Number(process.argv[3] ?? 10);
const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const work = mkdtempSync(path.join(os.tmpdir(), 'injbench-bench-ui-'));
const PART = 'SYN-0445110-001';
/** The virtual bench sends live values every 25 ms (40 Hz), so the services' 20-a-second cap is what the page gets. */
const LIVE_SOURCE_MS = 25;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function verdict(met: boolean): string {
  return met ? 'MET' : 'NOT MET';
}

/**
 * Installed before any page script: records long tasks, and when the selector first exists, the next
 * frame is its paint. Plain JavaScript source: tsx would add helpers to a function that the page lacks.
 */
function paintProbe(selector: string): string {
  return `(() => {
    const state = window;
    state.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) state.__longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
    const check = () => {
      if (state.__meaningfulPaint !== undefined || !document.querySelector(${JSON.stringify(selector)})) return false;
      requestAnimationFrame(() => { if (state.__meaningfulPaint === undefined) state.__meaningfulPaint = performance.now(); });
      return true;
    };
    const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
    observer.observe(document, { childList: true, subtree: true });
  })();`;
}

async function scriptBytes(page: Page): Promise<{ files: string[]; raw: number; gzip: number }> {
  const urls = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => entry.name)
      .filter((name) => new URL(name).pathname.endsWith('.js')),
  );
  const files = urls.map((url) => {
    const pathname = new URL(url).pathname;
    return pathname === '/workspace-bridge.js' ? path.join(dist, 'workspace-bridge', 'bridge.js') : path.join(dist, 'renderer', pathname);
  });
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { files: files.map((file) => path.relative(dist, file)), raw, gzip };
}

async function main(): Promise<void> {
  await buildAll({ quiet: true });
  const logger = createLogger('bench-ui');
  const services = createBenchServices({
    dataDir: path.join(work, 'bench'),
    appVersion: '0.1.0',
    mode: 'workspace',
    bundledRootFile: path.join(root, 'resources', 'trust', 'root.json'),
    logger,
    hashPin: (pin) => hashPin(pin, { N: 2 ** 10, r: 8, p: 1 }),
  });
  const demo = await prepareDemoBench(services, { dataDir: path.join(work, 'bench'), sourceDir: path.join(root, 'resources', 'demo-source'), speed, logger, liveIntervalMs: LIVE_SOURCE_MS });
  const host = await startWorkspaceHost({ services, rendererDir: path.join(dist, 'renderer'), bridgeFile: path.join(dist, 'workspace-bridge', 'bridge.js'), logger, port: 0 });
  // The operator session lives in the services: an admin signed in here is signed in for the page too.
  const setup = await services.dispatch('setupFirstAdmin', { name: 'Bench Admin', pin: '246810' });
  if (!setup.ok) throw new Error(setup.error.message);

  const browser = await launchChromium();
  try {
    // 1 and 2: cold loads, each in a fresh browser context (no cache, no cookie).
    const paints: number[] = [];
    let scripts: Awaited<ReturnType<typeof scriptBytes>> | null = null;
    for (let load = 0; load < loads; load += 1) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.addInitScript(paintProbe('[data-testid="start-session"]'));
      page.on('pageerror', (error) => process.stderr.write(`page error: ${error.message}\n`));
      await page.goto(host.url);
      await page.waitForFunction(() => (window as unknown as { __meaningfulPaint?: number }).__meaningfulPaint !== undefined, undefined, { timeout: 30_000 });
      paints.push(await page.evaluate(() => (window as unknown as { __meaningfulPaint: number }).__meaningfulPaint));
      scripts ??= await scriptBytes(page);
      await context.close();
    }
    const fmp = median(paints);
    process.stdout.write(
      `first meaningful paint (session view with the services' answers): ${fmp.toFixed(0)} ms, median of ${loads} cold loads ` +
        `(${paints.map((value) => value.toFixed(0)).join(', ')}); target < 1000 ms; ratio ${(fmp / 1000).toFixed(2)} ${verdict(fmp < 1000)}\n`,
    );
    if (scripts) {
      const kb = scripts.gzip / 1024;
      process.stdout.write(
        `initial JavaScript: ${kb.toFixed(1)} KB gzip (${(scripts.raw / 1024).toFixed(1)} KB raw) in ${scripts.files.length} files (${scripts.files.join(', ')}); ` +
          `target <= 350 KB; ratio ${(kb / 350).toFixed(2)} ${verdict(kb <= 350)}\n`,
      );
    }

    // 3 and 4: one whole test plan, live.
    const published = { liveBatches: 0, steps: 0, batches: 0 };
    let sessionStart = 0;
    let sessionEnd = 0;
    services.events.subscribe((event, payload) => {
      if (event !== 'codingSession') return;
      const message = payload as CodingSessionEvent;
      if (message.type === 'finished') {
        sessionEnd = performance.now();
        return;
      }
      sessionStart ||= performance.now();
      published.batches += 1;
      if (message.events.some((progress) => progress.type === 'live')) published.liveBatches += 1;
      published.steps += message.events.filter((progress) => progress.type === 'step').length;
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.addInitScript(paintProbe('[data-testid="start-session"]'));
    await page.goto(host.url);
    await page.getByLabel('Part number (type or scan)').fill(PART);
    await page.getByLabel('Injector serial (type or scan)').fill('INJ-BENCH-UI');
    const longTasksBefore = await page.evaluate(() => (window as unknown as { __longTasks: unknown[] }).__longTasks.length);
    const clickedAt = await page.evaluate(() => performance.now());
    await page.getByTestId('start-session').click();
    await page.getByTestId('outcome').waitFor({ timeout: 600_000 });
    // Let the last frames land before counting.
    await page.waitForTimeout(300);
    const drawn = await page.evaluate(() => {
      const live = document.querySelector('[data-testid="live-values"]');
      const chart = document.querySelector('[data-testid="test-points"]');
      const tasks = (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks;
      return { liveBatches: Number(live?.getAttribute('data-drawn') ?? 0), received: Number(live?.getAttribute('data-seq') ?? 0), chartPoints: Number(chart?.getAttribute('data-points') ?? 0), tasks };
    });
    const verdictAttribute = await page.getByTestId('outcome').getAttribute('data-verdict');
    const finishedAt = await page.evaluate(() => performance.now());
    await context.close();

    const seconds = (sessionEnd - sessionStart) / 1000;
    const dropped = published.liveBatches - drawn.liveBatches + (published.steps - drawn.chartPoints);
    process.stdout.write(
      `live updates: test plan (${PART}, verdict ${verdictAttribute}) over ${seconds.toFixed(1)} s at speed ${speed}: ${published.batches} progress batches ` +
        `(${(published.batches / seconds).toFixed(1)} per second, services cap 20), ${published.liveBatches} with live values; ` +
        `renderer received ${drawn.received}, drew ${drawn.liveBatches}; steps published ${published.steps}, charted ${drawn.chartPoints}\n`,
    );
    process.stdout.write(`dropped values: ${dropped}; target 0; ratio drawn/published ${(drawn.liveBatches / Math.max(1, published.liveBatches)).toFixed(3)} ${verdict(dropped === 0)}\n`);
    const during = drawn.tasks.slice(longTasksBefore);
    const longest = during.reduce((max, task) => Math.max(max, task.duration), 0);
    process.stdout.write(
      `long tasks during the plan: ${during.length} over 50 ms (longest ${during.length ? `${longest.toFixed(0)} ms` : '—'}); target 0; ` +
        `ratio longest/50 ms ${(longest / 50).toFixed(2)} ${verdict(during.length === 0)}\n`,
    );
    for (const task of during) {
      process.stdout.write(`  long task ${task.duration.toFixed(0)} ms at ${((task.start - clickedAt) / 1000).toFixed(2)} s after Start (outcome seen at ${((finishedAt - clickedAt) / 1000).toFixed(2)} s)\n`);
    }
  } finally {
    await browser.close();
    await host.close();
    await services.close();
    await demo.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
