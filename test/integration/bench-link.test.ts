/**
 * The bench link end to end: the real `serialport` package over a socat pty pair, and TCP, to the
 * virtual bench running as its own process.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BenchDriver, BenchLinkError, type DriverEvent } from '../../native-bridge/driver';
import type { StepResult } from '../../native-bridge/protocol/messages';
import { isTypedPlanFailure, runTestPlan, syntheticPlan, type PlanResult } from '../../native-bridge/test-plan';
import { runCli, startSimProcess, waitFor, type SimLogLine, type SimProcess } from '../helpers/sim-process';
import { useTempDirs } from '../helpers/temp-dir';

const tempDir = useTempDirs();

const running: Array<SimProcess | BenchDriver> = [];
afterEach(async () => {
  for (const item of running.splice(0).reverse()) {
    if (item instanceof BenchDriver) await item.close();
    else await item.stop();
  }
});

async function sim(...args: string[]): Promise<SimProcess> {
  const started = await startSimProcess(args);
  running.push(started);
  return started;
}

async function open(address: string, options: Parameters<typeof BenchDriver.open>[1] = {}): Promise<BenchDriver> {
  const driver = await BenchDriver.open(address, options);
  running.push(driver);
  return driver;
}

function okReplies(logs: SimLogLine[], command: string): unknown[] {
  return logs
    .filter((line) => line.msg === 'reply' && line.command === command)
    .map((line) => line.outcome as { ok: boolean; value?: unknown })
    .filter((outcome) => outcome.ok)
    .map((outcome) => outcome.value);
}

/** Every value the driver reported is the one the bench measured and logged, in the same order. */
function expectResultMatchesBench(result: PlanResult, logs: SimLogLine[]): void {
  const measured = okReplies(logs, 'RUN_STEP') as StepResult[];
  expect(result.steps.map(({ name: _name, nominalMm3: _nominal, withinTolerance: _within, ...values }) => values)).toEqual(measured.slice(-result.steps.length));
  expect(okReplies(logs, 'ELECTRICAL_TEST').at(-1)).toEqual(result.electrical);
  const { withinLimit: _withinLimit, ...leak } = result.leak;
  expect(okReplies(logs, 'LEAK_TEST').at(-1)).toEqual(leak);
}

describe.each(['pty', 'tcp'] as const)('virtual bench over %s', (mode) => {
  const listen = mode === 'pty' ? ['--pty'] : ['--tcp', '127.0.0.1:0'];

  it('prints the IDENT through `injbench bench probe`', async () => {
    const bench = await sim(...listen);
    expect(bench.address).toMatch(mode === 'pty' ? /^\/dev\/pts\/\d+$/ : /^tcp:\/\/127\.0\.0\.1:\d+$/);
    const probe = await runCli(['bench', 'probe', '--port', bench.address]);
    expect(probe.stderr).not.toMatch(/injbench:/);
    expect(probe.code).toBe(0);
    const ident = JSON.parse(probe.stdout) as { protocolVersion: number; injector: { serial: string } };
    expect(ident.protocolVersion).toBe(2);
    expect(ident.injector.serial).toBe('SYN0445110123');
  });

  it('runs the full synthetic test plan with the values the bench measured', async () => {
    const bench = await sim(...listen, '--speed', '100', '--injector', 'SYN-INTEG-1');
    const driver = await open(bench.address);
    const live: string[] = [];
    const result = await runTestPlan(driver, syntheticPlan, (step) => live.push(step));
    expect(result.injectorSerial).toBe('SYN-INTEG-1');
    expect(result.steps.map((step) => step.name)).toEqual(['VL', 'EM', 'LL', 'VE']);
    expect(result.steps.every((step) => step.withinTolerance)).toBe(true);
    expect(result.leak.withinLimit).toBe(true);
    expect(new Set(live)).toEqual(new Set(['leak', 'VL', 'EM', 'LL', 'VE']));
    await waitFor(() => okReplies(bench.logs(), 'READ_CODE').length === 1, 5000, 'READ_CODE in the bench log');
    expectResultMatchesBench(result, bench.logs());
    expect(driver.stats.retransmissions).toBe(0);
  });
});

