/**
 * Ed25519 checks of the central server, off its event loop, in worker threads of their own.
 *
 * libuv's thread pool costs the event loop a job, a wakeup and a callback per signature: ~15 µs each, forty
 * times for a batch of 500 coding-session entries, and the WAL fsync that acknowledgements wait for queued
 * behind them. Here a request's signatures travel to a worker in one message and come back in one.
 *
 * The workers run at the process's own priority. They once ran at nice 10 so the event loop would get a core
 * first; but every batch waits for its verdicts, so on a machine busy with anything else (other processes,
 * or only our own event loop under load) the workers were starved and the batches with them: a verdict for
 * ~40 signatures (~3 ms of CPU) took 0.1–0.9 s at the median and up to 2.8 s (bench/server-overload.ts,
 * load average 12 on 2 cores), and the slowest batches were answered only when the load stopped.
 *
 * The checks are the strict Ed25519 of trust/ed25519.ts, the one the bench and the CLI run: the key check
 * (`checkable`: size, canonical point of prime order; cached per key) on this thread, then in the worker the
 * same libsodium call `verifyCheckable` makes (canonical S, R not of small order), so the server never
 * acknowledges a batch the bench's own verifier would reject, nor the other way round.
 *
 * A worker that dies fails the checks in flight (a failed check, never a pass) and is replaced.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { checkable, type SignatureCheck, type VerifySignatures } from '../../trust/ed25519';
import { runtimeRequire } from '../runtime-require';

// Plain CommonJS evaluated in the worker: no loader (tsx) or bundler needs to know about a worker file.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
parentPort.on('message', ({ id, checks }) => {
  // Only checkable checks arrive here (SignatureVerifier.verify): the call is trust/ed25519.ts verifyCheckable's.
  const verdicts = checks.map(({ message, signature, publicKey }) => {
    try {
      return sodium.crypto_sign_verify_detached(signature, message, publicKey) === true;
    } catch {
      return false;
    }
  });
  parentPort.postMessage({ id, verdicts });
});
`;

/** sodium-native's entry point, loaded once here so a platform without its binary fails at start, by name. */
function sodiumPath(): string {
  const require = runtimeRequire();
  try {
    const resolved = require.resolve('sodium-native');
    require(resolved);
    return resolved;
  } catch (error) {
    throw new Error(`The server checks signatures with libsodium (sodium-native), which cannot be loaded here: ${error instanceof Error ? error.message : String(error)}. Run npm install on a platform sodium-native ships a binary for (Linux, macOS or Windows on x64 or arm64).`, { cause: error });
  }
}

interface Pending {
  resolve: (verdicts: boolean[]) => void;
  count: number;
}

class VerifierWorker {
  private readonly pending = new Map<number, Pending>();
  private worker: Worker;
  private nextId = 0;

  constructor(private readonly sodiumPath: string) {
    this.worker = this.spawn();
  }

  get load(): number {
    return this.pending.size;
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sodiumPath: this.sodiumPath } });
    worker.unref();
    worker.on('message', ({ id, verdicts }: { id: number; verdicts: boolean[] }) => {
      const pending = this.pending.get(id);
      this.pending.delete(id);
      pending?.resolve(verdicts);
    });
    worker.on('error', () => {
      for (const pending of this.pending.values()) pending.resolve(new Array<boolean>(pending.count).fill(false));
      this.pending.clear();
      this.worker = this.spawn();
    });
    return worker;
  }

  verify(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    const id = (this.nextId += 1);
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, count: checks.length });
      this.worker.postMessage({ id, checks });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

export class SignatureVerifier {
  private readonly workers: VerifierWorker[];

  constructor(workers = Math.max(1, Math.min(4, availableParallelism()))) {
    const sodium = sodiumPath();
    this.workers = Array.from({ length: workers }, () => new VerifierWorker(sodium));
  }

  readonly verify: VerifySignatures = async (checks) => {
    // Malformed checks and weak keys fail here and never travel; the rest go to the least busy worker in one message.
    const sent = checks.filter((check) => checkable(check.signature, check.publicKey));
    if (sent.length === 0) return checks.map(() => false);
    let chosen = this.workers[0] as VerifierWorker;
    for (const worker of this.workers) if (worker.load < chosen.load) chosen = worker;
    const verdicts = await chosen.verify(sent);
    let next = 0;
    return checks.map((check) => (checkable(check.signature, check.publicKey) ? verdicts[next++] === true : false));
  };

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}

