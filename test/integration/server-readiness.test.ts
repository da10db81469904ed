/**
 * /readyz says whether the server can do its work (the database answers, the blob folder is writable) and
 * why not, with 503; /healthz stays 200 while the process answers; /version names the package version.
 * On PostgreSQL the server reaches the database through a TCP relay the test can shut: PostgreSQL then
 * refuses connections, and /readyz turns 503 until it accepts them again.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';

const packageVersion = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

async function getJson(serverUrl: string, route: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL(route, serverUrl));
  return { status: response.status, body: await response.json() };
}

/** A TCP relay to PostgreSQL that can refuse connections (closed listener, cut sockets) and accept again. */
interface Relay {
  port: number;
  refuse(): Promise<void>;
  accept(): Promise<void>;
}

async function startRelay(target: { host: string; port: number }): Promise<Relay> {
  const sockets = new Set<Socket>();
  let listener: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const server = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        port = typeof address === 'object' && address ? address.port : port;
        listener = server;
        resolve();
      });
    });
  await listen();
  return {
    port,
    refuse: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (listener ? listener.close(() => resolve()) : resolve()));
      listener = null;
    },
    accept: listen,
  };
}

describeEachDialect('server readiness and version', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase | undefined;
  let server: CentralServer | undefined;
  let relay: Relay | undefined;

  afterEach(async () => {
    await relay?.accept().catch(() => undefined);
    await server?.close();
    await database?.drop();
    server = undefined;
    database = undefined;
    relay = undefined;
  });

  it('answers /readyz 200 when ready, /version with the package version, and 503 naming the blob folder when it is gone', async () => {
    database = await createTestDatabase(dialect, tempDir());
    const blobDir = path.join(tempDir(), 'blobs');
    server = await startTestServer(database.url, { blobDir });
    expect(await getJson(server.url, '/readyz')).toEqual({ status: 200, body: { ok: true } });
    expect(await getJson(server.url, '/version')).toEqual({ status: 200, body: { version: packageVersion } });

    // (Tests run as root here, so permission bits would not stop a write: the folder is removed instead.)
    rmSync(blobDir, { recursive: true, force: true });
    const notReady = await getJson(server.url, '/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ ok: false, reasons: [expect.stringMatching(/^blob folder: ENOENT/)] });
    expect((await getJson(server.url, '/healthz')).status).toBe(200);
  });

  if (dialect === 'postgres') {
    it('answers /readyz 503 naming the database while PostgreSQL refuses connections, /healthz 200, and ready again after', async () => {
      database = await createTestDatabase(dialect, tempDir());
      const url = new URL(database.url);
      relay = await startRelay({ host: url.hostname, port: Number(url.port) });
      url.host = `127.0.0.1:${relay.port}`;
      server = await startTestServer(url.toString());
      expect((await getJson(server.url, '/readyz')).status).toBe(200);

      await relay.refuse();
      const started = performance.now();
      const notReady = await getJson(server.url, '/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.body).toMatchObject({ ok: false, reasons: [expect.stringMatching(/^database: /)] });
      expect(performance.now() - started).toBeLessThan(5000);
      expect(await getJson(server.url, '/healthz')).toEqual({ status: 200, body: { ok: true } });

      await relay.accept();
      expect((await getJson(server.url, '/readyz')).status).toBe(200);
    });
  }
});
