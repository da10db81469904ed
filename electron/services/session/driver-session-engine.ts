import type { BenchDriver } from '../../../native-bridge/driver';
import { recordBenchHardware, type BenchCore } from '../bench-core';
import { releaseServiceOn } from '../releases/release-service';
import { DriverBenchPort } from './driver-bench-port';
import { PackManagerPort } from './pack-manager-port';
import { CodingSessionEngine } from './session-engine';

/**
 * A coding-session engine on a bench's data directory and a connected bench: how the command line,
 * benchmarks and crash tests run sessions without the app (the app's SessionService builds its own, with
 * the bench link it manages).
 */
export function sessionEngineOn(core: BenchCore, driver: BenchDriver): CodingSessionEngine {
  // The connected bench's model is what its packs are checked against (activation and preflight).
  if (driver.ident) recordBenchHardware(core, driver.ident);
  // The app's pin check at session start, on this data directory (pins an admin set with the app or the CLI).
  const releases = releaseServiceOn(core);
  return new CodingSessionEngine({
    bench: new DriverBenchPort(driver),
    packs: new PackManagerPort(core.packs, (family) => releases.recheckPins(family)),
    credits: core.store.sessions,
    sessions: core.store.sessions,
    log: core.log,
    now: core.now,
  });
}