describe('faults on the link', () => {
  it('with corrupted and dropped frames, each plan run has the measured values or a typed error', async () => {
    const outcomes: string[] = [];
    let retransmissions = 0;
    for (const seed of [11, 12, 13]) {
      const bench = await sim('--pty', '--speed', '200', '--seed', String(seed), '--fault', 'corrupt=5,drop=2');
      const driver = await open(bench.address, { replyTimeoutMs: 150, retries: 6 });
      try {
        const result = await runTestPlan(driver);
        await waitFor(() => okReplies(bench.logs(), 'READ_CODE').length >= 1, 5000, 'READ_CODE in the bench log');
        expectResultMatchesBench(result, bench.logs());
        outcomes.push('complete');
      } catch (error) {
        expect(isTypedPlanFailure(error), String(error)).toBe(true);
        outcomes.push(`typed ${(error as BenchLinkError).code}`);
      }
      retransmissions += driver.stats.retransmissions;
      await driver.close();
      await bench.stop();
    }
    console.log(`corrupt=5,drop=2 over a pty: ${outcomes.join(', ')}; ${retransmissions} retransmissions`);
    expect(outcomes).toHaveLength(3);
    // The faults really happened, and the driver recovered from at least some of them.
    expect(retransmissions).toBeGreaterThan(0);
    expect(outcomes).toContain('complete');
  });

  it('delayed replies beyond the reply timeout are retried without executing twice', async () => {
    const bench = await sim('--tcp', '127.0.0.1:0', '--speed', '200', '--fault', 'delay=250');
    const driver = await open(bench.address, { replyTimeoutMs: 150, retries: 4 });
    const written = await driver.writeCode('ABC123');
    expect(written.written).toBe(6);
    expect(await driver.readCode()).toEqual({ code: 'ABC123' });
    expect(driver.stats.retransmissions).toBeGreaterThan(0);
    await waitFor(() => driver.stats.staleReplies > 0, 3000, 'the late duplicate reply');
    expect(okReplies(bench.logs(), 'WRITE_CODE')).toHaveLength(1);
  });

  it('a NAK comes back as a typed error; transient BUSY NAKs are retried', async () => {
    const refusing = await sim('--tcp', '127.0.0.1:0', '--fault', 'nak=100:INTERLOCK');
    const error = await BenchDriver.open(refusing.address, { reconnect: { enabled: false, delayMs: 0, maxAttempts: 0 } }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(BenchLinkError);
    expect((error as BenchLinkError).code).toBe('NAK');
    expect((error as BenchLinkError).nak).toBe('INTERLOCK');

    const busy = await sim('--tcp', '127.0.0.1:0', '--speed', '200', '--seed', '5', '--fault', 'nak=30:BUSY');
    const driver = await open(busy.address, { retries: 8 });
    const result = await runTestPlan(driver);
    expect(result.steps).toHaveLength(4);
    expect(driver.stats.naks).toBeGreaterThan(0);
  });

  it('an unplug mid-step reports disconnected, the bench goes SAFE, and no step result is reported', async () => {
    const bench = await sim('--pty', '--speed', '100', '--fault', 'disconnect=40');
    const driver = await open(bench.address, { reconnect: { enabled: false, delayMs: 0, maxAttempts: 0 } });
    const events: DriverEvent[] = [];
    driver.on((event) => events.push(event));
    await driver.setRailPressure(1600);
    await driver.setDrive({ energizingTimeUs: 1000, frequencyHz: 20 });
    const step = await driver.runStep({ strokes: 10_000, settleMs: 0 }).catch((failure: unknown) => failure);
    expect(step).toBeInstanceOf(BenchLinkError);
    expect((step as BenchLinkError).code).toBe('DISCONNECTED');
    expect(events.some((event) => event.type === 'live')).toBe(true);
    expect(events.some((event) => event.type === 'disconnected')).toBe(true);
    expect(driver.connected).toBe(false);
    await waitFor(() => bench.logs().some((line) => line.msg === 'state' && line.state === 'safe' && line.safeReason === 'heartbeat lost'), 5000, 'SAFE in the bench log');
    const unplugAt = bench.logs().findIndex((line) => line.msg === 'unplug');
    expect(unplugAt).toBeGreaterThanOrEqual(0);
    const stepReplies = () => bench.logs().filter((line) => line.msg === 'reply' && line.command === 'RUN_STEP');
    // SAFE is logged before the aborted step's reply: wait for the reply line too.
    await waitFor(() => stepReplies().length > 0, 5000, 'the RUN_STEP outcome in the bench log');
    // The bench aborted the step itself; nothing valid was ever produced for it.
    expect(stepReplies().map((line) => (line.outcome as { ok: boolean; code?: string }).code)).toEqual(['ABORTED']);
    expect(await driver.status().catch((failure: unknown) => (failure as BenchLinkError).code)).toBe('DISCONNECTED');
  });

  it('reopens the serial port after an unplug and replug of the pty, and continues', async () => {
    const linkPath = path.join(tempDir(), 'bench-port');
    const bench = await sim('--pty', '--pty-link', linkPath, '--speed', '100', '--fault', 'disconnect=10,replug=300');
    expect(bench.address).toBe(linkPath);
    const driver = await open(bench.address, { reconnect: { enabled: true, delayMs: 150, maxAttempts: 30 } });
    const events: DriverEvent[] = [];
    driver.on((event) => events.push(event));
    await waitFor(() => events.some((event) => event.type === 'reconnected'), 15_000, 'reconnection over the replugged pty');
    expect(events[0]?.type).toBe('disconnected');
    expect(bench.logs().some((line) => line.msg === 'replug')).toBe(true);
    if ((await driver.status()).state === 'safe') await driver.clearSafe();
    expect((await driver.setRailPressure(300)).railBar).toBe(300);
  });

  it('reconnects after the link drops and finds the bench in SAFE state until cleared', async () => {
    const bench = await sim('--tcp', '127.0.0.1:0', '--speed', '100', '--watchdog-ms', '200', '--fault', 'disconnect=12');
    const driver = await open(bench.address, { reconnect: { enabled: true, delayMs: 400, maxAttempts: 10 } });
    const events: DriverEvent[] = [];
    driver.on((event) => events.push(event));
    await waitFor(() => events.some((event) => event.type === 'reconnected'), 10_000, 'reconnection');
    expect(events.map((event) => event.type)).toContain('disconnected');
    const status = await driver.status();
    expect(status.state).toBe('safe');
    expect(status.safeReason).toBe('heartbeat lost');
    const cleared = await driver.clearSafe();
    expect(cleared.state).not.toBe('safe');
  });
});

describe('typed failures at the command line', () => {
  it('discovery without udevadm says so instead of crashing', async () => {
    const result = await runCli(['bench', 'ports', '--vid', '0403'], { ...process.env, PATH: '/nonexistent' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/injbench: DISCOVERY_UNAVAILABLE: port discovery needs udevadm/);
  });

  it('the simulator refuses bad options and a missing socat with the rule, not a stack trace', async () => {
    const badOptions = await runCli(['sim', '--tcp', '10.0.0.1:5000', '--fault', 'corrupt=5']);
    expect(badOptions.code).toBe(1);
    expect(badOptions.stderr).toMatch(/injbench: INVALID_ARGUMENT: --tcp: expected 127\.0\.0\.1:PORT/);
    const badFault = await runCli(['sim', '--tcp', '127.0.0.1:0', '--fault', 'warp=3']);
    expect(badFault.stderr).toMatch(/INVALID_ARGUMENT: unknown fault "warp=3"/);
    const noSocat = await runCli(['sim', '--pty'], { ...process.env, PATH: '/nonexistent' });
    expect(noSocat.code).toBe(1);
    expect(noSocat.stderr).toMatch(/injbench: TRANSPORT_ERROR: socat is not installed/);
  });

  it('a probe of a port that does not exist ends with a typed error', async () => {
    const result = await runCli(['bench', 'probe', '--port', '/dev/pts/999999']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/injbench: OPEN_FAILED: cannot open serial port \/dev\/pts\/999999/);
  });
});
