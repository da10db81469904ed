import { afterEach, describe, expect, it } from 'vitest';
import { BenchDriver, BenchLinkError, type DriverOptions } from '../../../native-bridge/driver';
import { encodeFrame, FrameDecoder, FrameType, type Frame } from '../../../native-bridge/protocol/frame';
import { Command, encodePayload, EventCode, type CommandName, type NakCode } from '../../../native-bridge/protocol/messages';
import { DeviceLink, noLinkFaults, type LinkFaults } from '../../../native-bridge/sim/device-link';
import { noBenchFaults } from '../../../native-bridge/sim/faults';
import { VirtualBench, type BenchFaults } from '../../../native-bridge/sim/virtual-bench';
import { PlanError, runTestPlan } from '../../../native-bridge/test-plan';
import { memoryLinkPair, type MemoryLinkEnd } from '../../helpers/memory-link';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ident = { protocolVersion: 1, model: 'fake', benchSerial: 'F-1', firmware: '0', watchdogMs: 1000, injector: null };
const quick: Partial<DriverOptions> = { replyTimeoutMs: 40, retries: 2, reconnect: { enabled: false, delayMs: 0, maxAttempts: 0 } };

function reply(request: Frame, type: number, payload: unknown, command = request.command): Buffer {
  return encodeFrame({ version: 1, type: type as Frame['type'], command, sequence: request.sequence, payload: encodePayload(payload) });
}

/** A scripted device: answers IDENT, then lets the test decide per request. */
function scriptedDevice(answer: (request: Frame, seen: number) => Buffer[]): { host: MemoryLinkEnd; requests: Frame[]; events: Frame[] } {
  const [host, device] = memoryLinkPair();
  const decoder = new FrameDecoder();
  const requests: Frame[] = [];
  const events: Frame[] = [];
  device.onData((chunk) => {
    for (const frame of decoder.push(chunk)) {
      if (frame.type === FrameType.event) {
        events.push(frame);
        continue;
      }
      if (frame.command === Command.IDENT) {
        device.write(reply(frame, FrameType.response, ident));
        continue;
      }
      requests.push(frame);
      for (const bytes of answer(frame, requests.length)) device.write(bytes);
    }
  });
  return { host, requests, events };
}

async function openScripted(answer: (request: Frame, seen: number) => Buffer[], options: Partial<DriverOptions> = {}) {
  const fake = scriptedDevice(answer);
  const driver = await BenchDriver.open('/dev/ttyMEM0', { ...quick, ...options, openLink: async () => fake.host });
  cleanups.push(() => driver.close());
  return { driver, ...fake };
}

const status = { state: 'idle', safeReason: null, railBar: 0, railTargetBar: 0, drive: null, uptimeMs: 5 };

