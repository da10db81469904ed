import type { StateCreator } from 'zustand';
import type { BenchApi, KnownPart } from '../../../electron/contract/bench-api';
import type { CodingSessionEvent, GateResult, RunPlanStep, SessionReport, SessionSummary, StepReport } from '../../../electron/contract/coding-session';
import type { BenchError } from '../../../electron/contract/envelope';

export interface LiveReading {
  stepId: string | null;
  phase: string;
  railBar: number;
  elapsedMs: number;
  strokesDone: number;
  deliveryMm3PerStroke?: number;
  backLeakMlPerMin?: number;
  oilTempC?: number;
}

export interface CodingSlice {
  /** The session on screen: running, or the last one finished. */
  codingSessionId: string | null;
  codingPhase: string | null;
  codingStepId: string | null;
  codingGates: GateResult[];
  codingSteps: StepReport[];
  codingLive: LiveReading | null;
  /** The test points and the oil window of the running session, known once its gates passed. */
  codingPlan: { steps: RunPlanStep[]; oil: { minC: number; maxC: number } } | null;
  /** Counts progress batches that carried live values: the view marks each one it draws. */
  codingLiveSeq: number;
  codingReport: SessionReport | null;
  codingError: BenchError | null;
  /** The part of the last session, kept for "next injector". */
  lastPartNumber: string;
  history: SessionSummary[];
  /** Before Start: the part numbers the active packs code, and the credits left (null until loaded). */
  knownParts: KnownPart[];
  creditsBalance: number | null;
  loadStartInfo(): Promise<void>;
  startCoding(partNumber: string, serial: string, job?: { jobId: string; position: number }): Promise<boolean>;
  abortCoding(): Promise<void>;
  nextInjector(): void;
  receiveCodingEvent(event: CodingSessionEvent): void;
  /**
   * Sessions on this bench, newest first; a text (part of a serial, job, customer, VIN or order number),
   * an operator's name and a day range (YYYY-MM-DD, local days) narrow it.
   */
  /** `range` holds ISO instants: the view turns the days it shows into the bench zone's start and end of them. */
  loadHistory(text?: string, range?: { from?: string; to?: string }, operator?: string): Promise<void>;
  openReport(sessionId: string): Promise<void>;
}

const idle = {
  codingSessionId: null,
  codingPhase: null,
  codingStepId: null,
  codingGates: [],
  codingSteps: [],
  codingLive: null,
  codingPlan: null,
  codingLiveSeq: 0,
  codingReport: null,
  codingError: null,
};

export const createCodingSlice =
  (bench: BenchApi): StateCreator<CodingSlice, [], [], CodingSlice> =>
  (set, get) => ({
    ...idle,
    lastPartNumber: '',
    history: [],
    knownParts: [],
    creditsBalance: null,
    async loadStartInfo() {
      const [parts, credits] = await Promise.all([bench.listKnownParts(), bench.getCredits()]);
      set({ knownParts: parts.ok ? parts.value : [], creditsBalance: credits.ok ? credits.value.balance : null });
    },
    async startCoding(partNumber, serial, job) {
      set({ ...idle, lastPartNumber: partNumber });
      const result = await bench.startCodingSession({ partNumber, serial, ...(job ? { job } : {}) });
      if (!result.ok) {
        set({ codingError: result.error });
        return false;
      }
      set({ codingSessionId: result.value.sessionId });
      return true;
    },
    async abortCoding() {
      const result = await bench.abortCodingSession();
      if (!result.ok) set({ codingError: result.error });
    },
    nextInjector: () => set({ ...idle }),
    receiveCodingEvent(event) {
      if (event.type === 'finished') {
        const { report } = event;
        // A session started elsewhere (another window) still shows, so the bench never runs unseen.
        set({ codingSessionId: report.sessionId, codingReport: report, codingGates: report.gates, codingSteps: report.steps, codingPhase: 'done', codingLive: null, lastPartNumber: report.partNumber });
        void get().loadHistory();
        return;
      }
      if (get().codingSessionId !== event.sessionId) set({ ...idle, codingSessionId: event.sessionId });
      let { codingGates, codingSteps, codingPhase, codingStepId, codingLive, codingLiveSeq, codingPlan } = get();
      if (event.events.some((progress) => progress.type === 'live')) codingLiveSeq += 1;
      for (const progress of event.events) {
        if (progress.type === 'gate') codingGates = [...codingGates.filter((gate) => gate.id !== progress.gate.id), progress.gate];
        else if (progress.type === 'step') codingSteps = [...codingSteps, progress.step];
        else if (progress.type === 'phase') {
          codingPhase = progress.phase;
          codingStepId = progress.stepId ?? null;
        } else if (progress.type === 'plan') codingPlan = { steps: progress.steps, oil: progress.oil };
        else {
          const { type: _type, sessionId: _session, ...reading } = progress;
          codingLive = reading;
        }
      }
      set({ codingGates, codingSteps, codingPhase, codingStepId, codingLive, codingLiveSeq, codingPlan });
    },
    async loadHistory(text, range, operator) {
      const from = range?.from;
      const to = range?.to;
      const result = await bench.listCodingSessions({ ...(text ? { text } : {}), ...(operator ? { operator } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
      if (result.ok) set({ history: result.value });
    },
    async openReport(sessionId) {
      const result = await bench.getCodingSession({ sessionId });
      if (result.ok) set({ codingSessionId: sessionId, codingReport: result.value, codingGates: result.value.gates, codingSteps: result.value.steps, codingPhase: 'done', codingError: null });
      else set({ codingError: result.error });
    },
  });
