import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCentralServer, type CentralServer, type CentralServerOptions } from '../../server/central-server';
import type { KeyPair } from '../../trust/crypto';
import { silentLogger } from './silent-logger';
import { ADMIN_CODES_PATH, adminLogCheckPath, adminLogChecksPath, supportLogPath } from '../../common/central-api/paths';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghijklmnop';
export const TEST_SUPPORT_TOKEN = 'test-support-token-0123456789abcdefghijklmn';
export const TEST_RELEASE_TOKEN = 'test-release-token-0123456789abcdefghijklmn';
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789abcdefghijklmn';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

export function startTestServer(
  databaseUrl: string,
  options: {
    now?: () => Date;
    port?: number;
    blobDir?: string;
    creditsKey?: KeyPair;
    releases?: CentralServerOptions['releases'];
    supportWeb?: CentralServerOptions['supportWeb'];
    logger?: CentralServerOptions['logger'];
    reconcileEverySeconds?: number;
    trustedRootFile?: string;
    metricsToken?: string;
  } = {},
): Promise<CentralServer> {
  return startCentralServer({
    databaseUrl,
    // Every server a test starts keeps its pack bytes in a temporary folder, never in the checkout.
    blobDir: options.blobDir ?? mkdtempSync(path.join(tmpdir(), 'injbench-blobs-')),
    port: options.port ?? 0,
    adminToken: TEST_ADMIN_TOKEN,
    supportToken: TEST_SUPPORT_TOKEN,
    releaseToken: TEST_RELEASE_TOKEN,
    creditsKey: options.creditsKey,
    logger: options.logger ?? silentLogger(),
    now: options.now,
    releases: options.releases,
    supportWeb: options.supportWeb,
    reconcileEverySeconds: options.reconcileEverySeconds,
    trustedRootFile: options.trustedRootFile,
    metricsToken: options.metricsToken,
  });
}

export async function callAs(token: string | null, serverUrl: string, method: 'GET' | 'POST' | 'PUT', route: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(route, serverUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

export async function newEnrolmentCode(serverUrl: string, ttlMinutes = 60): Promise<string> {
  const answer = await callAs(TEST_ADMIN_TOKEN, serverUrl, 'POST', ADMIN_CODES_PATH, { ttlMinutes });
  if (answer.status !== 201) throw new Error(`enrolment code: ${answer.status} ${JSON.stringify(answer.body)}`);
  return (answer.body as { code: string }).code;
}

export interface PulledLog {
  benchId: string;
  benchStatus: string;
  integrity: { ok: boolean; entries?: number; sealedThrough?: number; code?: string };
  entries: { seq: number; entryHash: string; prevHash: string; type: string; payloadJson: string; recordedAt: string; integrity: string }[];
  nextFromSeq: number | null;
}

/** The server's copy of a bench's log through the support API (the whole log: the tests keep it small). */
export async function pullLog(serverUrl: string, benchId: string): Promise<PulledLog> {
  const answer = await callAs(TEST_SUPPORT_TOKEN, serverUrl, 'GET', `${supportLogPath(benchId)}?limit=5000`);
  if (answer.status !== 200) throw new Error(`support pull: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as PulledLog;
}

/** Starts the admin's whole-log re-check of a bench and waits for its verdict (or failure). */
export async function finishedLogCheck(serverUrl: string, benchId: string, timeoutMs = 20_000): Promise<{ state: string; headSeq: number; checkedThrough: number; verdict: unknown }> {
  const started = await callAs(TEST_ADMIN_TOKEN, serverUrl, 'POST', adminLogChecksPath(benchId));
  if (started.status !== 202) throw new Error(`log check: ${started.status} ${JSON.stringify(started.body)}`);
  const { checkId } = started.body as { checkId: string };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await callAs(TEST_ADMIN_TOKEN, serverUrl, 'GET', adminLogCheckPath(benchId, checkId));
    const check = answer.body as { state: string; headSeq: number; checkedThrough: number; verdict: unknown };
    if (check.state !== 'running') return check;
    if (Date.now() > deadline) throw new Error(`log check ${checkId} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the server wrote to stderr (its log) so far. */
  stderr(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** `injbench server` as its own process, the way an operator starts it; resolves once it prints its URL. */
export function spawnServerProcess(
  databaseUrl: string,
  port: number,
  timeoutMs = 30_000,
  blobDir = mkdtempSync(path.join(tmpdir(), 'injbench-blobs-')),
  /** More environment (INJBENCH_LOG_LEVEL=info for the access log, more tokens). */
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<ServerProcess> {
  return spawnServerWith(
    ['--db', databaseUrl, '--port', String(port), '--blob-dir', blobDir],
    { ...process.env, INJBENCH_SERVER_ADMIN_TOKEN: TEST_ADMIN_TOKEN, INJBENCH_SERVER_SUPPORT_TOKEN: TEST_SUPPORT_TOKEN, INJBENCH_LOG_LEVEL: 'warn', ...extraEnv },
    timeoutMs,
  );
}

/** `injbench server ARGS` with exactly this environment; its log (stderr) is kept for the test to read. */
export function spawnServerWith(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'injbench.mjs'), 'server', ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no Server URL within ${timeoutMs} ms; stderr: ${errors}`));
    }, timeoutMs);
    const exitedEarly = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before printing its URL; stderr: ${errors}`));
    };
    child.once('exit', exitedEarly);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^Server URL: (https?:\/\/\S+:\d+)$/m.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.off('exit', exitedEarly);
      resolve({
        url: match[1],
        child,
        stderr: () => errors,
        kill9: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
