/**
 * Byte links: a serial port (the `serialport` package) or a TCP connection to a serial device server.
 * The driver and the virtual bench see only this interface.
 */
import net from 'node:net';
import { SerialPort } from 'serialport';

export interface ByteLink {
  readonly description: string;
  write(bytes: Uint8Array): void;
  onData(listener: (chunk: Buffer) => void): void;
  /** Called once, when the link ends for any reason (unplug, peer closed, close()). */
  onClose(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

export class TransportError extends Error {
  constructor(
    readonly code: 'OPEN_FAILED' | 'BAD_TARGET',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

export type LinkTarget = { kind: 'serial'; path: string } | { kind: 'tcp'; host: string; port: number };

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** `tcp://HOST:PORT` or a serial device path. */
export function parseLinkTarget(text: string): LinkTarget {
  if (text.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new TransportError('BAD_TARGET', `"${text}" is not tcp://HOST:PORT`);
    }
    const port = Number(url.port);
    if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535 || url.pathname.replace('/', '') !== '') {
      throw new TransportError('BAD_TARGET', `"${text}" is not tcp://HOST:PORT with a port 1-65535`);
    }
    return { kind: 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port };
  }
  if (/^(\/dev\/[\w./-]+|COM\d+)$/.test(text)) return { kind: 'serial', path: text };
  throw new TransportError('BAD_TARGET', `"${text}" is neither a serial port path (/dev/ttyUSB0, COM3) nor tcp://HOST:PORT`);
}

export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host);
}

export function formatLinkTarget(target: LinkTarget): string {
  return target.kind === 'tcp' ? `tcp://${target.host}:${target.port}` : target.path;
}

class ListenerLink implements ByteLink {
  private dataListeners: Array<(chunk: Buffer) => void> = [];
  private closeListeners: Array<(reason: string) => void> = [];
  private closedReason: string | null = null;

  constructor(
    readonly description: string,
    private readonly writeBytes: (bytes: Uint8Array) => void,
    private readonly closeLink: () => Promise<void>,
  ) {}

  write(bytes: Uint8Array): void {
    if (this.closedReason === null) this.writeBytes(bytes);
  }
  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
  }
  onClose(listener: (reason: string) => void): void {
    if (this.closedReason !== null) listener(this.closedReason);
    else this.closeListeners.push(listener);
  }
  emitData(chunk: Buffer): void {
    for (const listener of this.dataListeners) listener(chunk);
  }
  emitClose(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    for (const listener of this.closeListeners.splice(0)) listener(reason);
  }
  async close(): Promise<void> {
    if (this.closedReason === null) {
      await this.closeLink();
      this.emitClose('closed by the host');
    }
  }
}

export function openSerialLink(path: string, baudRate = 115_200): Promise<ByteLink> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  return new Promise((resolve, reject) => {
    port.open((error) => {
      if (error) {
        reject(new TransportError('OPEN_FAILED', `cannot open serial port ${path}: ${error.message}`, { cause: error }));
        return;
      }
      const link = new ListenerLink(
        path,
        (bytes) => void port.write(Buffer.from(bytes)),
        () => new Promise<void>((done) => (port.isOpen ? port.close(() => done()) : done())),
      );
      port.on('data', (chunk: Buffer) => link.emitData(chunk));
      // An unplugged USB adapter or a vanished pty shows up as an error, then close.
      port.on('error', (failure: Error) => link.emitClose(`serial port error: ${failure.message}`));
      port.on('close', () => link.emitClose('serial port closed (unplugged?)'));
      resolve(link);
    });
  });
}

/** Wraps an already connected socket (used by the driver's TCP transport and the simulator's server). */
export function socketLink(socket: net.Socket, description: string): ByteLink {
  socket.setNoDelay(true);
  const link = new ListenerLink(
    description,
    (bytes) => void socket.write(bytes),
    () =>
      new Promise<void>((done) => {
        if (socket.destroyed) return done();
        socket.once('close', () => done());
        socket.destroy();
      }),
  );
  socket.on('data', (chunk: Buffer) => link.emitData(chunk));
  socket.on('error', (failure) => link.emitClose(`connection error: ${failure.message}`));
  socket.on('close', () => link.emitClose('connection closed by the peer'));
  return link;
}

export function openTcpLink(host: string, port: number, timeoutMs = 3000): Promise<ByteLink> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError('OPEN_FAILED', `no connection to tcp://${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new TransportError('OPEN_FAILED', `cannot connect to tcp://${host}:${port}: ${error.message}`, { cause: error }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socketLink(socket, `tcp://${host}:${port}`));
    });
  });
}

export function openLink(target: LinkTarget): Promise<ByteLink> {
  return target.kind === 'tcp' ? openTcpLink(target.host, target.port) : openSerialLink(target.path);
}
