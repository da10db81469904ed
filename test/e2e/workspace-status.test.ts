import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, watchPage } from '../helpers/browser';
import { e2eArtifacts } from '../helpers/e2e-workspace';
import { startWorkspaceProcess, type WorkspaceProcess } from '../helpers/workspace-process';

const artifacts = e2eArtifacts;

describe('workspace mode in headless Chromium', () => {
  let workspace: WorkspaceProcess;
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (see .ci/run).`);
    mkdirSync(artifacts, { recursive: true });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'injbench-e2e-'));
    workspace = await startWorkspaceProcess(dataDir);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await workspace?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the status page with data that came from the services, without console errors or CSP violations', async () => {
    const page = await browser.newPage();
    const problems = await watchPage(page);
    await page.goto(workspace.url);
    // The token was traded for a cookie and removed from the address bar.
    expect(page.url()).toBe(`${workspace.origin}/`);

    await expect.poll(() => page.getByTestId('part-store-state').textContent(), { timeout: 15_000 }).toBe('Running');
    expect(await page.getByTestId('fact-store-file').textContent()).toBe(path.join(dataDir, 'bench.sqlite'));
    expect(await page.getByTestId('fact-store-journal').textContent()).toBe('WAL');
    expect(await page.getByTestId('fact-store-synchronous').textContent()).toBe('FULL');
    expect(await page.getByTestId('app-meta').textContent()).toContain('Workspace mode');
    for (const part of ['benchLink', 'packs', 'sync']) {
      expect(await page.getByTestId(`part-${part}-state`).textContent()).toBe('Not configured');
    }

    // Live updates arrive over the WebSocket, not just the first call.
    const updates = async () => Number(await page.getByTestId('status-updates').getAttribute('data-count'));
    const before = await updates();
    await expect.poll(updates, { timeout: 10_000 }).toBeGreaterThan(before);

    await page.screenshot({ path: path.join(artifacts, 'status-page.png'), fullPage: true });
    expect(problems).toEqual({ consoleErrors: [], pageErrors: [], cspViolations: [] });
    await page.close();
  });

  it('answers 401 to the same host without the token', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${workspace.origin}/`);
    expect(response?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('UNAUTHORIZED');
    await page.close();

    const api = await fetch(`${workspace.origin}/api/call/getStatus`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
  });

  it('keeps a foreign page from calling the services', async () => {
    const page = await browser.newPage();
    await page.goto('about:blank');
    const outcome = await page.evaluate(async (origin) => {
      try {
        const response = await fetch(`${origin}/api/call/getStatus`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        return `status ${response.status}`;
      } catch (error) {
        return `blocked: ${String(error)}`;
      }
    }, workspace.origin);
    expect(outcome).not.toBe('status 200');
    await page.close();
  });
});
