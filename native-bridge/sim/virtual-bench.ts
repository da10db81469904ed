/**
 * The bench controller the simulator models: a rail whose pressure takes time to build, a drive
 * setpoint, a SAFE state, a calibration-check date and one synthetic injector on the coding target.
 * Durations are modeled in bench milliseconds and run in real time divided by the speed factor.
 */
import type { BenchState, CommandName, Drive, LiveValues, NakCode, RequestOf, ResponseOf } from '../protocol/messages';
import { SUPPORTED_VERSIONS } from '../protocol/messages';
import { round, seededRandom, SyntheticInjector, type FamilyModel, type InjectorFaults } from './injector-model';

export interface BenchFaults extends InjectorFaults {
  pressureNotReached: boolean;
  codeMismatch: boolean;
  /** The test-oil heater is broken: the oil stays at ambient temperature. */
  coldOil: boolean;
}

/** The model the virtual bench reports in IDENT unless told otherwise: the demo packs list it as compatible. */
export const VIRTUAL_BENCH_MODEL = 'virtual-bench';

export interface VirtualBenchOptions {
  /** The hardware model reported in IDENT (default VIRTUAL_BENCH_MODEL); another one plays a production bench. */
  model?: string;
  injectorSerial: string;
  seed: number;
  speed: number;
  watchdogMs: number;
  lastCalibration: string;
  calibrationDue: string;
  faults: BenchFaults;
  /** Injector families by part number, for SELECT_INJECTOR (see families.ts). */
  families?: ReadonlyMap<string, FamilyModel>;
  today?: () => string;
  /** How often live values go out during a measurement (real time); 100 ms unless told. */
  liveIntervalMs?: number;
  /** Protocol versions this controller's firmware speaks; all the host knows unless told (a version-1 bench for tests). */
  protocolVersions?: readonly number[];
  /** Test-oil temperature at power-on, °C: a cold workshop's 15 unless told. CONDITION_OIL brings it into a window. */
  ambientC?: number;
}

export class NakError extends Error {
  constructor(
    readonly code: NakCode,
    message: string,
  ) {
    super(message);
    this.name = 'NakError';
  }
}

export interface OperationContext {
  signal: AbortSignal;
  live(values: LiveValues): void;
}

const RAIL_RAMP_BAR_PER_S = 1000;
const LIVE_INTERVAL_MS = 100;
const PRESSURE_TOLERANCE_BAR = 2;
/** First-order response of the tank to its temperature control, in modeled seconds. */
const OIL_TIME_CONSTANT_S = 60;

/** Commands that run for a while; only one at a time, and ABORT or SAFE end it. */
export const longCommands: ReadonlySet<CommandName> = new Set(['SET_RAIL_PRESSURE', 'RUN_STEP', 'LEAK_TEST', 'ELECTRICAL_TEST', 'CAL_CHECK', 'CONDITION_OIL', 'WRITE_CODE']);

export class VirtualBench {
  injector: SyntheticInjector;
  private state: BenchState = 'idle';
  private safeReason: string | null = null;
  private rail = { from: 0, to: 0, startedAt: 0 };
  private drive: Drive | null = null;
  private storedCode: string | null = null;
  private readonly bootedAt = performance.now();
  private readonly noise: () => number;
  /** The tank drifts toward `toC` from `fromC` since `since` (real ms); CONDITION_OIL sets a new target. */
  private oil: { fromC: number; toC: number; since: number };
  private operation: AbortController | null = null;
  /** Total modeled measurement time of completed operations, for the benchmark's baseline. */
  modeledMs = 0;

  constructor(
    private readonly options: VirtualBenchOptions,
    private readonly onStateChange: (state: BenchState, safeReason: string | null) => void = () => {},
  ) {
    this.injector = new SyntheticInjector(options.injectorSerial, options.seed, options.faults);
    this.noise = seededRandom(options.seed ^ 0x0117);
    const ambient = options.ambientC ?? 15;
    this.oil = { fromC: ambient, toC: ambient, since: this.bootedAt };
  }

