/**
 * Runs the virtual bench behind a real link: a socat pseudo-terminal pair (the bench holds one end
 * through `serialport`, the host opens the other) or a TCP listener on the loopback interface, like a
 * serial device server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { Logger } from 'pino';
import { isLoopbackHost, openSerialLink, socketLink, TransportError } from '../transport';
import { DeviceLink, type LinkFaults } from './device-link';
import { VirtualBench, type VirtualBenchOptions } from './virtual-bench';

export type SimListen = { kind: 'pty' } | { kind: 'tcp'; host: string; port: number };

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
function startPtyPair(timeoutMs = 5000): Promise<{ socat: ChildProcess; benchSide: string; hostSide: string }> {
  return new Promise((resolve, reject) => {
    const socat = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let diagnostics = '';
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
      if (paths.length >= 2) {
        clearTimeout(timer);
        resolve({ socat, benchSide: paths[0]!, hostSide: paths[1]! });
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
    const { socat, benchSide, hostSide } = await startPtyPair();
    let link;
    try {
      link = await openSerialLink(benchSide);
    } catch (error) {
      socat.kill('SIGTERM');
      throw error;
    }
    device.attach(link);
    // socat must not outlive the bench, however the process ends.
    const stopSocat = () => socat.kill('SIGTERM');
    process.once('exit', stopSocat);
    // Pulling the cable: both pty ends vanish, and the host's port reports an error.
    unplug = () => socat.kill('SIGTERM');
    return {
      address: hostSide,
      bench,
      close: async () => {
        device.close();
        await link.close();
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
