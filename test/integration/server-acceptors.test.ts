/**
 * The server's listening sockets (server/central-server.ts, acceptorsFor): where the runtime can share a port
 * (Node 22.12 / 23.1 on, Linux) it opens DEFAULT_ACCEPTORS sockets on its port with SO_REUSEPORT, each taking
 * new connections for the one HTTP server; elsewhere (Node 20) the one socket it always had. Either way every
 * connection, whichever socket the kernel gave it to, is served, and closing the server frees the port.
 * The suite runs on the machine's Node and, in CI, on Node 24 (scripts/node-lts.sh).
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { acceptorsFor, DEFAULT_ACCEPTORS, type CentralServer } from '../../server/central-server';
import { startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';

/** Listening IPv4 sockets on a port, from the kernel's table (state 0A = LISTEN). */
function listenersOn(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A';
    }).length;
}

/** One request on a connection of its own, answered in full; with `keepOpen` the connection stays open after the answer. */
function healthOnNewConnection(port: number, keepOpen = false): Promise<{ answer: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: ${keepOpen ? 'keep-alive' : 'close'}\r\n\r\n`));
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (keepOpen && received.includes('\r\n\r\n')) resolve({ answer: received, socket });
    });
    socket.on('close', () => resolve({ answer: received, socket }));
    socket.on('error', reject);
  });
}

it('shares the port only where the runtime can (Node 22.12 / 23.1 on, Linux)', () => {
  expect(acceptorsFor(4, '20.20.2', 'linux')).toBe(1);
  expect(acceptorsFor(4, '22.11.0', 'linux')).toBe(1);
  expect(acceptorsFor(4, '22.12.0', 'linux')).toBe(4);
  expect(acceptorsFor(4, '23.0.0', 'linux')).toBe(1);
  expect(acceptorsFor(4, '24.21.0', 'linux')).toBe(4);
  expect(acceptorsFor(4, '24.21.0', 'darwin')).toBe(1);
  expect(acceptorsFor(0, '24.21.0', 'linux')).toBe(1);
});

describeEachDialect('listening sockets', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase;
  let server: CentralServer | null = null;

  beforeEach(async () => {
    database = await createTestDatabase(dialect, tempDir());
  });
  afterEach(async () => {
    await server?.close();
    await database.drop();
  });

  it(`listens with ${acceptorsFor(DEFAULT_ACCEPTORS)} socket(s) on Node ${process.versions.node}, serves every new connection, and closes with connections still open, freeing the port`, async () => {
    server = await startTestServer(database.url);
    const expected = acceptorsFor(DEFAULT_ACCEPTORS);
    if (expected === 1) console.log(`Node ${process.versions.node} on ${process.platform} cannot share a port (reusePort needs Node 22.12 / 23.1 on Linux): one listening socket`);
    expect(server.acceptors).toBe(expected);
    expect(listenersOn(server.port)).toBe(expected);
    // Connections from many source ports: the kernel hashes them across the sockets, and all are served.
    const answers = await Promise.all(Array.from({ length: 48 }, (_, i) => healthOnNewConnection(server!.port, i % 2 === 0)));
    for (const { answer } of answers) expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    // Half of them kept open (idle keep-alive, as a proxy's or a bench's pool holds them): close still ends.
    const port = server.port;
    await server.close();
    for (const { socket } of answers) socket.destroy();
    server = null;
    expect(listenersOn(port)).toBe(0);
  });

  it('refuses to start a second server on a port in use (EADDRINUSE), whether or not the port could be shared', async () => {
    server = await startTestServer(database.url);
    const second = await createTestDatabase(dialect, tempDir());
    try {
      await expect(startTestServer(second.url, { port: server.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(listenersOn(server.port)).toBe(acceptorsFor(DEFAULT_ACCEPTORS));
    } finally {
      await second.drop();
    }
  });
});
