/**
 * Runs the virtual bench behind a real link: a socat pseudo-terminal pair (the bench holds one end
 * through `serialport`, the host opens the other) or a TCP listener on the loopback interface, like a
 * serial device server.
 */
import { existsSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Logger } from 'pino';
import { isLoopbackHost, openSerialLink, socketLink, TransportError, type ByteLink } from '../transport';
import { DeviceLink, type LinkFaults } from './device-link';
import { VirtualBench, type VirtualBenchOptions } from './virtual-bench';

/** `link`: a stable symlink to the host's pty end, which survives an unplug and replug. */
export type SimListen = { kind: 'pty'; link?: string } | { kind: 'tcp'; host: string; port: number };

export interface RunningSim {
  /** What the host opens: a /dev/pts path or tcp://127.0.0.1:PORT. */
  address: string;
  bench: VirtualBench;
  close(): Promise<void>;
}

export class SimStartError extends Error {
  override readonly name = 'SimStartError';
}

/** Starts `socat` with two linked ptys and resolves their paths from its diagnostics. */
function startPtyPair(hostLink?: string, timeoutMs = 5000): Promise<{ socat: ChildProcess; benchSide: string; hostSide: string }> {
  return new Promise((resolve, reject) => {
    const hostEnd = hostLink ? `pty,raw,echo=0,link=${hostLink}` : 'pty,raw,echo=0';
    const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', hostEnd], { stdio: ['ignore', 'ignore', 'pipe'] });
    let diagnostics = '';
    let announced = false;
    const timer = setTimeout(() => {
      socat.kill('SIGKILL');
      reject(new SimStartError(`socat printed no pty paths within ${timeoutMs} ms: ${diagnostics.trim()}`));
    }, timeoutMs);
    socat.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new SimStartError(
          error.code === 'ENOENT' ? 'socat is not installed: the pty mode needs it (Debian: apt-get install socat); or use --tcp 127.0.0.1:0' : `cannot start socat: ${error.message}`,
        ),
      );
    });
    socat.stderr?.on('data', (chunk: Buffer) => {
      diagnostics += chunk.toString();
      const paths = [...diagnostics.matchAll(/PTY is (\/dev\/\S+)/g)].map((match) => match[1]!);
      if (paths.length >= 2 && !announced) {
        announced = true;
        // socat names both ptys before it creates the symlink: announce the link only once it exists,
        // or a host opening it at once finds nothing there.
        const startedAt = Date.now();
        const ready = () => {
          if (!hostLink || existsSync(hostLink)) {
            clearTimeout(timer);
            resolve({ socat, benchSide: paths[0]!, hostSide: hostLink ?? paths[1]! });
          } else if (Date.now() - startedAt < timeoutMs) {
            setTimeout(ready, 5);
          }
        };
        ready();
      }
    });
  });
}

export async function startVirtualBench(listen: SimListen, options: VirtualBenchOptions, faults: LinkFaults, logger: Logger): Promise<RunningSim> {
  let deviceLink: DeviceLink | null = null;
  const bench = new VirtualBench(options, (state, safeReason) => {
    logger.info({ state, safeReason }, 'state');
    deviceLink?.sendState(state, safeReason);
  });
  let unplug: () => void = () => {};
  deviceLink = new DeviceLink(
    bench,
    faults,
    {
      reply: (command, sequence, outcome) => logger.info({ command, sequence, outcome }, 'reply'),
      unplug: () => {
        logger.info({}, 'unplug');
        unplug();
      },
    },
    options.watchdogMs,
    options.seed,
  );
  const device = deviceLink;

  if (listen.kind === 'pty') {
    let socat: ChildProcess | null = null;
    let link: ByteLink | null = null;
    let closed = false;
    const stopSocat = () => socat?.kill('SIGTERM');
    // socat must not outlive the bench, however the process ends.
    process.once('exit', stopSocat);
    const plugIn = async (): Promise<string> => {
      const pair = await startPtyPair(listen.link);
      socat = pair.socat;
      try {
        link = await openSerialLink(pair.benchSide);
      } catch (error) {
        stopSocat();
        throw error;
      }
      device.attach(link);
      return pair.hostSide;
    };
    const hostSide = await plugIn();
    // Pulling the cable: both pty ends vanish and the host's port reports an error. With a stable link
    // path and replug=MS, the cable goes back in and the host can reopen the same path.
    unplug = () => {
      stopSocat();
      const replugMs = faults.replugAfterMs;
      if (replugMs === null) return;
      setTimeout(() => {
        if (closed) return;
        plugIn().then(
          (path) => logger.info({ path }, 'replug'),
          (error: unknown) => logger.error({ err: error }, 'replug failed'),
        );
      }, replugMs);
    };
    return {
      address: hostSide,
      bench,
      close: async () => {
        closed = true;
        device.close();
        await link?.close();
        process.removeListener('exit', stopSocat);
        stopSocat();
      },
    };
  }

  if (!isLoopbackHost(listen.host)) throw new TransportError('BAD_TARGET', `the virtual bench listens on the loopback interface only, not ${listen.host}`);
  const server = net.createServer((socket) => {
    logger.info({ peer: `${socket.remoteAddress}:${socket.remotePort}` }, 'connected');
    device.attach(socketLink(socket, 'host'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new SimStartError(`cannot listen on ${listen.host}:${listen.port}: ${error.message}`)));
    server.listen(listen.port, listen.host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    address: `tcp://${listen.host}:${port}`,
    bench,
    close: async () => {
      device.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
