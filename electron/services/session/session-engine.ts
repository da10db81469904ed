/**
 * The coding session (docs/product.md, "The coding session"): fail-closed preflight gates, electrical
 * test, static leak test, the pack's delivery steps, a verdict per step, the correction code, write and
 * read back, then one transaction that records the code and debits its credits. Any abort or fault puts
 * the bench in SAFE, ends the session `aborted` with its reason, and charges nothing. The session moves
 * between its states only along the table in common/coding-session/states.ts.
 */
import { randomBytes } from 'node:crypto';
import type { SessionLogEntryPayload, SessionLogEntryType } from '../../../common/central-api/session-log-entries';
import {
  codingSessionStartState,
  isTerminal,
  outcomeOf,
  phaseOf,
  transition,
  type CodingSessionEvent,
  type CodingSessionState,
  type TerminalCodingSessionState,
} from '../../../common/coding-session/states';
import type { Calibration } from '../../../trust/pack-content';
import type { BenchErrorParams } from '../../contract/envelope';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import type { SessionRepository } from '../store/session-repository';
import { codableDeliveryWindow, CorrectionCodeError, encodeCorrectionCode, type StepMeasurement } from './correction-code';
import type { BenchPort, CreditsPort, LiveSample, PackPort, VerifiedPackForSession } from './ports';
import type { GateResult, SessionProgress, SessionReport, StepReport } from './session-report';

export class SessionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The specifics the screen's catalog sentence for the code fills in. */
    readonly params?: BenchErrorParams,
  ) {
    super(message);
    this.name = 'SessionError';
  }
}

export interface SessionRequest {
  partNumber: string;
  serial: string;
  operatorId: string | null;
  /** The job and cylinder position the injector is coded for. */
  job?: { jobId: string; position: number } | null;
  /**
   * The charged session this one retests within the pack's retest window (decided by the job service):
   * the retest is free, so the credits gate asks for nothing and the end debits nothing.
   */
  retestOf?: string | null;
}

export interface SessionEngineDeps {
  bench: BenchPort;
  packs: PackPort;
  credits: CreditsPort;
  sessions: SessionRepository;
  log: IntegrityLog;
  now?: () => Date;
}

type TestPlan = Calibration['test_plans'][number];

/** Where a session stands while it runs; the finished report is built from it. */
interface RunState {
  sessionState: CodingSessionState;
  report: SessionReport;
  pack: VerifiedPackForSession | null;
  plan: TestPlan | null;
}

function toleranceMm3(step: TestPlan['steps'][number]): number {
  return step.tolerance.kind === 'percent' ? (step.nominal_mm3 * step.tolerance.value) / 100 : step.tolerance.value_mm3;
}

function endingTransition(state: CodingSessionState, event: CodingSessionEvent): TerminalCodingSessionState {
  const next = transition(state, event);
  if (!isTerminal(next)) throw new Error(`"${event}" leads to ${next}: it does not end the session.`);
  return next;
}

