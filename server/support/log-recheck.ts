/**
 * The whole-log re-check an admin asks for: proves the server's stored copy of a bench's log was not altered
 * since ingest verified it, entry by entry and signature by signature. It is the one support operation that
 * costs the whole log, so it is explicit, runs in the background and records its progress (log-check-store.ts).
 *
 * The work stays off the event loop: the entries' hashes are computed on a worker thread of its own (a page's
 * entries travel in one message), the checkpoints' signatures on the server's signature workers, and the main
 * thread only reads a page by primary-key range and walks its links, one page at a time, so requests and
 * ingest interleave with it.
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
  /** The checks this process runs, by bench: a second request for the same bench gets the running one. */
  private readonly running = new Map<string, { checkId: string; done: Promise<void> }>();
  private closing = false;

  constructor(private readonly options: LogRecheckOptions) {}

  /** Starts a check of the bench's log as stored now (entries up to its current head), or returns the one running. */
  async start(benchId: string): Promise<LogCheckRecord> {
    const { repository, checks, now } = this.options;
    const bench = await repository.bench(benchId);
    if (!bench) throw new ServerError('NOT_FOUND', `No bench ${benchId} is enrolled with this server.`);
    const current = this.running.get(benchId);
    if (current) {
      const record = await checks.check(benchId, current.checkId);
      if (record) return record;
    }
    const check = await checks.create({ checkId: randomUUID(), benchId, requestedAt: now().toISOString(), headSeq: Number(bench.head_seq) });
    const done = this.run(check, { publicKey: bench.public_key, headHash: bench.head_hash }).finally(() => this.running.delete(benchId));
    this.running.set(benchId, { checkId: check.checkId, done });
    return check;
  }

  /** Waits for the checks running in this process; they record 'failed' (the server stopped) and end. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.running.values()].map((check) => check.done));
  }

  private async run(check: LogCheckRecord, bench: { publicKey: string; headHash: string }): Promise<void> {
    const { checks, logger, now } = this.options;
    const hasher = new HashWorker();
    try {
      const verdict = await this.walk(check, bench, hasher);
      if (verdict === 'stopped') {
        await checks.finish(check.checkId, { failure: 'The server stopped before the check finished; ask for a new one.' }, now().toISOString());
        return;
      }
      await checks.finish(check.checkId, { verdict, checkedThrough: verdict.ok ? verdict.entries : verdict.seq - 1 }, now().toISOString());
      if (verdict.ok) logger.info({ benchId: check.benchId, checkId: check.checkId, entries: verdict.entries }, 'stored log re-checked: intact');
      else logger.warn({ benchId: check.benchId, checkId: check.checkId, code: verdict.code, seq: verdict.seq }, 'stored log re-checked: altered');
    } catch (error) {
      logger.warn({ err: error, benchId: check.benchId, checkId: check.checkId }, 'stored log re-check failed');
      await checks.finish(check.checkId, { failure: `The check could not finish: ${error instanceof Error ? error.message : String(error)}` }, now().toISOString()).catch(() => undefined);
    } finally {
      await hasher.close();
    }
  }

  /** The page walk: each page chains to the last, its checkpoints are checked where they seal. */
  private async walk(check: LogCheckRecord, bench: { publicKey: string; headHash: string }, hasher: HashWorker): Promise<LogVerdict | 'stopped'> {
    const { repository, checks, verifySignatures, now } = this.options;
    const pageEntries = this.options.pageEntries ?? RECHECK_PAGE_ENTRIES;
    const { benchId, headSeq } = check;
    let after: { seq: number; entryHash: string } | undefined;
    let sealedThrough = 0;
    for (let from = 1; from <= headSeq; from += pageEntries) {
      if (this.closing) return 'stopped';
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
      await checks.progress(check.checkId, through, now().toISOString());
    }
    const headHash = after?.entryHash ?? bench.headHash;
    if (headHash !== bench.headHash) {
      return { ok: false, code: 'CHAIN_BROKEN', seq: headSeq, reason: `stored entry ${headSeq} is not the head the server acknowledged` };
    }
    return { ok: true, entries: headSeq, headHash, sealedThrough, unsealedEntries: headSeq - sealedThrough };
  }
}