  get protocolVersions(): readonly number[] {
    return this.options.protocolVersions ?? SUPPORTED_VERSIONS;
  }

  /** Test-oil temperature now (modeled time): at ambient after power-on, then following the control's target. */
  oilTempC(): number {
    return round(this.oilExact() + 0.05 * (this.noise() - 0.5), 1);
  }

  private oilExact(): number {
    const elapsedS = ((performance.now() - this.oil.since) * this.options.speed) / 1000;
    return this.oil.toC + (this.oil.fromC - this.oil.toC) * Math.exp(-elapsedS / OIL_TIME_CONSTANT_S);
  }

  /** The temperature control aims at a new target; a broken heater leaves the tank where it is. */
  private setOilTarget(targetC: number): void {
    if (this.options.faults.coldOil) return;
    this.oil = { fromC: this.oilExact(), toC: targetC, since: performance.now() };
  }

  get busy(): boolean {
    return this.operation !== null;
  }

  currentState(): { state: BenchState; safeReason: string | null } {
    return { state: this.state, safeReason: this.safeReason };
  }

  /** Rail pressure now, following a linear ramp toward the target (capped when the pump is weak). */
  railBar(): number {
    const elapsedS = ((performance.now() - this.rail.startedAt) * this.options.speed) / 1000;
    const ceiling = this.options.faults.pressureNotReached ? Math.max(this.rail.from, 0.7 * this.rail.to) : Infinity;
    const target = Math.min(this.rail.to, ceiling);
    const travel = RAIL_RAMP_BAR_PER_S * elapsedS;
    const value = this.rail.to >= this.rail.from ? Math.min(target, this.rail.from + travel) : Math.max(this.rail.to, this.rail.from - travel);
    return round(value, 1);
  }

  enterSafe(reason: string): void {
    this.operation?.abort(new NakError('ABORTED', `bench entered SAFE state: ${reason}`));
    this.setRailTarget(0);
    this.drive = null;
    this.setState('safe', reason);
  }

  private setState(state: BenchState, safeReason: string | null = null): void {
    const changed = state !== this.state || safeReason !== this.safeReason;
    this.state = state;
    this.safeReason = safeReason;
    if (changed) this.onStateChange(state, safeReason);
  }

  private setRailTarget(bar: number): void {
    this.rail = { from: this.railBar(), to: bar, startedAt: performance.now() };
  }

  private requireNotSafe(): void {
    if (this.state === 'safe') throw new NakError('BAD_STATE', `bench is in SAFE state (${this.safeReason ?? 'commanded'}); send SAFE with clear first`);
  }

  /** Real-time wait for a modeled duration, emitting live values; rejects with NakError('ABORTED') on abort. */
  private async run(modeledMs: number, ctx: OperationContext, live: (elapsedMs: number) => LiveValues): Promise<void> {
    const realMs = modeledMs / this.options.speed;
    const started = performance.now();
    for (;;) {
      if (ctx.signal.aborted) throw ctx.signal.reason instanceof NakError ? ctx.signal.reason : new NakError('ABORTED', 'aborted by the host');
      const elapsed = performance.now() - started;
      if (elapsed >= realMs) break;
      await sleep(Math.min(this.options.liveIntervalMs ?? LIVE_INTERVAL_MS, realMs - elapsed), ctx.signal);
      if (!ctx.signal.aborted) ctx.live(live(Math.min(modeledMs, Math.round((performance.now() - started) * this.options.speed))));
    }
    this.modeledMs += modeledMs;
  }