describe('driver against a scripted device', () => {
  it('retries a lost reply with the same sequence number', async () => {
    const { driver, requests } = await openScripted((request, seen) => (seen < 3 ? [] : [reply(request, FrameType.response, status)]));
    expect(await driver.status()).toEqual(status);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((frame) => frame.sequence)).size).toBe(1);
    expect(driver.stats.retransmissions).toBe(2);
  });

  it('gives up with a typed TIMEOUT after the retries', async () => {
    const { driver, requests } = await openScripted(() => []);
    const error = await driver.status().catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(BenchLinkError);
    expect((error as BenchLinkError).code).toBe('TIMEOUT');
    expect(requests).toHaveLength(3);
  });

  it('resends at once on a BAD_CRC NAK and surfaces other NAKs typed', async () => {
    const { driver, requests } = await openScripted((request, seen) =>
      seen === 1
        ? [reply(request, FrameType.nak, { code: 'BAD_CRC', message: 'checksum' })]
        : request.command === Command.STATUS
          ? [reply(request, FrameType.response, status)]
          : [reply(request, FrameType.nak, { code: 'OUT_OF_RANGE', message: 'too high' })],
    );
    expect((await driver.status()).state).toBe('idle');
    expect(requests[0]!.sequence).toBe(requests[1]!.sequence);
    const error = (await driver.setRailPressure(2400).catch((failure: unknown) => failure)) as BenchLinkError;
    expect([error.code, error.nak]).toEqual(['NAK', 'OUT_OF_RANGE' satisfies NakCode]);
  });

  it('reports a reply that passes the CRC but not the schema as BAD_REPLY, never as a value', async () => {
    const { driver } = await openScripted((request) => [reply(request, FrameType.response, { ...status, railBar: 'high' })]);
    const error = (await driver.status().catch((failure: unknown) => failure)) as BenchLinkError;
    expect(error.code).toBe('BAD_REPLY');
  });

  it('ignores a reply whose command does not match the request', async () => {
    const { driver } = await openScripted((request) => [reply(request, FrameType.response, { uptimeMs: 1 }, Command.HEARTBEAT), reply(request, FrameType.response, status)]);
    expect(await driver.status()).toEqual(status);
    expect(driver.stats.staleReplies).toBe(1);
  });

  it('keeps a long request alive while live values arrive, past the reply timeout', async () => {
    const liveFrames = (request: Frame) =>
      Array.from({ length: 5 }, (_, i) => encodeFrame({ version: 1, type: FrameType.event, command: EventCode.LIVE, sequence: request.sequence, payload: encodePayload({ phase: 'injecting', railBar: 1600, elapsedMs: i * 30, strokesDone: i }) }));
    const stepResult = { railBar: 1600, energizingTimeUs: 1000, frequencyHz: 20, strokes: 10, deliveryMm3PerStroke: 55, backLeakMlPerMin: 20, durationMs: 500 };
    const [host, device] = memoryLinkPair();
    const decoder = new FrameDecoder();
    device.onData((chunk) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.command === Command.IDENT) device.write(reply(frame, FrameType.response, ident));
        else if (frame.command === Command.RUN_STEP) {
          // Live values every 30 ms for 150 ms: more than three reply timeouts of 40 ms in total.
          liveFrames(frame).forEach((bytes, i) => setTimeout(() => device.write(bytes), i * 30));
          setTimeout(() => device.write(reply(frame, FrameType.response, stepResult)), 160);
        }
      }
    });
    const driver = await BenchDriver.open('/dev/ttyMEM0', { ...quick, openLink: async () => host });
    cleanups.push(() => driver.close());
    const seen: number[] = [];
    expect(await driver.runStep({ strokes: 10, settleMs: 0 }, (values) => seen.push(values.strokesDone))).toEqual(stepResult);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses a bench that speaks no common protocol version', async () => {
    const [host, device] = memoryLinkPair();
    const decoder = new FrameDecoder();
    device.onData((chunk) => {
      for (const frame of decoder.push(chunk)) device.write(reply(frame, FrameType.nak, { code: 'UNSUPPORTED_VERSION', message: 'no', supportedVersions: [2] }));
    });
    const error = (await BenchDriver.open('/dev/ttyMEM0', { ...quick, openLink: async () => host }).catch((failure: unknown) => failure)) as BenchLinkError;
    expect(error.code).toBe('UNSUPPORTED_VERSION');
  });

  it('sends heartbeat events while idle, and close() ends a pending request with CLOSED', async () => {
    const { driver, events } = await openScripted(() => [], { heartbeatIntervalMs: 20, replyTimeoutMs: 5000 });
    const pending = driver.status().catch((failure: unknown) => failure);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(events.filter((frame) => frame.command === Command.HEARTBEAT).length).toBeGreaterThanOrEqual(3);
    await driver.close();
    expect(((await pending) as BenchLinkError).code).toBe('CLOSED');
  });

  it('rejects a malformed target with a typed error', async () => {
    const error = (await BenchDriver.open('ftp://bench').catch((failure: unknown) => failure)) as BenchLinkError;
    expect(error.code).toBe('BAD_TARGET');
  });
});

interface Pair {
  driver: BenchDriver;
  bench: VirtualBench;
  device: MemoryLinkEnd;
  replies: Array<{ command: CommandName; ok: boolean; code?: string }>;
}

async function virtualPair(faults: Partial<BenchFaults> = {}, link: Partial<LinkFaults> = {}, speed = 200): Promise<Pair> {
  const [host, device] = memoryLinkPair();
  const replies: Pair['replies'] = [];
  let deviceLink: DeviceLink | null = null;
  const bench = new VirtualBench(
    { injectorSerial: 'SYN-UNIT-1', seed: 3, speed, watchdogMs: 1000, lastCalibration: '2026-01-01', calibrationDue: '2026-06-01', faults: { ...noBenchFaults, ...faults }, today: () => '2026-07-01' },
    (state, reason) => deviceLink?.sendState(state, reason),
  );
  deviceLink = new DeviceLink(
    bench,
    { ...noLinkFaults, ...link },
    { reply: (command, _sequence, outcome) => replies.push({ command, ok: outcome.ok, ...(outcome.ok ? {} : { code: outcome.code }) }), unplug: () => device.unplug() },
    1000,
    3,
  );
  deviceLink.attach(device);
  const driver = await BenchDriver.open('/dev/ttyMEM0', { ...quick, replyTimeoutMs: 300, openLink: async () => host });
  cleanups.push(() => driver.close(), () => deviceLink.close());
  return { driver, bench, device, replies };
}