function errorCode(error: unknown): string {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'INTERNAL';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CodingSessionEngine {
  readonly #now: () => Date;
  #running: { id: string; abortReason: string | null } | null = null;

  constructor(private readonly deps: SessionEngineDeps) {
    this.#now = deps.now ?? (() => new Date());
  }

  get runningSessionId(): string | null {
    return this.#running?.id ?? null;
  }

  /** Asks the running session to stop: the bench goes SAFE at once and the session ends aborted. */
  async abort(reason = 'aborted by the operator'): Promise<boolean> {
    const running = this.#running;
    if (!running) return false;
    running.abortReason = reason;
    await this.deps.bench.safe(reason);
    return true;
  }

  /**
   * Sessions left running by a crash are closed as aborted, uncharged, before anything else runs. The
   * terminal entry has the shape of a normal one (session-engine #finish) and names the pack the session was
   * verified against (recorded at preflight), so the server counts the abort for that pack version.
   */
  closeInterruptedSessions(): string[] {
    // A crash records no phase, only that the session had started; every in-progress state takes the same
    // `interrupt` edge (the table's test checks it), so the start state stands for whichever it was.
    const { status, verdict } = outcomeOf(endingTransition(codingSessionStartState, 'interrupt'));
    const closed: string[] = [];
    for (const session of this.deps.sessions.running()) {
      const endedAt = this.#now().toISOString();
      const pack = session.family && session.packVersion && session.packSha256 ? { family: session.family, version: session.packVersion, sha256: session.packSha256 } : null;
      const reason = { code: 'INTERRUPTED', message: 'The app stopped during this session; nothing was charged.' };
      this.deps.sessions.end(
        session.id,
        {
          endedAt,
          status,
          verdict,
          code: null,
          reasonCode: reason.code,
          reason: reason.message,
          reportJson: JSON.stringify({ sessionId: session.id, status, reason, partNumber: session.partNumber, serial: session.injectorSerial, pack, startedAt: session.startedAt, endedAt }),
          family: session.family,
          packVersion: session.packVersion,
          packSha256: session.packSha256,
        },
        0,
      );
      this.#append(`session.${status}`, {
        sessionId: session.id,
        verdict,
        reason: reason.code,
        partNumber: session.partNumber,
        serial: session.injectorSerial,
        pack,
        code: null,
        codeWrite: null,
        creditsDebited: 0,
      });
      closed.push(session.id);
    }
    if (closed.length > 0) this.deps.log.checkpoint();
    return closed;
  }

  async run(request: SessionRequest, onProgress: (progress: SessionProgress) => void = () => undefined): Promise<SessionReport> {
    if (this.#running) throw new SessionError('SESSION_RUNNING', `Session ${this.#running.id} is still running: finish or abort it first.`);
    const sessionId = `ses-${this.#now().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(6).toString('hex')}`;
    this.#running = { id: sessionId, abortReason: null };
    const startedAt = this.#now().toISOString();
    const state: RunState = {
      sessionState: codingSessionStartState,
      pack: null,
      plan: null,
      report: {
        sessionId,
        status: 'aborted',
        verdict: null,
        reason: null,
        partNumber: request.partNumber,
        serial: request.serial,
        operatorId: request.operatorId,
        bench: this.deps.bench.identity(),
        pack: null,
        gates: [],
        electrical: null,
        leak: null,
        oil: null,
        steps: [],
        code: null,
        codeFormat: null,
        codeWrite: null,
        creditsDebited: 0,
        startedAt,
        endedAt: startedAt,
        logCheckpoint: null,
        job: request.job ?? null,
        retestOf: request.retestOf ?? null,
        packRules: null,
      },
    };
    this.deps.sessions.start(sessionId, request.operatorId, request.partNumber, request.serial, startedAt, { job: request.job ?? null, retestOf: request.retestOf ?? null });
    this.#append('session.started', {
      sessionId,
      partNumber: request.partNumber,
      serial: request.serial,
      operatorId: request.operatorId,
      bench: state.report.bench,
      ...(request.job ? { job: request.job } : {}),
      ...(request.retestOf ? { retestOf: request.retestOf } : {}),
    });
    const emit = (progress: SessionProgress): void => {
      try {
        onProgress(progress);
      } catch {
        // A broken progress listener must not break the session.
      }
    };
    try {
      return await this.#execute(request, state, emit);
    } finally {
      this.#running = null;
    }
  }

  #checkAbort(): void {
    const reason = this.#running?.abortReason;
    if (reason) throw new SessionError('ABORTED_BY_OPERATOR', reason);
  }

  async #execute(request: SessionRequest, state: RunState, emit: (progress: SessionProgress) => void): Promise<SessionReport> {
    const { report } = state;
    const sessionId = report.sessionId;
    const move = (event: CodingSessionEvent, stepId?: string): void => this.#move(state, event, emit, stepId);
    try {
      move('begin');
      const gates = await this.#preflight(request, state);
      for (const gate of gates) emit({ type: 'gate', sessionId, gate });
      report.gates = gates;
      // Kept on the running session so a crash from here on still closes it naming its pack.
      if (report.pack) this.deps.sessions.recordPack(sessionId, report.pack);
      this.#append('session.preflight', { sessionId, gates: gates.map(({ id, passed, code }) => ({ id, passed, code })) });
      const blocked = gates.filter((gate) => !gate.passed);
      if (blocked.length > 0 || !state.pack || !state.plan) {
        return this.#finish(state, 'gatesBlocked', {
          code: 'PREFLIGHT_BLOCKED',
          message: `Coding is locked: ${blocked.map((gate) => `${gate.label}: ${gate.detail}`).join('; ')}`,
          // The screen lists each blocked gate in its own words; the reason only says how many.
          params: { blocked: blocked.length },
        });
      }
      const { pack, plan } = state;
      this.#checkAbort();
      const prepared = await this.deps.bench.prepare();
      if (prepared.clearedSafe) this.#append('bench.safe_cleared', { sessionId, reason: prepared.clearedSafe });
      await this.deps.bench.selectInjector(request.partNumber, request.serial);

      move('gatesPassed');
      emit({
        type: 'plan',
        sessionId,
        oil: { minC: pack.calibration.test_oil.temperature_c.min, maxC: pack.calibration.test_oil.temperature_c.max },
        steps: plan.steps.map((step) => ({
          id: step.id,
          label: step.label,
          railBar: step.rail_bar,
          energizingUs: step.energizing_us,
          strokes: step.strokes,
          nominalMm3: step.nominal_mm3,
          toleranceMm3: toleranceMm3(step),
          codable: codableDeliveryWindow(pack.calibration, { id: step.id, railBar: step.rail_bar, nominalMm3: step.nominal_mm3 }),
        })),
      });
      const live = (stepId: string | null) => (sample: LiveSample) => emit({ type: 'live', sessionId, stepId, ...sample });
      const electrical = await this.deps.bench.electricalTest();
      const limits = { minOhm: plan.electrical.resistance_ohm.min, maxOhm: plan.electrical.resistance_ohm.max, minInsulationMOhm: plan.electrical.insulation_min_mohm };
      const coilOk = electrical.coilResistanceOhm !== null && electrical.coilResistanceOhm >= limits.minOhm && electrical.coilResistanceOhm <= limits.maxOhm;
      report.electrical = { ...electrical, limits, passed: coilOk && electrical.insulationMOhm >= limits.minInsulationMOhm };
      this.#append('session.electrical', { sessionId, ...report.electrical });
      if (!report.electrical.passed) {
        const what = electrical.coilResistanceOhm === null ? 'the coil is open' : `coil ${electrical.coilResistanceOhm} Ω or insulation ${electrical.insulationMOhm} MΩ is outside the limits`;
        return this.#finish(state, 'electricalFailed', {
          code: 'ELECTRICAL_FAIL',
          message: `Electrical test failed: ${what}. The injector is rejected; no code is issued.`,
          // An open coil has no resistance to show: without coilOhm the catalog's open-coil sentence is the one that fits.
          params: { ...(electrical.coilResistanceOhm === null ? {} : { coilOhm: electrical.coilResistanceOhm }), insulationMOhm: electrical.insulationMOhm, ...limits },
        });
      }
      this.#checkAbort();

      move('electricalPassed');
      const window = { minC: pack.calibration.test_oil.temperature_c.min, maxC: pack.calibration.test_oil.temperature_c.max };
      const before = await this.deps.bench.oilTemperature();
      let conditioned;
      try {
        conditioned = await this.deps.bench.conditionOil(window, live(null));
      } catch (error) {
        // The bench refusing the window (its heater or cooler cannot get there) is the oil's fault; a lost link keeps its own code.
        if (this.#running?.abortReason || (error as { nak?: unknown }).nak !== 'HARDWARE_FAULT') throw error;
        throw new SessionError('OIL_NOT_CONDITIONED', `The test oil did not reach ${window.minC}–${window.maxC} °C: ${errorMessage(error)} Nothing was measured or charged.`, window);
      }
      // The gate made sure the bench reports the oil; should it fall silent, the report holds a number, never NaN.
      const startC = before ?? conditioned.oilTempC;
      report.oil = { startC, oilTempC: conditioned.oilTempC, minC: window.minC, maxC: window.maxC, waitedMs: conditioned.waitedMs };
      this.#append('session.oil', { sessionId, oilTempC: conditioned.oilTempC, minC: window.minC, maxC: window.maxC, startC, waitedMs: conditioned.waitedMs });
      this.#checkAbort();
      const leak = await this.deps.bench.leakTest(plan.leak.test_rail_bar, plan.leak.hold_s * 1000, live(null));
      report.leak = { backLeakMlPerMin: leak.backLeakMlPerMin, railBar: leak.railBar, limitMlPerMin: plan.leak.back_leak_max_ml_min, passed: leak.backLeakMlPerMin <= plan.leak.back_leak_max_ml_min };
      this.#append('session.leak', { sessionId, ...report.leak });
      if (!report.leak.passed) {
        await this.deps.bench.release();
        return this.#finish(state, 'leakFailed', {
          code: 'LEAK_FAIL',
          message: `Back-leak ${leak.backLeakMlPerMin.toFixed(1)} mL/min is above the limit of ${plan.leak.back_leak_max_ml_min} mL/min. The injector is rejected; no code is issued.`,
          params: { measured: Number(leak.backLeakMlPerMin.toFixed(1)), limit: plan.leak.back_leak_max_ml_min },
        });
      }

      const measurements = new Map<string, StepMeasurement>();
      for (const [index, step] of plan.steps.entries()) {
        this.#checkAbort();
        move(index === 0 ? 'leakPassed' : 'nextStep', step.id);
        const measured = await this.deps.bench.runDeliveryStep(
          { railBar: step.rail_bar, energizingTimeUs: step.energizing_us, frequencyHz: step.frequency_hz, strokes: step.strokes, settleMs: step.settle_ms },
          live(step.id),
        );
        const band = toleranceMm3(step);
        const deviationMm3 = measured.deliveryMm3PerStroke - step.nominal_mm3;
        const stepReport: StepReport = {
          id: step.id,
          label: step.label,
          railBar: step.rail_bar,
          energizingUs: step.energizing_us,
          nominalMm3: step.nominal_mm3,
          measuredMm3: measured.deliveryMm3PerStroke,
          toleranceMm3: band,
          deviationPct: step.nominal_mm3 === 0 ? 0 : (deviationMm3 / step.nominal_mm3) * 100,
          backLeakMlPerMin: measured.backLeakMlPerMin,
          verdict: Math.abs(deviationMm3) <= band ? 'in_tolerance' : 'corrected',
          correctionSteps: null,
          ...(measured.oilTempC === undefined ? {} : { oilTempC: measured.oilTempC }),
        };
        measurements.set(step.id, { railBar: step.rail_bar, nominalMm3: step.nominal_mm3, measuredMm3: measured.deliveryMm3PerStroke });
        report.steps.push(stepReport);
        this.#append('session.step', { sessionId, ...stepReport });
        emit({ type: 'step', sessionId, step: stepReport });
      }

      move('stepsMeasured');
      let encoded;
      try {
        encoded = encodeCorrectionCode(pack.calibration, measurements);
      } catch (error) {
        if (!(error instanceof CorrectionCodeError) || error.code !== 'NOT_CODABLE') throw error;
        const failing = report.steps.find((step) => step.id === error.step);
        if (failing) failing.verdict = 'not_codable';
        await this.deps.bench.release();
        return this.#finish(state, 'notCodable', {
          code: 'NOT_CODABLE',
          message: `${error.message} No code is issued and nothing is charged.`,
          ...(failing ? { params: { step: failing.label } } : {}),
        });
      }
      for (const correction of encoded.corrections) {
        const step = report.steps.find((candidate) => candidate.id === correction.step);
        if (step) step.correctionSteps = correction.steps;
      }
      report.codeFormat = encoded.formatId;
      this.#checkAbort();

      move('codeEncoded');
      const written = await this.deps.bench.writeCode(encoded.code);
      if (written === 'written') {
        const readBack = await this.deps.bench.readCode();
        if (readBack !== encoded.code) {
          throw new SessionError('CODE_READBACK_MISMATCH', `The coding target read back ${readBack ?? 'nothing'} instead of ${encoded.code}: the code does not count as written.`);
        }
        report.codeWrite = 'verified';
      } else {
        report.codeWrite = 'no_target';
      }
      report.code = encoded.code;
      await this.deps.bench.release();
      return this.#finish(state, 'codeWritten', null, request.retestOf ? 0 : pack.calibration.credit_tariff.per_correction_code);
    } catch (error) {
      const abortReason = this.#running?.abortReason;
      const reason: SessionReport['reason'] = abortReason
        ? { code: 'ABORTED_BY_OPERATOR', message: abortReason }
        : { code: errorCode(error), message: errorMessage(error), ...(error instanceof SessionError && error.params ? { params: error.params } : {}) };
      await this.deps.bench.safe(`session ${sessionId} ended: ${reason.code}`);
      report.code = null;
      report.codeWrite = null;
      return this.#finish(state, abortReason ? 'operatorAborted' : 'faulted', reason);
    }
  }

  /** Every gate is evaluated and shown, so the technician sees all that blocks, not just the first. */
  async #preflight(request: SessionRequest, state: RunState): Promise<GateResult[]> {
    const gates: GateResult[] = [];
    const family = await this.deps.packs.familyForPart(request.partNumber);
    if (!family) {
      gates.push({
        id: 'pack',
        label: 'Calibration pack',
        passed: false,
        code: 'UNKNOWN_PART',
        params: { partNumber: request.partNumber },
        detail: `No active pack lists part ${request.partNumber}.`,
        action: 'Check the part number, or ask an admin to refresh the packs.',
      });
    } else {
      try {
        const pack = await this.deps.packs.preflight(family);
        state.pack = pack;
        state.plan = pack.calibration.test_plans.find((plan) => plan.part_numbers.includes(request.partNumber)) ?? null;
        state.report.pack = { family, version: pack.version, sha256: pack.sha256, resolvedBy: pack.resolvedBy, synthetic: pack.calibration.synthetic };
        state.report.packRules = {
          maxCorrectionSpread: pack.calibration.set_matching?.max_correction_spread ?? null,
          retestWindowMin: pack.calibration.set_matching?.retest_window_min ?? 0,
          labelQr: pack.calibration.label?.qr_content ?? 'code-part-serial',
        };
        gates.push({ id: 'pack', label: 'Calibration pack', passed: state.plan !== null, detail: `${family} ${pack.version} verified now (every file re-hashed).` });
      } catch (error) {
        gates.push({
          id: 'pack',
          label: 'Calibration pack',
          passed: false,
          code: errorCode(error),
          detail: errorMessage(error),
          action: 'Ask an admin to refresh the packs or roll back to the last-known-good pack.',
        });
      }
    }
    const pack = state.pack;
    gates.push(
      pack
        ? { id: 'channel', label: 'Release channel', passed: true, detail: `Allowed by ${pack.resolvedBy}.` }
        : { id: 'channel', label: 'Release channel', passed: false, code: 'NO_VERIFIED_PACK', detail: 'No verified pack to check against the channel.', action: 'Fix the pack gate first.' },
    );
    const model = state.report.bench.model;
    gates.push(
      pack && pack.compatibleHardware.includes(model)
        ? { id: 'hardware', label: 'Bench hardware', passed: true, detail: `${model} is supported by the pack.` }
        : {
            id: 'hardware',
            label: 'Bench hardware',
            passed: false,
            code: pack ? 'INCOMPATIBLE' : 'NO_VERIFIED_PACK',
            ...(pack ? { params: { supported: pack.compatibleHardware.join(', '), model } } : {}),
            detail: pack ? `The pack supports ${pack.compatibleHardware.join(', ')}, not ${model}.` : 'Unknown until a pack is verified.',
            action: 'Use a pack built for this bench model.',
          },
    );
    try {
      const calibration = await this.deps.bench.calibrationCheck();
      gates.push(
        calibration.overdue
          ? { id: 'calibration', label: 'Bench calibration', passed: false, code: 'CALIBRATION_OVERDUE', params: { due: { day: calibration.due } }, detail: `The bench calibration check was due on ${calibration.due}.`, action: 'Run the calibration check with the reference injector.' }
          : { id: 'calibration', label: 'Bench calibration', passed: true, detail: `Checked ${calibration.lastCheck}, next due ${calibration.due}.` },
      );
    } catch (error) {
      gates.push({ id: 'calibration', label: 'Bench calibration', passed: false, code: errorCode(error), detail: errorMessage(error), action: 'Check the bench connection.' });
    }
    gates.push(await this.#oilGate(pack));
    const price = request.retestOf ? 0 : (pack?.calibration.credit_tariff.per_correction_code ?? 0);
    const balance = this.deps.credits.balance();
    gates.push(
      request.retestOf
        ? { id: 'credits', label: 'Credits', passed: true, detail: `Free retest of ${request.retestOf} within the pack's window; ${balance} available.` }
        : balance >= price
        ? { id: 'credits', label: 'Credits', passed: true, detail: `${balance} available, a code costs ${price}.` }
        : { id: 'credits', label: 'Credits', passed: false, code: 'INSUFFICIENT_CREDITS', params: { balance, price }, detail: `${balance} available, a code costs ${price}.`, action: 'Import a credit grant from the central server.' },
    );
    return gates;
  }

  /** Measurements are comparable only in the pack's test-oil window: the bench must at least be able to say where it is. */
  async #oilGate(pack: VerifiedPackForSession | null): Promise<GateResult> {
    const label = 'Test oil';
    let now: number | null;
    try {
      now = await this.deps.bench.oilTemperature();
    } catch (error) {
      return { id: 'oil', label, passed: false, code: errorCode(error), detail: errorMessage(error), action: 'Check the bench connection.' };
    }
    if (now === null) {
      return {
        id: 'oil',
        label,
        passed: false,
        code: 'OIL_TEMPERATURE_UNKNOWN',
        detail: 'This bench does not report the test-oil temperature (bench protocol 1), so measurements could not be compared with the pack.',
        action: 'Update the bench controller firmware to protocol 2.',
      };
    }
    if (!pack) return { id: 'oil', label, passed: true, detail: `${now.toFixed(1)} °C now.` };
    const { min, max } = pack.calibration.test_oil.temperature_c;
    const inside = now >= min && now <= max;
    return { id: 'oil', label, passed: true, detail: inside ? `${now.toFixed(1)} °C, inside ${min}–${max} °C.` : `${now.toFixed(1)} °C now; the bench warms it to ${min}–${max} °C before measuring.` };
  }

  /** Moves along the table; each phase entered (a delivery phase once per step) is announced to the UI. */
  #move(state: RunState, event: CodingSessionEvent, emit: (progress: SessionProgress) => void, stepId?: string): void {
    const next = transition(state.sessionState, event);
    if (isTerminal(next)) throw new Error(`"${event}" ends the session: it goes through #finish, which records the end.`);
    state.sessionState = next;
    const phase = phaseOf(next);
    if (phase) emit({ type: 'phase', sessionId: state.report.sessionId, phase, ...(stepId === undefined ? {} : { stepId }) });
  }

  #append<T extends SessionLogEntryType>(type: T, payload: SessionLogEntryPayload<T>) {
    return this.deps.log.append(type, payload);
  }

  #finish(state: RunState, event: CodingSessionEvent, reason: SessionReport['reason'], debit = 0): SessionReport {
    const { report } = state;
    const ended = endingTransition(state.sessionState, event);
    const { status, verdict } = outcomeOf(ended);
    report.status = status;
    report.verdict = verdict;
    report.reason = reason;
    report.endedAt = this.#now().toISOString();
    report.creditsDebited = debit;
    // The code and its charge are one transaction; the log entry that seals them comes right after.
    this.deps.sessions.end(
      report.sessionId,
      {
        endedAt: report.endedAt,
        status,
        verdict,
        code: report.code,
        reasonCode: reason?.code ?? null,
        reason: reason?.message ?? null,
        reportJson: JSON.stringify(report),
        family: report.pack?.family ?? null,
        packVersion: report.pack?.version ?? null,
        packSha256: report.pack?.sha256 ?? null,
      },
      debit,
    );
    // The settlement trace: what was coded, on which pack, and what it cost.
    const entry = this.#append(`session.${status}`, {
      sessionId: report.sessionId,
      verdict,
      reason: reason?.code ?? null,
      partNumber: report.partNumber,
      serial: report.serial,
      pack: report.pack,
      code: report.code,
      codeWrite: report.codeWrite,
      creditsDebited: debit,
      ...(report.retestOf ? { retestOf: report.retestOf } : {}),
    });
    if (status === 'completed' && report.pack) {
      try {
        this.deps.packs.markSessionCompleted(report.pack.family);
      } catch (error) {
        // The session stands; only the last-known-good pointer stays where it was.
        this.#append('packs.lkg_not_updated', { sessionId: report.sessionId, family: report.pack.family, code: errorCode(error) });
      }
    }
    const checkpoint = this.deps.log.checkpoint();
    report.logCheckpoint = checkpoint ? { seq: checkpoint.seq, entryHash: checkpoint.entryHash } : { seq: entry.seq, entryHash: entry.entryHash };
    // Only a recorded end is the session's state: when recording fails, the fault is taken from where it ran.
    state.sessionState = ended;
    return report;
  }

}
