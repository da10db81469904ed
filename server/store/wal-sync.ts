/**
 * Durability of SQLite commits without blocking the event loop. better-sqlite3 is synchronous: with
 * `synchronous = FULL` every COMMIT waits for fsync of the write-ahead log on the one thread that also
 * serves every request. Log batches instead commit with `synchronous = NORMAL` (their frames are written
 * to the WAL, not yet flushed) and are acknowledged only after an fsync of the WAL on libuv's thread pool
 * has returned, which is the durability FULL gives, while the next group of batches is already being
 * written. Checkpoints keep SQLite's own syncs (NORMAL syncs the WAL before and the database after each).
 *
 * Flushes are coalesced: a caller gets a flush that started after it asked, so one fsync answers every
 * commit made while the previous one ran.
 */
import { open, type FileHandle } from 'node:fs/promises';

export class WalSync {
  private handle: Promise<FileHandle> | null = null;
  private failure: Error | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(readonly walFile: string) {}

  /** Resolves once everything written to the WAL before this call is on disk. */
  flush(): Promise<void> {
    if (!this.running) return this.start();
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<void> {
    const run = this.fsync().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async fsync(): Promise<void> {
    if (this.failure) throw this.failure;
    // The WAL exists from the first commit on and keeps its inode while the database is open.
    this.handle ??= open(this.walFile, 'r+');
    try {
      await (await this.handle).sync();
    } catch (error) {
      // After a failed fsync the kernel may have dropped the unwritten pages and a later fsync would
      // succeed without them (PostgreSQL's "fsyncgate"): nothing is acknowledged from here on.
      this.failure = new Error(`flushing ${this.walFile} failed (${error instanceof Error ? error.message : String(error)}); check the disk and restart the server`, { cause: error });
      throw this.failure;
    }
  }

  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.queued?.catch(() => undefined);
    const handle = this.handle;
    this.handle = null;
    await handle?.then((h) => h.close()).catch(() => undefined);
  }
}
