/**
 * Coding sessions for the app: one at a time, run in the background, their progress sent to the UI in
 * batches of at most 20 a second (live values coalesced to the latest per step), then the report.
 */
import type { CodingSessionEvent, SessionProgress, SessionReport, SessionSummary } from '../../contract/coding-session';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import { ServiceError } from '../service-error';
import type { SessionRepository, SessionSearch } from '../store/session-repository';
import type { BenchPort, PackPort } from './ports';
import { runManualTest } from './manual-test';
import { CodingSessionEngine } from './session-engine';
import type { ManualTestInput, ManualTestResult } from '../../contract/bench-api';

export const PROGRESS_INTERVAL_MS = 50;

export interface SessionServiceDeps {
  sessions: SessionRepository;
  log: IntegrityLog;
  packs: PackPort;
  benchPort: () => BenchPort;
  publish: (event: CodingSessionEvent) => void;
  now: () => Date;
}

export class SessionService {
  #engine: CodingSessionEngine | null = null;
  #finished: Promise<SessionReport> | null = null;
  #manualRunning = false;

  constructor(private readonly deps: SessionServiceDeps) {}

  /** Closes sessions a crash left running; called once at start-up. */
  closeInterrupted(): string[] {
    return this.#engineFor(null).closeInterruptedSessions();
  }

  get running(): boolean {
    return this.#finished !== null;
  }

  /** Starts a session and resolves with its id as soon as it exists; the rest arrives as events. */
  async start(
    request: { partNumber: string; serial: string; job?: { jobId: string; position: number } | null; retestOf?: string | null },
    operatorId: string | null,
  ): Promise<{ sessionId: string; retestOf: string | null }> {
    if (this.#finished) throw new ServiceError('CONFLICT', 'A coding session is running: finish or abort it first.');
    if (this.#manualRunning) throw new ServiceError('CONFLICT', 'A manual test is running: wait for its result.');
    const engine = this.#engineFor(this.deps.benchPort());
    let pending: SessionProgress[] = [];
    let timer: NodeJS.Timeout | null = null;
    let sessionId: string | null = null;
    const flush = () => {
      timer = null;
      if (pending.length === 0 || !sessionId) return;
      // Live values are many and only the latest matters; phases, gates and steps are kept in order.
      const latestLive = new Map<string | null, SessionProgress>();
      for (const event of pending) if (event.type === 'live') latestLive.set(event.stepId, event);
      const events = pending.filter((event) => event.type !== 'live' || latestLive.get(event.stepId) === event);
      pending = [];
      this.deps.publish({ type: 'progress', sessionId, events });
    };
    let started: (id: string) => void = () => undefined;
    const firstEvent = new Promise<string>((resolve) => (started = resolve));
    this.#finished = engine
      .run({ ...request, operatorId }, (event) => {
        if (!sessionId) {
          sessionId = event.sessionId;
          started(sessionId);
        }
        pending.push(event);
        timer ??= setTimeout(flush, PROGRESS_INTERVAL_MS);
      })
      .then((report) => {
        if (timer) clearTimeout(timer);
        flush();
        this.deps.publish({ type: 'finished', report });
        return report;
      })
      .finally(() => {
        this.#finished = null;
      });
    // A session that fails before its first event (it cannot: preflight is announced first) would hang here.
    const id = await Promise.race([firstEvent, this.#finished.then((report) => report.sessionId)]);
    return { sessionId: id, retestOf: request.retestOf ?? null };
  }

  /** A manual measurement; never alongside a coding session, which owns the bench while it runs. */
  async manualTest(input: ManualTestInput, operatorId: string | null): Promise<ManualTestResult> {
    if (this.#finished) throw new ServiceError('CONFLICT', 'A coding session is running: finish or abort it first.');
    if (this.#manualRunning) throw new ServiceError('CONFLICT', 'A manual test is already running.');
    this.#manualRunning = true;
    try {
      return await runManualTest({ bench: this.deps.benchPort(), packs: this.deps.packs, log: this.deps.log }, input, operatorId);
    } finally {
      this.#manualRunning = false;
    }
  }

  async abort(): Promise<boolean> {
    return (await this.#engine?.abort('aborted by the operator')) ?? false;
  }

  /** Resolves when the running session ends (for shutdown and tests). */
  async settled(): Promise<SessionReport | null> {
    return this.#finished ? this.#finished : null;
  }

  report(sessionId: string): SessionReport {
    const record = this.deps.sessions.byId(sessionId);
    if (!record) throw new ServiceError('NOT_FOUND', `No session ${sessionId} on this bench.`);
    if (!record.reportJson) throw new ServiceError('CONFLICT', `Session ${sessionId} is still running.`);
    return JSON.parse(record.reportJson) as SessionReport;
  }

  list(query: SessionSearch): SessionSummary[] {
    return this.deps.sessions.search(query).map((record) => ({
      sessionId: record.id,
      partNumber: record.partNumber,
      serial: record.injectorSerial,
      status: record.status,
      verdict: record.verdict,
      code: record.code,
      family: record.family,
      packVersion: record.packVersion,
      creditsDebited: record.creditsDebited,
      reasonCode: record.reasonCode,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      operatorName: record.operatorName,
      jobId: record.jobId,
      position: record.jobPosition,
      customer: record.customer,
    }));
  }

  #engineFor(bench: BenchPort | null): CodingSessionEngine {
    const engine = new CodingSessionEngine({
      bench: bench ?? unconnectedBench,
      packs: this.deps.packs,
      credits: this.deps.sessions,
      sessions: this.deps.sessions,
      log: this.deps.log,
      now: this.deps.now,
    });
    if (bench) this.#engine = engine;
    return engine;
  }
}

/** Closing interrupted sessions needs no bench; any attempt to use it is a programming error. */
const unconnectedBench: BenchPort = new Proxy({} as BenchPort, {
  get() {
    throw new ServiceError('NOT_CONFIGURED', 'No bench is connected.');
  },
});
