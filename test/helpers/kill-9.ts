import { spawn } from 'node:child_process';
import { bundledScript } from './bundled-script';

export interface KillRunOptions {
  /** The TypeScript file (bundled once, then run by plain node: bundled-script.ts), and its arguments. */
  script: string;
  args: readonly string[];
  /** How long the child runs before SIGKILL. */
  killAfterMs: number;
  /** 'spawn' starts the clock at once; 'first-output' once the child prints, so kills land mid-work. */
  clockStartsAt: 'spawn' | 'first-output';
  /** Each complete stdout line, as it arrives. */
  onLine(line: string): void;
}

/**
 * Runs a child process and kills it with SIGKILL after a delay. Resolves once it died of that kill;
 * rejects, with its stderr, when it ended by itself first (the test would then prove nothing).
 */
export async function runUntilKilled(options: KillRunOptions): Promise<void> {
  const script = await bundledScript(options.script);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...options.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let errors = '';
    let timer: NodeJS.Timeout | null = null;
    const startClock = (): void => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    };
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
      startClock();
    });
    if (options.clockStartsAt === 'spawn') startClock();
    child.once('exit', (_code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`${options.script} ended by itself (${signal ?? 'exit'}) before it was killed: ${errors}`));
    });
  });
}
