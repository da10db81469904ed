/**
 * A private CUPS scheduler for tests: Debian's cupsd on its own folder and a free port on 127.0.0.1 (never
 * the machine's own print system), with raw queues whose device is an AppSocket (socket://) capture
 * listener on 127.0.0.1 that keeps what CUPS sends. Root is needed, as cupsd drops to lp for backends.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from './system-tools';

export interface CaptureListener {
  port: number;
  /** Resolves with the bytes of the next connection, once it closes. */
  next(): Promise<Buffer>;
  close(): Promise<void>;
}

/** A TCP listener on 127.0.0.1 that keeps each connection's bytes: a raw 9100 printer, as far as a sender knows. */
export async function startCaptureListener(): Promise<CaptureListener> {
  const received: Buffer[] = [];
  const waiting: Array<(bytes: Buffer) => void> = [];
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      socket.end();
      const bytes = Buffer.concat(chunks);
      const waiter = waiting.shift();
      if (waiter) waiter(bytes);
      else received.push(bytes);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    next: () => {
      const ready = received.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface CupsServer {
  /** host:port for CUPS_SERVER, so lp talks to this scheduler. */
  server: string;
  /** Adds a raw queue that sends each job to the capture listener's port. */
  addQueue(name: string, capturePort: number): void;
  /** lpadmin-style helpers run against this scheduler. */
  run(tool: 'lpadmin' | 'cupsreject' | 'cupsaccept' | 'lpstat', args: string[]): string;
  stop(): Promise<void>;
}

/** Null (after saying why) when CUPS is not installed outside CI; under CI=true a missing CUPS fails. */
export async function startCupsServer(): Promise<CupsServer | null> {
  const cupsd = requireTool('cupsd', 'cups');
  const lp = requireTool('lp', 'cups-client');
  if (!cupsd || !lp) return null;
  if (process.getuid?.() !== 0) {
    if (process.env.CI === 'true') throw new Error('the CUPS test needs root (cupsd drops to lp for its backends); CI runs as root.');
    console.warn('\n*** SKIPPED: the CUPS printing test needs root to run its own cupsd. ***\n');
    return null;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'injbench-cups-'));
  for (const sub of ['spool', 'cache', 'state', 'log', 'tmp', 'ppd']) mkdirSync(path.join(dir, sub));
  chmodSync(dir, 0o755);
  const port = await freePort();
  writeFileSync(
    path.join(dir, 'cupsd.conf'),
    [
      `Listen 127.0.0.1:${port}`,
      'LogLevel warn',
      'WebInterface No',
      'Browsing No',
      'DefaultAuthType None',
      '<Location />',
      '  Order allow,deny',
      '  Allow from 127.0.0.1',
      '</Location>',
      '<Location /admin>',
      '  Order allow,deny',
      '  Allow from 127.0.0.1',
      '</Location>',
      '<Policy default>',
      '  <Limit All>',
      '    Order deny,allow',
      '  </Limit>',
      '</Policy>',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'cups-files.conf'),
    [
      `ServerRoot ${dir}`,
      `RequestRoot ${dir}/spool`,
      `CacheDir ${dir}/cache`,
      `StateDir ${dir}/state`,
      `TempDir ${dir}/tmp`,
      `ErrorLog ${dir}/log/error_log`,
      `AccessLog ${dir}/log/access_log`,
      `PageLog ${dir}/log/page_log`,
      'SystemGroup root',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(cupsd, ['-f', '-c', path.join(dir, 'cupsd.conf'), '-s', path.join(dir, 'cups-files.conf')], { stdio: 'ignore' });
  const server = `127.0.0.1:${port}`;
  const env = { ...process.env, CUPS_SERVER: server };
  const run: CupsServer['run'] = (tool, args) => execFileSync(tool, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  // Ready when it answers over IPP.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      run('lpstat', ['-r']);
      if (run('lpstat', ['-r']).includes('is running')) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGTERM');
      throw new Error(`cupsd did not start on ${server} (exit ${child.exitCode ?? 'none'}); see ${dir}/log/error_log`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    server,
    addQueue: (name, capturePort) => {
      // A raw queue: the PDF reaches the device as the bench made it, no filter in between.
      run('lpadmin', ['-p', name, '-E', '-v', `socket://127.0.0.1:${capturePort}`, '-m', 'raw']);
    },
    run,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
