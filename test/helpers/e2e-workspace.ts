import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_PATH, launchChromium, watchPage, type PageProblems } from './browser';
import { startWorkspaceProcess, type WorkspaceProcess } from './workspace-process';

/** Where the end-to-end tests leave their screenshots: outside the checkout (tests never write into it). */
export const e2eArtifacts = process.env.INJBENCH_E2E_SCREENSHOTS ?? path.join(os.tmpdir(), 'injbench-e2e-screenshots');

/** What a test serves to the browser: the page to open first, and how to stop it. */
export interface Served {
  url: string;
  stop(): Promise<void>;
}

export interface E2ePage<S extends Served> {
  /** A temporary directory of the test's own; removed by close(). */
  root: string;
  /** What `serve` started. */
  served: S;
  browser: Browser;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: PageProblems;
  /** Closes the browser, stops what was served and removes `root`. */
  close(): Promise<void>;
}

/**
 * Headless Chromium with one watched page on what `serve` starts in a fresh temporary directory: the setup
 * every end-to-end test shares. On failure everything already started is stopped again.
 */
export async function openE2ePage<S extends Served>(name: string, serve: (root: string) => Promise<S>, viewport = { width: 1280, height: 900 }): Promise<E2ePage<S>> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium (see .ci/run).`);
  mkdirSync(e2eArtifacts, { recursive: true });
  const root = mkdtempSync(path.join(os.tmpdir(), `injbench-e2e-${name}-`));
  let served: S | null = null;
  let browser: Browser | null = null;
  const close = async (): Promise<void> => {
    await browser?.close();
    await served?.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    served = await serve(root);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport });
    // Below the 60 s test timeout, so an action that waits for ever fails naming its step, not the test.
    page.setDefaultTimeout(20_000);
    const problems = await watchPage(page);
    await page.goto(served.url);
    return { root, served, browser, page, problems, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface WorkspacePage extends E2ePage<WorkspaceProcess> {
  /** The bench data directory of this workspace (under `root`). */
  dataDir: string;
  workspace: WorkspaceProcess;
}

/**
 * Workspace mode on a fresh bench data directory, and headless Chromium on its URL: what every end-to-end
 * test of the bench app starts from. `args` go to `injbench workspace` (e.g. --demo --speed 40).
 */
export async function openWorkspacePage(name: string, args: readonly string[] = [], viewport = { width: 1280, height: 900 }): Promise<WorkspacePage> {
  let dataDir = '';
  const opened = await openE2ePage(
    name,
    (root) => {
      dataDir = path.join(root, 'bench');
      return startWorkspaceProcess(dataDir, [...args]);
    },
    viewport,
  );
  return { ...opened, dataDir, workspace: opened.served };
}