  private async pressurize(bar: number, ctx: OperationContext): Promise<number> {
    const from = this.railBar();
    this.setRailTarget(bar);
    this.setState('pressurizing');
    const rampMs = (Math.abs(bar - from) / RAIL_RAMP_BAR_PER_S) * 1000;
    // A real controller gives up after the ramp time plus a margin.
    const limitMs = rampMs + 2000;
    const progress = (elapsedMs: number): LiveValues => ({ phase: 'pressurizing', railBar: this.railBar(), elapsedMs, strokesDone: 0 });
    try {
      await this.run(rampMs, ctx, progress);
      if (Math.abs(this.railBar() - bar) > PRESSURE_TOLERANCE_BAR) {
        await this.run(limitMs - rampMs, ctx, progress);
        if (Math.abs(this.railBar() - bar) > PRESSURE_TOLERANCE_BAR) {
          throw new NakError('HARDWARE_FAULT', `rail pressure not reached: ${this.railBar()} of ${bar} bar after ${Math.round(limitMs)} ms`);
        }
      }
    } catch (error) {
      // Aborted or failed: hold the pressure reached so far; SAFE has already set its own target.
      if (this.state === 'pressurizing') {
        this.setRailTarget(this.railBar());
        this.setState(this.railBar() > 0 ? 'ready' : 'idle');
      }
      throw error;
    }
    this.setState(bar > 0 ? 'ready' : 'idle');
    return rampMs;
  }

  /** Executes one request; throws NakError for every refusal the protocol types. */
  async execute<C extends CommandName>(command: C, input: RequestOf<C>, ctx: OperationContext): Promise<ResponseOf<C>> {
    const result = await this.dispatch(command, input as never, ctx);
    return result as ResponseOf<C>;
  }

  /** Long commands run under one abortable operation; the link layer refuses a second one with BUSY. */
  async runExclusive<T>(work: (ctx: OperationContext) => Promise<T>, live: (values: LiveValues) => void): Promise<T> {
    const controller = new AbortController();
    this.operation = controller;
    try {
      return await work({ signal: controller.signal, live });
    } finally {
      if (this.operation === controller) this.operation = null;
    }
  }

