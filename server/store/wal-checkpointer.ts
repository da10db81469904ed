/**
 * Moves SQLite's WAL checkpoints off the event loop. A checkpoint copies the log's pages into the database
 * file and syncs both; left to SQLite it runs inside whichever COMMIT crosses `wal_autocheckpoint`, on the
 * thread that serves every request. Here a worker thread with its own connection runs a PASSIVE checkpoint
 * (it never waits on, nor blocks, the writer) every `intervalMs`; the writer's own autocheckpoint stays as a
 * safety net at a much larger log size, for a checkpointer that falls behind or could not start.
 */
import { runtimeRequire } from '../runtime-require';
import { Worker } from 'node:worker_threads';
import { sql, type Kysely } from 'kysely';
import type { Logger } from '../../common/logger';
import type { ServerDatabase } from './schema';

/** Pages (4 KiB) the log may grow to before the writer checkpoints itself: SQLite's default is 1,000. */
const SAFETY_NET_PAGES = 16_384;
const SQLITE_DEFAULT_PAGES = 1_000;

// Plain CommonJS evaluated in the worker: no loader (tsx) or bundler needs to know about a worker file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
parentPort.postMessage({ ready: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort.postMessage({ failed: String((error && error.message) || error) });
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  private constructor(
    private readonly worker: Worker,
    private readonly exited: Promise<void>,
    private readonly db: Kysely<ServerDatabase>,
  ) {}

  /** Null when no worker could be started: SQLite then checkpoints as it always does. */
  static async start(db: Kysely<ServerDatabase>, file: string, logger?: Logger, intervalMs = 200): Promise<WalCheckpointer | null> {
    let driver: string;
    try {
      driver = runtimeRequire().resolve('better-sqlite3');
    } catch {
      return null;
    }
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, intervalMs } });
    // Taken at once, so a stop after the worker died (an error) does not wait for an exit already past.
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const started = await new Promise<boolean>((resolve) => {
      worker.once('message', () => resolve(true));
      worker.once('error', () => resolve(false));
    });
    if (!started) return null;
    // Only once it is running: until then it is the one thing keeping a starting server's event loop alive.
    worker.unref();
    worker.on('message', (message: { failed?: string }) => {
      if (message.failed) logger?.warn({ reason: message.failed }, 'a WAL checkpoint failed; it is tried again');
    });
    worker.on('error', (error) => {
      // The writer goes back to checkpointing at SQLite's usual log size.
      logger?.warn({ err: error }, 'the WAL checkpointer stopped; the writer checkpoints itself again');
      void setAutocheckpoint(db, SQLITE_DEFAULT_PAGES).catch(() => undefined);
    });
    await setAutocheckpoint(db, SAFETY_NET_PAGES);
    return new WalCheckpointer(worker, exited, db);
  }

  async stop(): Promise<void> {
    // Held again while it winds down: an unref'd worker would let the process end before it has closed.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
    await setAutocheckpoint(this.db, SQLITE_DEFAULT_PAGES).catch(() => undefined);
  }
}

async function setAutocheckpoint(db: Kysely<ServerDatabase>, pages: number): Promise<void> {
  await sql`PRAGMA wal_autocheckpoint = ${sql.raw(String(pages))}`.execute(db);
}
