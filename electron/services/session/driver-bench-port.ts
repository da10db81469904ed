/**
 * Binds the session's BenchPort to the real bench driver (native-bridge), over a serial port or a
 * serial device server. Measured values pass through as the bench reported them; every failure stays
 * the driver's typed BenchLinkError.
 */
import { BenchLinkError, type BenchDriver } from '../../../native-bridge/driver';
import type { LiveValues } from '../../../native-bridge/protocol/messages';
import type { BenchIdentity, BenchPort, LiveSample } from './ports';

const toSample = (values: LiveValues): LiveSample => ({
  phase: values.phase,
  railBar: values.railBar,
  elapsedMs: values.elapsedMs,
  strokesDone: values.strokesDone,
  ...(values.deliveryMm3PerStroke === undefined ? {} : { deliveryMm3PerStroke: values.deliveryMm3PerStroke }),
  ...(values.backLeakMlPerMin === undefined ? {} : { backLeakMlPerMin: values.backLeakMlPerMin }),
  ...(values.oilTempC === undefined ? {} : { oilTempC: values.oilTempC }),
});

/** A real bench's heater needs minutes from cold; the host's own bound on one request is 10 minutes. */
const OIL_CONDITIONING_TIMEOUT_MS = 540_000;

export class DriverBenchPort implements BenchPort {
  constructor(private readonly driver: BenchDriver) {}

  identity(): BenchIdentity {
    const ident = this.driver.ident;
    if (!ident) throw new BenchLinkError('DISCONNECTED', 'The bench has not identified itself: it is not connected.');
    return { model: ident.model, benchSerial: ident.benchSerial, firmware: ident.firmware };
  }

  async prepare(): Promise<{ clearedSafe: string | null }> {
    const status = await this.driver.status();
    let clearedSafe: string | null = null;
    if (status.state === 'safe') {
      clearedSafe = status.safeReason ?? 'unknown reason';
      await this.driver.clearSafe();
    }
    if (status.railBar > 0 || status.railTargetBar > 0) await this.driver.setRailPressure(0);
    return { clearedSafe };
  }

  async release(): Promise<void> {
    await this.driver.setRailPressure(0);
  }

  async selectInjector(partNumber: string, serial: string): Promise<void> {
    await this.driver.selectInjector({ partNumber, serial });
  }

  async calibrationCheck() {
    const result = await this.driver.calCheck();
    return { overdue: result.overdue, due: result.due, lastCheck: result.lastCheck };
  }

  async oilTemperature(): Promise<number | null> {
    return (await this.driver.status()).oilTempC ?? null;
  }

  async conditionOil(window: { minC: number; maxC: number }, onLive: (sample: LiveSample) => void) {
    const result = await this.driver.conditionOil({ ...window, timeoutMs: OIL_CONDITIONING_TIMEOUT_MS }, (values) => onLive(toSample(values)));
    return { oilTempC: result.oilTempC, waitedMs: result.durationMs };
  }

  async electricalTest() {
    const result = await this.driver.electricalTest();
    return { coilResistanceOhm: result.coilResistanceOhm, insulationMOhm: result.insulationMOhm };
  }

  async leakTest(railBar: number, durationMs: number, onLive: (sample: LiveSample) => void) {
    const result = await this.driver.leakTest({ bar: railBar, durationMs }, (values) => onLive(toSample(values)));
    return { backLeakMlPerMin: result.backLeakMlPerMin, railBar: result.railBar };
  }

  async runDeliveryStep(
    step: { railBar: number; energizingTimeUs: number; frequencyHz: number; strokes: number; settleMs: number },
    onLive: (sample: LiveSample) => void,
  ) {
    const live = (values: LiveValues) => onLive(toSample(values));
    await this.driver.setRailPressure(step.railBar, live);
    await this.driver.setDrive({ energizingTimeUs: step.energizingTimeUs, frequencyHz: step.frequencyHz });
    const result = await this.driver.runStep({ strokes: step.strokes, settleMs: step.settleMs }, live);
    return {
      deliveryMm3PerStroke: result.deliveryMm3PerStroke,
      backLeakMlPerMin: result.backLeakMlPerMin,
      railBar: result.railBar,
      durationMs: result.durationMs,
      ...(result.oilTempC === undefined ? {} : { oilTempC: result.oilTempC }),
    };
  }

  async writeCode(code: string): Promise<'written' | 'no_target'> {
    try {
      await this.driver.writeCode(code);
      return 'written';
    } catch (error) {
      // A controller without a coding target does not know the command: the code goes on the label only.
      if (error instanceof BenchLinkError && error.nak === 'UNKNOWN_COMMAND') return 'no_target';
      throw error;
    }
  }

  async readCode(): Promise<string | null> {
    return (await this.driver.readCode()).code;
  }

  async safe(_reason: string): Promise<void> {
    try {
      await this.driver.safe();
    } catch {
      // The bench's own watchdog takes it to SAFE when the link is gone; nothing more to do from here.
    }
  }
}
