import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, watchPage, type PageProblems } from './browser';
import { startWorkspaceProcess, type WorkspaceProcess } from './workspace-process';

/** Where the end-to-end tests leave their screenshots. */
export const e2eArtifacts = path.resolve('test-results', 'e2e');

export interface WorkspacePage {
  /** The bench data directory of this workspace (under `root`). */
  dataDir: string;
  /** A temporary directory of the test's own; removed by close(). */
  root: string;
  workspace: WorkspaceProcess;
  browser: Browser;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: PageProblems;
  close(): Promise<void>;
}

/**
 * Workspace mode on a fresh bench data directory, and headless Chromium on its URL: what every end-to-end
 * test starts from. `args` go to `injbench workspace` (e.g. --demo --speed 40).
 */
export async function openWorkspacePage(name: string, args: readonly string[] = [], viewport = { width: 1280, height: 900 }): Promise<WorkspacePage> {
  mkdirSync(e2eArtifacts, { recursive: true });
  const root = mkdtempSync(path.join(os.tmpdir(), `injbench-e2e-${name}-`));
  const dataDir = path.join(root, 'bench');
  let workspace: WorkspaceProcess | null = null;
  let browser: Browser | null = null;
  const close = async (): Promise<void> => {
    await browser?.close();
    await workspace?.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    workspace = await startWorkspaceProcess(dataDir, [...args]);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport });
    const problems = await watchPage(page);
    await page.goto(workspace.url);
    return { dataDir, root, workspace, browser, page, problems, close };
  } catch (error) {
    await close();
    throw error;
  }
}
