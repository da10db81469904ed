/**
 * The whole-log re-check an admin asks for: proves the server's stored copy of a bench's log was not altered
 * since ingest verified it, entry by entry and signature by signature. It is the one support operation that
 * costs the whole log, so it is explicit, runs in the background and records its progress (log-check-store.ts).
 *
 * The work stays off the event loop: the entries' hashes are computed on a worker thread of its own (a page's
 * entries travel in one message), the checkpoints' signatures on the server's signature workers, and the main
 * thread only reads a page by primary-key range and walks its links, one page at a time, so requests and
 * ingest interleave with it.
 *
 * A running check is the running instance's lease (log-check-store.ts): it renews it with each page and on a
 * heartbeat. When that instance is killed, its check is shown as failed ('interrupted') once the lease has
 * run out, and the admin can start a new one, on any instance.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { entryPreimage } from '../../common/integrity-log/log-format';
import { checkCheckpointSignatures, verifyIntegrityLog, type LogVerdict } from '../../common/integrity-log/verify-log';
import type { Logger } from '../../common/logger';
import type { VerifySignatures } from '../../trust/ed25519';
import { ServerError } from '../server-error';
import type { LogCheckRecord, LogCheckStore } from '../store/log-check-store';
import type { ServerRepository } from '../store/server-repository';

/** Entries per page: one page is a few milliseconds of the main thread's time. */
export const RECHECK_PAGE_ENTRIES = 1000;

/** How often a running check renews its lease besides its pages (a page held up by a loaded database). */
const HEARTBEAT_MS = 5_000;
/** A running check whose lease was not renewed for this long was cut off with its server instance. */
export const RECHECK_LEASE_MS = 60_000;
const INTERRUPTED = `The server instance running this check stopped without finishing it (no sign of it for ${RECHECK_LEASE_MS / 1000} s): ask for a new one.`;

