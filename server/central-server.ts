/** Composition root of the central server: database, repository, HTTP app, listening on 127.0.0.1. */
import type { Logger } from '../common/logger';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import path from 'node:path';
import type { KeyPair } from '../trust/crypto';
import { readKeyFileAt } from '../trust/keys';
import { buildServerApp, type ServerApp, type ServerAppOptions } from './app';
import { readFileSync } from 'node:fs';
import { BlobStore } from './distribution/blob-store';
import { checkStoredRootAgainstPin, trustedRootPin } from './distribution/metadata-publish';
import { openServerDatabase, parseDatabaseUrl, type DialectName, type OpenedDatabase } from './store/database';
import { DistributionRepository } from './store/distribution-repository';
import { ServerRepository } from './store/server-repository';
import { WalCheckpointer } from './store/wal-checkpointer';
import { SignatureVerifier } from './sync/signature-verifier';
import { ServerConfigurationError } from './server-error';

export interface CentralServerOptions {
  databaseUrl: string;
  port: number;
  /** The address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface, e.g. in a container). */
  host?: string;
  /** Serve TLS directly: PEM files of the certificate chain and its key. */
  tls?: { certFile: string; keyFile: string };
  /** Which proxies' forwarding headers to believe (fastify's trustProxy: true, a hop count, or addresses/CIDRs). */
  trustProxy?: boolean | number | string;
  /** The origin people reach the server at behind a proxy, e.g. https://support.example (sign-in forms, Secure cookies). */
  publicOrigin?: string;
  adminToken: string;
  supportToken?: string;
  /** Publish-only token for release managers. */
  releaseToken?: string;
  /** Token that reads GET /metrics and nothing else (the Prometheus scraper's). */
  metricsToken?: string;
  /** Where pack bytes are kept (default: beside the SQLite file; required with PostgreSQL). */
  blobDir?: string;
  /** The credits role key file (from "injbench release keygen"); without it grants cannot be issued. */
  creditsKeyFile?: string;
  /** A credits key given directly (the demo's development key); creditsKeyFile wins when both are set. */
  creditsKey?: KeyPair;
  logger: Logger;
  now?: () => Date;
  clockSkewMs?: number;
  releases?: ServerAppOptions['releases'];
  supportWeb?: ServerAppOptions['supportWeb'];
  reconcileEverySeconds?: number;
  /** When log batches are shed with 429 (default: past 32 in progress). */
  ingestAdmission?: ServerAppOptions['ingestAdmission'];
  /** Root 1 to pin (--trusted-root): publishing another first root is refused with UNTRUSTED_ROOT. */
  trustedRootFile?: string;
  /** Listening sockets sharing the port where the runtime can (see `acceptorsFor`); default DEFAULT_ACCEPTORS. */
  acceptors?: number;
}

export interface CentralServer {
  readonly url: string;
  readonly port: number;
  readonly dialect: DialectName;
  readonly repository: ServerRepository;
  readonly distribution: DistributionRepository;
  readonly blobDir: string;
  /** SHA-256 of the pinned root 1, or null when the first published root is trusted on first use. */
  readonly trustedRootSha256: string | null;
  readonly app: ServerApp;
  /** Listening sockets taking new connections on the port (1 where the runtime cannot share a port). */
  readonly acceptors: number;
  close(): Promise<void>;
}

export const SERVER_HOST = '127.0.0.1';
const CLOSE_GRACE_MS = 2000;
/** An upload file untouched this long is a crash's leftover, not another instance's upload in progress. */
const INCOMING_LEFTOVER_AGE_MS = 60 * 60_000;

/**
 * Pack blobs sit beside the SQLite file by default. A PostgreSQL server has no file to sit beside, and its
 * working directory is whatever the service manager (or a test) happened to start it in: it must be told.
 */
