import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface SimLogLine {
  msg: string;
  [key: string]: unknown;
}

export interface SimProcess {
  address: string;
  child: ChildProcess;
  /** Structured log lines the virtual bench wrote to stderr so far. */
  logs(): SimLogLine[];
  stop(): Promise<void>;
}

export const projectRoot = path.resolve(import.meta.dirname, '..', '..');

/** Runs `injbench <args>` as its own process and resolves with its exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'injbench.mjs'), ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`injbench ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `injbench sim` as its own process, as a person would, and reads its "listening" line. */
export function startSimProcess(args: string[], timeoutMs = 30_000): Promise<SimProcess> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'injbench.mjs'), 'sim', ...args], {
    cwd: projectRoot,
    env: { ...process.env, INJBENCH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const logs = (): SimLogLine[] =>
    errors
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as SimLogLine);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "listening" line within ${timeoutMs} ms; stdout: ${output} stderr: ${errors}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sim exited with ${code} before listening; stderr: ${errors}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^listening (\S+)$/m.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        address: match[1],
        child,
        logs,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** Polls until the condition holds; bounded by the timeout. */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
