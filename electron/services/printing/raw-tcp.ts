/**
 * Raw TCP printing (port 9100, "JetDirect"/AppSocket): the bytes go to the printer as they are and the
 * printer prints when the connection closes. Failures come back typed, with what to do.
 */
import net from 'node:net';
import { ServiceError } from '../service-error';

export async function sendRaw(host: string, port: number, bytes: Uint8Array, timeoutMs = 10_000): Promise<void> {
  const where = `${host}:${port}`;
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port });
    let settled = false;
    const fail = (error: ServiceError) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new ServiceError('PRINTER_UNREACHABLE', `The label printer at ${where} did not answer within ${Math.round(timeoutMs / 1000)} s. Check that it is on, online and on the network, and the address in Settings.`, { params: { address: where, said: 'ETIMEDOUT' } })),
    );
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'ECONNREFUSED'
          ? 'refused the connection (nothing listens on that port: is it a raw 9100 printer?)'
          : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
            ? 'is not a known host name'
            : `could not be reached (${error.code ?? error.message})`;
      fail(new ServiceError('PRINTER_UNREACHABLE', `The label printer at ${where} ${why}. Check the printer's address and port in Settings, and that it is switched on.`, { cause: error, params: { address: where, said: error.code ?? error.message } }));
    });
    socket.once('connect', () => {
      socket.end(Buffer.from(bytes), () => undefined);
    });
    socket.once('close', (hadError) => {
      if (settled || hadError) return;
      settled = true;
      resolve();
    });
  });
}