// Plain CommonJS evaluated in the worker: no loader (tsx) or bundler needs to know about a worker file.
const HASH_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { hash } = require('node:crypto');
if (process.platform === 'linux') { try { require('node:os').setPriority(10); } catch {} }
parentPort.on('message', ({ id, texts }) => {
  parentPort.postMessage({ id, hashes: texts.map((text) => hash('sha256', text, 'hex')) });
});
`;

/** SHA-256 of many texts on a worker thread, answered in one message per call. */
class HashWorker {
  private readonly worker = new Worker(HASH_WORKER_SOURCE, { eval: true });
  private readonly pending = new Map<number, { resolve: (hashes: string[]) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor() {
    this.worker.unref();
    this.worker.on('message', ({ id, hashes }: { id: number; hashes: string[] }) => {
      this.pending.get(id)?.resolve(hashes);
      this.pending.delete(id);
    });
    this.worker.on('error', (error) => {
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
    });
  }

  hash(texts: string[]): Promise<string[]> {
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, texts });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

export interface LogRecheckOptions {
  repository: ServerRepository;
  checks: LogCheckStore;
  verifySignatures: VerifySignatures;
  logger: Logger;
  now: () => Date;
  pageEntries?: number;
}

export class LogRechecker {
  /** The checks this process runs, by check id, until each has recorded its outcome. */
  private readonly running = new Map<string, Promise<void>>();
  private closing = false;

  constructor(private readonly options: LogRecheckOptions) {}

  /**
   * Starts a check of the bench's log as stored now (entries up to its current head), or returns the one
   * running on any instance; a check whose instance died is settled as interrupted first.
   */
  async start(benchId: string): Promise<LogCheckRecord> {
    const { repository, checks, now } = this.options;
    const bench = await repository.bench(benchId);
    if (!bench) throw new ServerError('NOT_FOUND', `No bench ${benchId} is enrolled with this server.`);
    const at = now();
    const { record: check, started } = await checks.begin({ checkId: randomUUID(), benchId, requestedAt: at.toISOString(), headSeq: Number(bench.head_seq) }, this.staleBefore(at), INTERRUPTED);
    if (!started) return check;
    const done = this.run(check, { publicKey: bench.public_key, headHash: bench.head_hash }).finally(() => this.running.delete(check.checkId));
    this.running.set(check.checkId, done);
    return check;
  }

  /** Settles the bench's checks whose instance died as interrupted, so what is read of them is true. */
  async settleInterrupted(benchId: string): Promise<void> {
    const at = this.options.now();
    await this.options.checks.settleInterrupted(benchId, this.staleBefore(at), at.toISOString(), INTERRUPTED);
  }

  private staleBefore(at: Date): string {
    return new Date(at.getTime() - RECHECK_LEASE_MS).toISOString();
  }

  /** Waits for the checks running in this process; they record 'failed' (the server stopped) and end. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.running.values());
  }

  private async run(check: LogCheckRecord, bench: { publicKey: string; headHash: string }): Promise<void> {
    const { checks, logger, now } = this.options;
    const hasher = new HashWorker();
    const lease = { held: true };
    const heartbeat = setInterval(() => {
      checks.heartbeat(check.checkId, now().toISOString()).then(
        (held) => (lease.held &&= held),
        (error: unknown) => logger.warn({ err: error, benchId: check.benchId, checkId: check.checkId }, 'stored log re-check: heartbeat failed'),
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();
    try {
      const verdict = await this.walk(check, bench, hasher, lease);
      if (verdict === 'stopped') {
        await checks.finish(check.checkId, { failure: 'The server stopped before the check finished; ask for a new one.' }, now().toISOString());
        return;
      }
      if (verdict === 'lease-lost') {
        logger.warn({ benchId: check.benchId, checkId: check.checkId }, 'stored log re-check abandoned: it was settled as interrupted, its lease having run out before this instance renewed it');
        return;
      }
      await checks.finish(check.checkId, { verdict, checkedThrough: verdict.ok ? verdict.entries : verdict.seq - 1 }, now().toISOString());
      if (verdict.ok) logger.info({ benchId: check.benchId, checkId: check.checkId, entries: verdict.entries }, 'stored log re-checked: intact');
      else logger.warn({ benchId: check.benchId, checkId: check.checkId, code: verdict.code, seq: verdict.seq }, 'stored log re-checked: altered');
    } catch (error) {
      logger.warn({ err: error, benchId: check.benchId, checkId: check.checkId }, 'stored log re-check failed');
      await checks.finish(check.checkId, { failure: `The check could not finish: ${error instanceof Error ? error.message : String(error)}` }, now().toISOString()).catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
      await hasher.close();
    }
  }

  /** The page walk: each page chains to the last, its checkpoints are checked where they seal. */
  private async walk(check: LogCheckRecord, bench: { publicKey: string; headHash: string }, hasher: HashWorker, lease: { held: boolean }): Promise<LogVerdict | 'stopped' | 'lease-lost'> {
    const { repository, checks, verifySignatures, now } = this.options;
    const pageEntries = this.options.pageEntries ?? RECHECK_PAGE_ENTRIES;
    const { benchId, headSeq } = check;
    let after: { seq: number; entryHash: string } | undefined;
    let sealedThrough = 0;
    for (let from = 1; from <= headSeq; from += pageEntries) {
      if (this.closing) return 'stopped';
      if (!lease.held) return 'lease-lost';
      const through = Math.min(headSeq, from + pageEntries - 1);
      const entries = await repository.entries(benchId, from, through - from + 1);
      const checkpoints = await repository.checkpointsBetween(benchId, from, through);
      const [computedHashes, signatureVerdicts] = await Promise.all([
        hasher.hash(entries.map(entryPreimage)),
        checkCheckpointSignatures({ benchId, publicKey: bench.publicKey, checkpoints }, verifySignatures),
      ]);
      const verdict = verifyIntegrityLog({ benchId, publicKey: bench.publicKey, entries, checkpoints, after, computedHashes }, signatureVerdicts);
      if (!verdict.ok) return verdict;
      const last = entries.at(-1);
      if (!last || last.seq !== through) {
        const missing = (last?.seq ?? from - 1) + 1;
        return { ok: false, code: 'ENTRY_MISSING', seq: missing, reason: `entry ${missing} is missing: the server acknowledged entries up to ${headSeq}` };
      }
      after = { seq: last.seq, entryHash: last.entryHash };
      sealedThrough = checkpoints.at(-1)?.seq ?? sealedThrough;
      if (!(await checks.progress(check.checkId, through, now().toISOString()))) return 'lease-lost';
    }
    const headHash = after?.entryHash ?? bench.headHash;
    if (headHash !== bench.headHash) {
      return { ok: false, code: 'CHAIN_BROKEN', seq: headSeq, reason: `stored entry ${headSeq} is not the head the server acknowledged` };
    }
    return { ok: true, entries: headSeq, headHash, sealedThrough, unsealedEntries: headSeq - sealedThrough };
  }
}
