/**
 * Soak of the "correct value or typed error" property under heavy link faults: runs the synthetic plan
 * repeatedly against the virtual bench (own process, pty) and compares every step value the driver
 * reported with the value the bench logged having sent.
 *
 *   npx tsx bench/link-soak.ts [runs=10] [faults=corrupt=20,drop=5]
 */
import { isDeepStrictEqual } from 'node:util';
import { BenchDriver } from '../native-bridge/driver';
import type { StepResult } from '../native-bridge/protocol/messages';
import { isTypedPlanFailure, runTestPlan } from '../native-bridge/test-plan';
import { startSimProcess, waitFor } from '../test/helpers/sim-process';

const runs = Number(process.argv[2] ?? 10);
const faults = process.argv[3] ?? 'corrupt=20,drop=5';
const tally = { complete: 0, typed: {} as Record<string, number>, wrong: 0, values: 0 };
const started = performance.now();

for (let run = 0; run < runs; run += 1) {
  const sim = await startSimProcess(['--pty', '--speed', '200', '--seed', String(100 + run), '--fault', faults]);
  const driver = await BenchDriver.open(sim.address, { replyTimeoutMs: 100, retries: 8, reconnect: { enabled: false, delayMs: 0, maxAttempts: 0 } }).catch(
    (error: unknown) => error,
  );
  try {
    if (!(driver instanceof BenchDriver)) throw driver;
    const result = await runTestPlan(driver);
    await waitFor(() => sim.logs().some((line) => line.msg === 'reply' && line.command === 'READ_CODE'), 5000, 'READ_CODE in the log');
    const sent = sim
      .logs()
      .filter((line) => line.msg === 'reply' && line.command === 'RUN_STEP' && (line.outcome as { ok: boolean }).ok)
      .map((line) => (line.outcome as { value: StepResult }).value);
    result.steps.forEach(({ name: _name, nominalMm3: _nominal, withinTolerance: _within, ...reported }, index) => {
      tally.values += 1;
      if (!isDeepStrictEqual(sent[index], reported)) tally.wrong += 1;
    });
    tally.complete += 1;
  } catch (error) {
    if (!isTypedPlanFailure(error)) {
      tally.wrong += 1;
      console.error('untyped failure:', error);
    } else tally.typed[error.code] = (tally.typed[error.code] ?? 0) + 1;
  } finally {
    if (driver instanceof BenchDriver) await driver.close();
    await sim.stop();
  }
}

console.log(`faults ${faults}, ${runs} plan runs in ${Math.round(performance.now() - started)} ms`);
console.log(`complete: ${tally.complete} (${tally.values} step values compared with the bench's log), typed errors: ${JSON.stringify(tally.typed)}, wrong values or untyped errors: ${tally.wrong}`);
process.exitCode = tally.wrong === 0 ? 0 : 1;
