/**
 * The server's Prometheus metrics (`GET /metrics`, prom-client), for the operator's dashboards and alerts.
 * The list, with the questions each answers, is in docs/operations.md ("Monitor").
 *
 * Label cardinality is bounded by construction:
 * - requests are labelled by route pattern (`/api/v1/support/benches/:benchId/log`), never by URL; a request
 *   no route matched is `unmatched`;
 * - refusals and alarms by their code or kind, fixed lists in the code;
 * - per-bench series carry one label, the bench id, for active benches only (a revoked bench never comes
 *   back), at most MAX_BENCH_SERIES of them, the longest-silent first: a fleet of a few hundred to a
 *   thousand benches is a few thousand series in all. Past the cap, `injbench_bench_series_omitted` says how
 *   many benches have no series, and the fleet-wide gauges still count every bench.
 *
 * Per-bench and alarm figures are read from the database at scrape time, so every instance of a shared
 * database reports the same values and a restart loses nothing; counters and latencies are per process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServerRepository } from './store/server-repository';

/** The most benches that get series of their own; more are counted in injbench_bench_series_omitted. */
export const MAX_BENCH_SERIES = 1000;

/** Seconds: the benches' request timeout is 15 s, so the buckets resolve up to it. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15];

/**
 * Process metrics (CPU, memory, event loop lag, GC, handles) belong to the process, not to one server app:
 * registered once, so a process that builds many apps (the tests) does not start a monitor per app.
 */
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

interface FleetSnapshot {
  benches: Awaited<ReturnType<ServerRepository['benches']>>;
  alarms: { kind: string; count: number }[];
}

export class ServerMetrics {
  readonly #registry = new Registry();
  readonly requestDuration = new Histogram({
    name: 'injbench_http_request_duration_seconds',
    help: 'Time to answer a request, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.#registry],
  });
  readonly refusals = new Counter({
    name: 'injbench_refusals_total',
    help: 'Requests refused with a typed 4xx answer, by error code (UNAUTHORIZED, BAD_SIGNATURE, OVERSIZE, ...).',
    labelNames: ['code'] as const,
    registers: [this.#registry],
  });
  readonly faults = new Counter({
    name: 'injbench_faults_total',
    help: 'Requests that failed with a 5xx (a fault of the server or its database), by error code.',
    labelNames: ['code'] as const,
    registers: [this.#registry],
  });
  readonly ingestBatches = new Counter({
    name: 'injbench_ingest_batches_total',
    help: 'Bench log batches admitted and judged, by outcome: stored (acknowledged) or refused (batches shed are in injbench_ingest_shed_total).',
    labelNames: ['outcome'] as const,
    registers: [this.#registry],
  });
  readonly ingestShed = new Counter({
    name: 'injbench_ingest_shed_total',
    help: 'Bench log batches answered 429 OVERLOADED (the bench sends them again), by admission rule: in-flight, standing-queue (both at the door), waited (before the write).',
    labelNames: ['reason'] as const,
    registers: [this.#registry],
  });
  readonly ingestEntries = new Counter({
    name: 'injbench_ingest_entries_total',
    help: 'Integrity log entries stored (new entries only; a batch sent again adds none).',
    registers: [this.#registry],
  });

  /** The database figures of the scrape under way: read once per scrape for all the gauges. */
  #snapshot: Promise<FleetSnapshot> | null = null;
  readonly #readSnapshot: () => Promise<FleetSnapshot>;

  constructor(
    repository: Pick<ServerRepository, 'benches' | 'alarmCounts'>,
    private readonly now: () => Date,
  ) {
    this.#readSnapshot = () => Promise.all([repository.benches(), repository.alarmCounts()]).then(([benches, alarms]) => ({ benches, alarms }));
    const snapshot = (): Promise<FleetSnapshot> => (this.#snapshot ??= this.#readSnapshot());
    const seriesBenches = async () => {
      const active = (await snapshot()).benches.filter((bench) => bench.status === 'active');
      // Never seen sorts first (''), then the longest silent: the benches an operator looks for.
      active.sort((a, b) => (a.last_seen_at ?? '').localeCompare(b.last_seen_at ?? ''));
      return { kept: active.slice(0, MAX_BENCH_SERIES), omitted: Math.max(0, active.length - MAX_BENCH_SERIES) };
    };
    const registers = [this.#registry];
    new Gauge({
      name: 'injbench_benches',
      help: 'Enrolled benches, by status (active, revoked).',
      labelNames: ['status'] as const,
      registers,
      async collect() {
        const benches = (await snapshot()).benches;
        this.reset();
        for (const status of ['active', 'revoked'] as const) this.set({ status }, benches.filter((bench) => bench.status === status).length);
      },
    });
    new Gauge({
      name: 'injbench_bench_last_seen_timestamp_seconds',
      help: 'When each active bench last made a signed request (Unix seconds, to the minute); absent: never since the server recorded it.',
      labelNames: ['bench'] as const,
      registers,
      async collect() {
        const { kept } = await seriesBenches();
        this.reset();
        for (const bench of kept) if (bench.last_seen_at) this.set({ bench: bench.bench_id }, Math.floor(Date.parse(bench.last_seen_at) / 1000));
      },
    });
    new Gauge({
      name: 'injbench_bench_unsealed_entries',
      help: "Each active bench's stored entries that no signed checkpoint seals yet (reconciliation waits for them).",
      labelNames: ['bench'] as const,
      registers,
      async collect() {
        const { kept } = await seriesBenches();
        this.reset();
        for (const bench of kept) this.set({ bench: bench.bench_id }, Math.max(0, Number(bench.head_seq) - Number(bench.sealed_through)));
      },
    });
    new Gauge({
      name: 'injbench_bench_series_omitted',
      help: `Active benches left without per-bench series (more than ${MAX_BENCH_SERIES}).`,
      registers,
      async collect() {
        this.set((await seriesBenches()).omitted);
      },
    });
    new Gauge({
      name: 'injbench_alarms',
      help: 'Alarms recorded in the database, by kind (CHAIN_BROKEN, CREDITS_OVERSPEND, ...); it only grows: alert on delta().',
      labelNames: ['kind'] as const,
      registers,
      async collect() {
        const { alarms } = await snapshot();
        this.reset();
        for (const { kind, count } of alarms) this.set({ kind }, count);
      },
    });
    const clock = this.now;
    new Gauge({
      name: 'injbench_scrape_timestamp_seconds',
      help: "The server's clock at this scrape (compare with the last-seen times).",
      registers,
      collect() {
        this.set(Math.floor(clock().getTime() / 1000));
      },
    });
  }

  readonly contentType = this.#registry.contentType;

  /** The exposition text: this app's metrics, then the process's. */
  async text(): Promise<string> {
    this.#snapshot = this.#readSnapshot();
    try {
      return `${await this.#registry.metrics()}\n${await processMetrics().metrics()}`;
    } finally {
      this.#snapshot = null;
    }
  }
}