describe('driver against the virtual bench', () => {
  it('ABORT overtakes a running step, which then ends with a typed ABORTED', async () => {
    const { driver, replies } = await virtualPair({}, {}, 50);
    await driver.setRailPressure(800);
    await driver.setDrive({ energizingTimeUs: 500, frequencyHz: 10 });
    const step = driver.runStep({ strokes: 1000, settleMs: 0 }).catch((failure: unknown) => failure);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await driver.abort()).toEqual({ aborted: true });
    const error = (await step) as BenchLinkError;
    expect([error.code, error.nak]).toEqual(['NAK', 'ABORTED']);
    expect(replies.filter((entry) => entry.command === 'RUN_STEP')).toEqual([{ command: 'RUN_STEP', ok: false, code: 'ABORTED' }]);
  });

  it('SAFE blocks pressure until cleared; the state change arrives as an event', async () => {
    const { driver } = await virtualPair();
    const states: string[] = [];
    driver.on((event) => event.type === 'state' && states.push(event.state));
    expect((await driver.safe()).state).toBe('safe');
    const refused = (await driver.setRailPressure(500).catch((failure: unknown) => failure)) as BenchLinkError;
    expect(refused.nak).toBe('BAD_STATE');
    await driver.clearSafe();
    expect((await driver.setRailPressure(500)).railBar).toBe(500);
    expect(states).toContain('safe');
  });

  it('validates requests at the bench: bad payloads, ranges and interlocks are typed NAKs', async () => {
    const { driver } = await virtualPair();
    const badPayload = (await driver.request('SET_RAIL_PRESSURE', { bar: -5 }).catch((failure: unknown) => failure)) as BenchLinkError;
    expect(badPayload.nak).toBe('BAD_PAYLOAD');
    const outOfRange = (await driver.setDrive({ energizingTimeUs: 4000, frequencyHz: 10 }).catch((failure: unknown) => failure)) as BenchLinkError;
    expect(outOfRange.nak).toBe('OUT_OF_RANGE');
    const noDrive = (await driver.runStep({ strokes: 10, settleMs: 0 }).catch((failure: unknown) => failure)) as BenchLinkError;
    expect(noDrive.nak).toBe('BAD_STATE');
    await driver.setRailPressure(800);
    const interlock = (await driver.electricalTest().catch((failure: unknown) => failure)) as BenchLinkError;
    expect(interlock.nak).toBe('INTERLOCK');
  });

  it('reports the calibration check as overdue after its due date', async () => {
    const { driver } = await virtualPair();
    expect(await driver.calCheck()).toMatchObject({ due: '2026-06-01', overdue: true });
  });

  it('models the bench faults: stuck nozzle, high leak, open coil', async () => {
    const { driver } = await virtualPair({ stuckNozzle: true, highLeak: true, openCoil: true });
    const result = await runTestPlan(driver);
    expect(result.electrical.coilResistanceOhm).toBeNull();
    expect(result.leak.withinLimit).toBe(false);
    expect(result.steps.every((step) => step.deliveryMm3PerStroke === 0 && !step.withinTolerance)).toBe(true);
  });

  it('pressure not reached ends with a typed HARDWARE_FAULT', async () => {
    const { driver } = await virtualPair({ pressureNotReached: true });
    const error = (await driver.setRailPressure(1600).catch((failure: unknown) => failure)) as BenchLinkError;
    expect([error.code, error.nak]).toEqual(['NAK', 'HARDWARE_FAULT']);
    expect(error.message).toMatch(/rail pressure not reached/);
  });

  it('a code that reads back differently fails the plan with CODE_READBACK_MISMATCH', async () => {
    const { driver } = await virtualPair({ codeMismatch: true });
    const error = await runTestPlan(driver).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).code).toBe('CODE_READBACK_MISMATCH');
  });

  it('an unplug fails the running request with DISCONNECTED', async () => {
    const { driver, device } = await virtualPair({}, {}, 20);
    await driver.setRailPressure(800);
    const pending = driver.setRailPressure(1600).catch((failure: unknown) => failure);
    setTimeout(() => device.unplug(), 20);
    expect(((await pending) as BenchLinkError).code).toBe('DISCONNECTED');
    expect(((await driver.status().catch((failure: unknown) => failure)) as BenchLinkError).code).toBe('DISCONNECTED');
  });
});
