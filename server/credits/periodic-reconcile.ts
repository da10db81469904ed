/**
 * Credit reconciliation on a timer, beside the on-demand route: every `everySeconds` the server reconciles
 * each bench whose sealed log moved (or whose grants changed) since it was last reconciled. Findings are
 * recorded and alarmed once (reconcile.ts), so a run that finds the same again raises nothing new. Runs never
 * overlap; the timer is unref'd (it never keeps the process alive) and stopped when the server closes.
 *
 * Several server instances on one database each run the timer, but each period is claimed in the database
 * by exactly one of them (shared-state-repository.ts): the pass runs once per period across instances, and
 * when the instance that used to win stops, the next period is claimed by another.
 */
import type { Logger } from '../../common/logger';
import type { DistributionRepository } from '../store/distribution-repository';
import type { ServerRepository } from '../store/server-repository';
import { SharedStateRepository } from '../store/shared-state-repository';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { reconcileBench } from './reconcile';

/** Every 5 minutes by default; 0 turns the timer off (reconciliation stays available on demand). */
export const DEFAULT_RECONCILE_EVERY_SECONDS = 300;

/** The task name periods are claimed under. */
export const RECONCILE_TASK = 'credit-reconciliation';

export interface PeriodicReconciliation {
  /** One pass now (what the timer runs); resolves with the benches reconciled and the new findings. */
  runOnce(): Promise<{ benches: number; newFindings: number }>;
  stop(): Promise<void>;
}

export function startPeriodicReconciliation(options: {
  store: DistributionRepository;
  benches: ServerRepository;
  logger: Logger;
  now: () => Date;
  everySeconds: number;
}): PeriodicReconciliation {
  const { store, benches, logger, now } = options;
  const claims = new SharedStateRepository(benches.db);
  const instanceId = `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
  const periodMs = options.everySeconds * 1000;
  let periodStart = '';
  /** Per bench: the sealed position and grant count it was last reconciled at. */
  const reconciledAt = new Map<string, string>();
  let running: Promise<{ benches: number; newFindings: number }> | null = null;
  let stopped = false;

  async function pass(): Promise<{ benches: number; newFindings: number }> {
    const grants = await store.grants();
    let reconciled = 0;
    let newFindings = 0;
    for (const bench of await benches.benches()) {
      if (stopped) break;
      const grantCount = grants.filter((grant) => grant.bench_id === bench.bench_id).length;
      const position = `${String(bench.sealed_through)}/${grantCount}`;
      if (reconciledAt.get(bench.bench_id) === position) continue;
      const report = await reconcileBench(store, bench, now());
      reconciledAt.set(bench.bench_id, position);
      reconciled += 1;
      newFindings += report.newFindings;
      if (report.newFindings > 0) {
        logger.warn({ part: 'credits', benchId: bench.bench_id, newFindings: report.newFindings, kinds: [...new Set(report.findings.map((f) => f.kind))] }, 'periodic credit reconciliation raised alarms');
      }
    }
    logger.info({ part: 'credits', benches: reconciled, newFindings, periodStart, instanceId }, 'periodic credit reconciliation');
    return { benches: reconciled, newFindings };
  }

  function runOnce(): Promise<{ benches: number; newFindings: number }> {
    // A pass still running (a slow database) is not doubled: the caller shares it.
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  }

  /** The timer's pass: only when this instance claims the current period. */
  async function claimAndRun(): Promise<void> {
    if (stopped) return;
    const at = now();
    const start = new Date(Math.floor(at.getTime() / periodMs) * periodMs).toISOString();
    if (!(await claims.claimPeriod(RECONCILE_TASK, start, instanceId, at))) {
      logger.debug({ part: 'credits', periodStart: start, instanceId }, 'periodic credit reconciliation claimed by another instance');
      return;
    }
    periodStart = start;
    await runOnce();
  }

  const timer =
    options.everySeconds > 0
      ? setInterval(() => {
          claimAndRun().catch((error: unknown) => logger.warn({ part: 'credits', err: error }, 'periodic credit reconciliation failed; it runs again at the next period'));
        }, options.everySeconds * 1000)
      : null;
  timer?.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      // Let a pass in flight finish before the database closes under it.
      await running?.catch(() => undefined);
    },
  };
}