export function defaultBlobDir(databaseUrl: string): string {
  const location = parseDatabaseUrl(databaseUrl);
  if (location.dialect === 'sqlite') return `${location.target}.blobs`;
  throw new ServerConfigurationError('BLOB_DIR_REQUIRED', 'A server on PostgreSQL needs an explicit blob folder for pack bytes: pass --blob-dir DIR (a folder every server instance of this database can read and write).');
}

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ServerConfigurationError('INVALID_CONFIGURATION', `Cannot read the TLS ${what} ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Listening sockets on the port, each taking one new connection per event-loop iteration, where the runtime can share a port. */
export const DEFAULT_ACCEPTORS = 4;

/**
 * How many listening sockets the server opens on its port. Node's libuv (1.45 on) takes one new connection
 * per listening socket per event-loop iteration, and a busy server's iteration lasts tens of ms: a fleet
 * connecting faster than that waits in the kernel's accept queue, seconds under overload, before the server
 * (and its admission control) sees a byte (docs/benchmarks.md, "### Overload"). Several sockets bound with
 * SO_REUSEPORT (Node 22.12 / 23.1 on, on Linux) take one each per iteration, and the kernel spreads new
 * connections across them. Elsewhere (Node 20) the server has the one socket it always had.
 */
export function acceptorsFor(wanted: number, nodeVersion = process.versions.node, platform = process.platform): number {
  const [major = 0, minor = 0] = nodeVersion.split('.').map(Number);
  const reusePort = platform === 'linux' && (major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12));
  return reusePort ? Math.max(1, Math.floor(wanted)) : 1;
}

/**
 * Fails with EADDRINUSE when anything listens on host:port. Sockets bound with reusePort would otherwise
 * join a second server started on the same port by mistake and silently share its connections.
 */
async function ensurePortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createTcpServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen({ host, port }, () => probe.close(() => resolve()));
  });
}

/**
 * Stops the extra sockets listening. Not awaited: a net.Server's close callback waits for every connection it
 * accepted, and those belong to the HTTP server, which closes (and after a grace period cuts) them itself.
 */
const stopListening = (listeners: TcpServer[]): void => {
  for (const listener of listeners) listener.close();
};

/** The host part of the URL the server prints: a wildcard address is reached on loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return SERVER_HOST;
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startCentralServer(options: CentralServerOptions): Promise<CentralServer> {
  // Read before the database opens: a missing or wrong key file stops the start with nothing touched.
  const creditsKey: KeyPair | null = options.creditsKeyFile ? readKeyFileAt(options.creditsKeyFile, 'credits') : (options.creditsKey ?? null);
  const trustedRoot = options.trustedRootFile ? trustedRootPin(readFileSync(options.trustedRootFile), options.trustedRootFile) : undefined;
  const https = options.tls ? { cert: readPem(options.tls.certFile, 'certificate'), key: readPem(options.tls.keyFile, 'key') } : undefined;
  const blobDir = path.resolve(options.blobDir ?? defaultBlobDir(options.databaseUrl));
  const blobs = new BlobStore(blobDir);
  // Only old leftovers: instances sharing the blob folder (PostgreSQL) may be receiving uploads right now.
  blobs.removeIncomingLeftovers(INCOMING_LEFTOVER_AGE_MS);
  // Also before the database: a platform without libsodium's binary stops the start with nothing opened.
  const signatures = new SignatureVerifier();
  let database: OpenedDatabase;
  try {
    database = await openServerDatabase(options.databaseUrl, { logger: options.logger, singleInstance: true });
  } catch (error) {
    await signatures.close();
    throw error;
  }
  const repository = new ServerRepository(database.db, database.dialect, { walFile: database.walFile });
  const checkpointer = database.sqliteFile ? await WalCheckpointer.start(database.db, database.sqliteFile, options.logger) : null;
  const distribution = new DistributionRepository(database.db, database.dialect);
  let app: ServerApp | undefined;
  const acceptors = acceptorsFor(options.acceptors ?? DEFAULT_ACCEPTORS);
  const extraListeners: TcpServer[] = [];
  try {
    if (trustedRoot) await checkStoredRootAgainstPin(distribution, trustedRoot);
    app = await buildServerApp({
      repository,
      logger: options.logger,
      adminToken: options.adminToken,
      supportToken: options.supportToken,
      releaseToken: options.releaseToken,
      metricsToken: options.metricsToken,
      distribution: { store: distribution, blobs, trustedRoot },
      creditsKey,
      now: options.now,
      clockSkewMs: options.clockSkewMs,
      releases: options.releases,
      supportWeb: { ...options.supportWeb, publicOrigin: options.publicOrigin ?? options.supportWeb?.publicOrigin },
      trustProxy: options.trustProxy,
      https,
      reconcileEverySeconds: options.reconcileEverySeconds,
      verifySignatures: signatures.verify,
      ingestAdmission: options.ingestAdmission,
    });
    if (acceptors > 1) await ensurePortFree(options.host ?? SERVER_HOST, options.port);
    await app.listen({ host: options.host ?? SERVER_HOST, port: options.port, ...(acceptors > 1 ? { reusePort: true } : {}) });
    const bound = app.server.address();
    for (let i = 1; i < acceptors && typeof bound === 'object' && bound; i += 1) {
      // Its connections go to the one HTTP(S) server, as if that server had accepted them itself.
      const server = app.server;
      const extra = createTcpServer({ noDelay: true }, (socket) => server.emit('connection', socket));
      extraListeners.push(extra);
      await new Promise<void>((resolve, reject) => {
        extra.once('error', reject);
        extra.listen({ host: bound.address, port: bound.port, reusePort: true }, () => {
          extra.off('error', reject);
          resolve();
        });
      });
    }
  } catch (error) {
    stopListening(extraListeners);
    await app?.close();
    await signatures.close();
    await checkpointer?.stop();
    await repository.close();
    await database.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `${https ? 'https' : 'http'}://${urlHost(options.host ?? SERVER_HOST)}:${port}`,
    port,
    dialect: database.dialect,
    repository,
    distribution,
    blobDir,
    trustedRootSha256: trustedRoot?.sha256 ?? null,
    app,
    acceptors,
    close: async () => {
      stopListening(extraListeners);
      // Connections still busy after a grace period (a slow or stalled upload, a download) are cut: a
      // shutdown must not wait on a client. An upload cut this way is discarded whole; the publisher retries.
      const grace = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearTimeout(grace);
      }
      await signatures.close();
      await checkpointer?.stop();
      await repository.close();
      await database.close();
    },
  };
}
