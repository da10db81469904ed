import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface WorkspaceProcess {
  url: string;
  origin: string;
  /** The demo's local central server, when it started one. */
  centralServer: { url: string; supportTokenFile: string } | null;
  child: ChildProcess;
  stop(): Promise<void>;
}

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

/** Starts `injbench workspace` as its own process, the way `npm start` does, and reads its URL line. */
export function startWorkspaceProcess(dataDir: string, extraArgs: readonly string[] = [], timeoutMs = 60_000): Promise<WorkspaceProcess> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'injbench.mjs'), 'workspace', '--data-dir', dataDir, ...extraArgs], {
    cwd: projectRoot,
    env: { ...process.env, INJBENCH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no Workspace URL within ${timeoutMs} ms; stdout: ${output} stderr: ${errors}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`workspace exited with ${code} before printing its URL; stderr: ${errors}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /^Workspace URL: (http:\/\/127\.0\.0\.1:\d+\/\S*)$/m.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const url = match[1];
      const central = /^Central server: (http:\/\/127\.0\.0\.1:\d+) .* with the token in (\S+)\)$/m.exec(output);
      resolve({
        url,
        origin: new URL(url).origin,
        centralServer: central?.[1] && central[2] ? { url: central[1], supportTokenFile: central[2] } : null,
        child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
