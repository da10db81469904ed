/**
 * Protocol version 2 over a real TCP link to the virtual bench: test-oil temperature (STATUS, LIVE,
 * RUN_STEP, CONDITION_OIL), live delivery and back-leak during a step, and version negotiation with a
 * bench whose firmware speaks only version 1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger';
import { BenchDriver, BenchLinkError } from '../../native-bridge/driver';
import type { LiveValues } from '../../native-bridge/protocol/messages';
import { noLinkFaults } from '../../native-bridge/sim/device-link';
import { noBenchFaults } from '../../native-bridge/sim/faults';
import { startVirtualBench, type RunningSim } from '../../native-bridge/sim/server';
import type { BenchFaults, VirtualBenchOptions } from '../../native-bridge/sim/virtual-bench';

const logger = createLogger('test', 'silent');
const opened: Array<RunningSim | BenchDriver> = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function benchAndDriver(options: Omit<Partial<VirtualBenchOptions>, 'faults'> & { faults?: Partial<BenchFaults> } = {}): Promise<{ sim: RunningSim; driver: BenchDriver }> {
  const sim = await startVirtualBench(
    { kind: 'tcp', host: '127.0.0.1', port: 0 },
    {
      injectorSerial: 'SYN-V2-0001',
      seed: 3,
      speed: 200,
      watchdogMs: 1000,
      lastCalibration: '2026-11-01',
      calibrationDue: '2027-05-01',
      ...options,
      faults: { ...noBenchFaults, ...options.faults },
    },
    noLinkFaults,
    logger,
  );
  opened.push(sim);
  const driver = await BenchDriver.open(sim.address);
  opened.push(driver);
  return { sim, driver };
}

describe('bench protocol version 2', () => {
  it('settles on version 2 with a current bench and reports the test oil warming into its window', async () => {
    const { driver } = await benchAndDriver({ ambientC: 20 });
    expect(driver.protocolVersion).toBe(2);
    expect(driver.ident?.protocolVersion).toBe(2);
    const cold = (await driver.status()).oilTempC;
    expect(cold).toBeDefined();
    expect(cold!).toBeLessThan(38);
    const samples: LiveValues[] = [];
    const conditioned = await driver.conditionOil({ minC: 38, maxC: 42, timeoutMs: 600_000 }, (values) => samples.push(values));
    expect(conditioned.oilTempC).toBeGreaterThanOrEqual(38);
    expect(conditioned.oilTempC).toBeLessThanOrEqual(42);
    expect(conditioned.durationMs).toBeGreaterThan(0);
    expect(samples.length).toBeGreaterThan(2);
    expect(samples.every((sample) => sample.phase === 'conditioning' && typeof sample.oilTempC === 'number')).toBe(true);
    // The tank warms: the temperature rises over the wait.
    expect(samples.at(-1)!.oilTempC!).toBeGreaterThan(samples[0]!.oilTempC! + 1);
  });

  it('streams the running delivery, back-leak and oil temperature during a step, and the oil temperature with the result', async () => {
    const { driver } = await benchAndDriver({ ambientC: 40, liveIntervalMs: 10 });
    await driver.setRailPressure(800);
    await driver.setDrive({ energizingTimeUs: 550, frequencyHz: 20 });
    const injecting: LiveValues[] = [];
    const result = await driver.runStep({ strokes: 400, settleMs: 0 }, (values) => {
      if (values.phase === 'injecting') injecting.push(values);
    });
    const withDelivery = injecting.filter((values) => values.deliveryMm3PerStroke !== undefined);
    expect(withDelivery.length).toBeGreaterThan(2);
    // The live average converges on the step's result.
    expect(Math.abs(withDelivery.at(-1)!.deliveryMm3PerStroke! - result.deliveryMm3PerStroke)).toBeLessThan(0.1 * result.deliveryMm3PerStroke);
    expect(injecting.every((values) => typeof values.backLeakMlPerMin === 'number' && typeof values.oilTempC === 'number')).toBe(true);
    expect(result.oilTempC).toBeCloseTo(40, 0);
  });

  it('says the heater failed when the oil never reaches its window', async () => {
    const { driver } = await benchAndDriver({ faults: { coldOil: true } });
    const error = (await driver.conditionOil({ minC: 38, maxC: 42, timeoutMs: 2000 }).catch((failure: unknown) => failure)) as BenchLinkError;
    expect(error).toBeInstanceOf(BenchLinkError);
    expect(error.nak).toBe('HARDWARE_FAULT');
    expect(error.message).toContain('heater');
  });
});

describe('a bench whose firmware speaks only version 1', () => {
  it('is driven in version 1, without the version-2 values, and CONDITION_OIL is refused before it is sent', async () => {
    const { sim, driver } = await benchAndDriver({ protocolVersions: [1], ambientC: 40, liveIntervalMs: 10 });
    expect(driver.protocolVersion).toBe(1);
    expect(driver.ident?.protocolVersion).toBe(1);
    expect((await driver.status()).oilTempC).toBeUndefined();
    await driver.setRailPressure(800);
    await driver.setDrive({ energizingTimeUs: 550, frequencyHz: 20 });
    const live: LiveValues[] = [];
    const result = await driver.runStep({ strokes: 200, settleMs: 0 }, (values) => live.push(values));
    expect(live.length).toBeGreaterThan(0);
    expect(live.some((values) => values.oilTempC !== undefined || values.deliveryMm3PerStroke !== undefined || values.backLeakMlPerMin !== undefined)).toBe(false);
    expect(result.oilTempC).toBeUndefined();
    expect(result.backLeakMlPerMin).toBeGreaterThan(0);
    const modeledBefore = sim.bench.modeledMs;
    const refused = (await driver.conditionOil({ minC: 38, maxC: 42, timeoutMs: 2000 }).catch((failure: unknown) => failure)) as BenchLinkError;
    expect(refused.code).toBe('UNSUPPORTED_VERSION');
    expect(sim.bench.modeledMs).toBe(modeledBefore);
  });
});