  private async dispatch(command: CommandName, input: Record<string, unknown>, ctx: OperationContext): Promise<unknown> {
    const uptimeMs = Math.round(performance.now() - this.bootedAt);
    switch (command) {
      case 'IDENT':
        return {
          // The link layer states the version IDENT settled; this is the highest the firmware speaks.
          protocolVersion: Math.max(...this.protocolVersions),
          // A hardware model id, as packs list it in compatible_hardware.
          model: this.options.model ?? VIRTUAL_BENCH_MODEL,
          benchSerial: 'VB-0001',
          firmware: '1.0.0-sim',
          watchdogMs: this.options.watchdogMs,
          injector: { serial: this.injector.serial, family: this.injector.family, kind: this.injector.kind },
        } satisfies ResponseOf<'IDENT'>;
      case 'STATUS':
        return {
          state: this.state,
          safeReason: this.safeReason,
          railBar: this.railBar(),
          railTargetBar: this.rail.to,
          drive: this.drive,
          uptimeMs,
          oilTempC: this.oilTempC(),
        } satisfies ResponseOf<'STATUS'>;
      case 'SELECT_INJECTOR': {
        // Clamping another injector: a real controller loads the adapter's drive profile; the
        // virtual one mounts a synthetic injector of the part's family.
        if (this.state === 'running' || this.busy) throw new NakError('BAD_STATE', 'an operation is running: abort it before changing the injector');
        const { partNumber, serial } = input as RequestOf<'SELECT_INJECTOR'>;
        const model = this.options.families?.get(partNumber);
        if (this.options.families && !model) throw new NakError('OUT_OF_RANGE', `no adapter for part ${partNumber} on this bench`);
        this.injector = new SyntheticInjector(serial, this.options.seed, this.options.faults, model);
        this.storedCode = null;
        return { family: this.injector.family, kind: this.injector.kind } satisfies ResponseOf<'SELECT_INJECTOR'>;
      }
      case 'HEARTBEAT':
        return { uptimeMs } satisfies ResponseOf<'HEARTBEAT'>;
      case 'SET_RAIL_PRESSURE': {
        this.requireNotSafe();
        const { bar } = input as RequestOf<'SET_RAIL_PRESSURE'>;
        if (bar > 2000) throw new NakError('OUT_OF_RANGE', `rail pressure ${bar} bar exceeds the bench maximum of 2000 bar`);
        const durationMs = await this.pressurize(bar, ctx);
        return { railBar: this.railBar(), durationMs: Math.round(durationMs) } satisfies ResponseOf<'SET_RAIL_PRESSURE'>;
      }
      case 'SET_DRIVE': {
        this.requireNotSafe();
        const drive = input as RequestOf<'SET_DRIVE'>;
        if (drive.energizingTimeUs > 3000) throw new NakError('OUT_OF_RANGE', `energizing time ${drive.energizingTimeUs} µs exceeds 3000 µs`);
        this.drive = drive;
        return drive;
      }
      case 'RUN_STEP': {
        this.requireNotSafe();
        const { strokes, settleMs } = input as RequestOf<'RUN_STEP'>;
        const drive = this.drive;
        if (!drive) throw new NakError('BAD_STATE', 'no drive set: send SET_DRIVE before RUN_STEP');
        if (this.state !== 'ready') throw new NakError('BAD_STATE', `rail is not at pressure (state ${this.state}): send SET_RAIL_PRESSURE first`);
        const railBar = this.railBar();
        const injectMs = (strokes / drive.frequencyHz) * 1000;
        this.setState('running');
        try {
          await this.run(settleMs, ctx, (elapsedMs) => ({ phase: 'settling', railBar: this.railBar(), elapsedMs, strokesDone: 0, oilTempC: this.oilTempC() }));
          await this.run(injectMs, ctx, (elapsedMs) => {
            const strokesDone = Math.min(strokes, Math.floor((elapsedMs / 1000) * drive.frequencyHz));
            return {
              phase: 'injecting',
              railBar: this.railBar(),
              elapsedMs: settleMs + elapsedMs,
              strokesDone,
              // The running average over fewer strokes scatters more, as a real flow meter's does.
              ...(strokesDone > 0 ? { deliveryMm3PerStroke: round(this.injector.delivery(railBar, drive.energizingTimeUs, strokesDone), 3) } : {}),
              backLeakMlPerMin: round(this.injector.backLeak(railBar), 2),
              oilTempC: this.oilTempC(),
            };
          });
        } finally {
          if ((this.state as BenchState) === 'running') this.setState('ready');
        }
        return {
          railBar,
          energizingTimeUs: drive.energizingTimeUs,
          frequencyHz: drive.frequencyHz,
          strokes,
          deliveryMm3PerStroke: round(this.injector.delivery(railBar, drive.energizingTimeUs, strokes), 3),
          backLeakMlPerMin: round(this.injector.backLeak(railBar), 2),
          durationMs: Math.round(settleMs + injectMs),
          oilTempC: this.oilTempC(),
        } satisfies ResponseOf<'RUN_STEP'>;
      }
      case 'ABORT': {
        const running = this.operation;
        running?.abort(new NakError('ABORTED', 'aborted by the host'));
        return { aborted: running !== null } satisfies ResponseOf<'ABORT'>;
      }
      case 'ELECTRICAL_TEST': {
        if (this.railBar() > 50) throw new NakError('INTERLOCK', `electrical test needs a depressurised rail (now ${this.railBar()} bar)`);
        await this.run(300, ctx, (elapsedMs) => ({ phase: 'settling', railBar: this.railBar(), elapsedMs, strokesDone: 0 }));
        return { ...this.injector.electrical(), durationMs: 300 } satisfies ResponseOf<'ELECTRICAL_TEST'>;
      }
      case 'LEAK_TEST': {
        this.requireNotSafe();
        const { bar, durationMs } = input as RequestOf<'LEAK_TEST'>;
        if (bar > 2000) throw new NakError('OUT_OF_RANGE', `rail pressure ${bar} bar exceeds the bench maximum of 2000 bar`);
        const rampMs = await this.pressurize(bar, ctx);
        await this.run(durationMs, ctx, (elapsedMs) => ({
          phase: 'leak',
          railBar: this.railBar(),
          elapsedMs,
          strokesDone: 0,
          backLeakMlPerMin: round(this.injector.backLeak(this.railBar()), 2),
          oilTempC: this.oilTempC(),
        }));
        return {
          railBar: this.railBar(),
          backLeakMlPerMin: round(this.injector.backLeak(this.railBar()), 2),
          durationMs: Math.round(rampMs + durationMs),
        } satisfies ResponseOf<'LEAK_TEST'>;
      }
      case 'CAL_CHECK': {
        await this.run(200, ctx, (elapsedMs) => ({ phase: 'settling', railBar: this.railBar(), elapsedMs, strokesDone: 0 }));
        const today = this.options.today?.() ?? new Date().toISOString().slice(0, 10);
        return {
          lastCheck: this.options.lastCalibration,
          due: this.options.calibrationDue,
          overdue: today > this.options.calibrationDue,
          referenceDeviationPct: 0.4,
          durationMs: 200,
        } satisfies ResponseOf<'CAL_CHECK'>;
      }
      case 'CONDITION_OIL': {
        // Waits, heater on, until the oil is inside the window: measurements before that are not comparable.
        this.requireNotSafe();
        const { minC, maxC, timeoutMs } = input as RequestOf<'CONDITION_OIL'>;
        this.setOilTarget((minC + maxC) / 2);
        // One reading judges and answers: each reading has its own noise, so a second one could lie outside.
        let reading = this.oilTempC();
        let waitedMs = 0;
        const sliceMs = 500;
        while (reading < minC || reading > maxC) {
          if (waitedMs >= timeoutMs) {
            throw new NakError('HARDWARE_FAULT', `test oil at ${reading} °C did not reach ${minC}–${maxC} °C within ${Math.round(timeoutMs / 1000)} s: check the heater`);
          }
          const base = waitedMs;
          await this.run(sliceMs, ctx, (elapsedMs) => ({ phase: 'conditioning', railBar: this.railBar(), elapsedMs: base + elapsedMs, strokesDone: 0, oilTempC: this.oilTempC() }));
          waitedMs += sliceMs;
          reading = this.oilTempC();
        }
        return { oilTempC: reading, durationMs: waitedMs } satisfies ResponseOf<'CONDITION_OIL'>;
      }
      case 'WRITE_CODE': {
        const { code } = input as RequestOf<'WRITE_CODE'>;
        await this.run(100, ctx, (elapsedMs) => ({ phase: 'settling', railBar: this.railBar(), elapsedMs, strokesDone: 0 }));
        this.storedCode = code;
        return { written: code.length, durationMs: 100 } satisfies ResponseOf<'WRITE_CODE'>;
      }
      case 'READ_CODE': {
        const code = this.storedCode;
        if (code && this.options.faults.codeMismatch) {
          const last = code.at(-1) === 'X' ? 'Y' : 'X';
          return { code: code.slice(0, -1) + last } satisfies ResponseOf<'READ_CODE'>;
        }
        return { code } satisfies ResponseOf<'READ_CODE'>;
      }
      case 'SAFE': {
        const { clear } = input as RequestOf<'SAFE'>;
        if (clear) {
          if (this.state === 'safe') this.setState(this.railBar() > 0 ? 'ready' : 'idle');
        } else {
          this.enterSafe('commanded by the host');
        }
        return { state: this.state, safeReason: this.safeReason } satisfies ResponseOf<'SAFE'>;
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
