/**
 * Bench-link performance over a real pty (socat) to the virtual bench in its own process.
 *
 *   npx tsx bench/bench-link.ts [requests=1000] [speed=10]
 *
 * 1. Driver overhead per request: median round trip of STATUS through the driver, minus the median
 *    round trip of the same request written and read raw on the same kind of link (the simulator's
 *    own reply time as the host sees it). Target: ≤ 2 ms.
 * 2. A full synthetic test plan's wall time against the measurement time the bench modeled (divided
 *    by the speed factor). Target: ≤ 1.05×.
 */
import { BenchDriver } from '../native-bridge/driver';
import { encodeFrame, FrameDecoder, FrameType } from '../native-bridge/protocol/frame';
import { BASE_PROTOCOL_VERSION, Command, encodePayload } from '../native-bridge/protocol/messages';
import { runTestPlan } from '../native-bridge/test-plan';
import { openSerialLink } from '../native-bridge/transport';
import { startSimProcess } from '../test/helpers/sim-process';

const requests = Number(process.argv[2] ?? 1000);
const speed = Number(process.argv[3] ?? 10);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Raw request/reply on the link: encode, write, wait for the reply frame. No driver. */
async function rawRoundTrips(path: string, count: number): Promise<number[]> {
  const link = await openSerialLink(path);
  const decoder = new FrameDecoder();
  let waiting: ((sequence: number) => void) | null = null;
  link.onData((chunk) => {
    for (const frame of decoder.push(chunk)) if (frame.type === FrameType.response) waiting?.(frame.sequence);
  });
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const sequence = (i + 1) & 0xffff;
    const bytes = encodeFrame({ version: BASE_PROTOCOL_VERSION, type: FrameType.request, command: Command.STATUS, sequence, payload: encodePayload({}) });
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw STATUS got no reply within 2 s')), 2000);
      waiting = (got) => {
        if (got !== sequence) return;
        clearTimeout(timer);
        resolve();
      };
      link.write(bytes);
    });
    times.push(performance.now() - started);
  }
  await link.close();
  return times;
}

async function driverRoundTrips(path: string, count: number): Promise<number[]> {
  const driver = await BenchDriver.open(path, { reconnect: { enabled: false, delayMs: 0, maxAttempts: 0 } });
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    await driver.status();
    times.push(performance.now() - started);
  }
  await driver.close();
  return times;
}

const sim = await startSimProcess(['--pty', '--speed', String(speed), '--watchdog-ms', '60000']);
process.env.INJBENCH_LOG_LEVEL = 'warn';
try {
  const raw: number[] = [];
  const driven: number[] = [];
  // Interleaved rounds, so drift in machine load hits both series alike.
  for (let round = 0; round < 4; round += 1) {
    raw.push(...(await rawRoundTrips(sim.address, Math.ceil(requests / 4))));
    driven.push(...(await driverRoundTrips(sim.address, Math.ceil(requests / 4))));
  }
  const rawMedian = median(raw);
  const driverMedian = median(driven);
  const overhead = driverMedian - rawMedian;
  console.log(`requests per series: ${raw.length}`);
  console.log(`raw STATUS round trip (simulator reply time over the pty), median: ${rawMedian.toFixed(3)} ms`);
  console.log(`driver STATUS round trip, median:                               ${driverMedian.toFixed(3)} ms`);
  console.log(`driver overhead per request, median: ${overhead.toFixed(3)} ms (target <= 2 ms; ratio driver/raw ${(driverMedian / rawMedian).toFixed(3)})`);

  const driver = await BenchDriver.open(sim.address, { reconnect: { enabled: false, delayMs: 0, maxAttempts: 0 } });
  if ((await driver.status()).state === 'safe') await driver.clearSafe();
  const started = performance.now();
  const plan = await runTestPlan(driver);
  const wallMs = performance.now() - started;
  await driver.close();
  const modeledRealMs = plan.modeledMs / speed;
  console.log(`test plan: modeled measurement time ${plan.modeledMs} ms at speed ${speed} = ${modeledRealMs.toFixed(1)} ms real`);
  console.log(`test plan: wall time ${wallMs.toFixed(1)} ms; ratio wall/modeled ${(wallMs / modeledRealMs).toFixed(3)} (target <= 1.05)`);
} finally {
  await sim.stop();
}
