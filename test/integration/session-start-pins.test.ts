/**
 * The session-start gate re-checks the local pins (docs/trust-packs.md "Pins at session start"): a real
 * bench data directory, the demo repository on disk, the virtual bench over TCP on 127.0.0.1 and real
 * coding sessions through the engine the command line runs (sessionEngineOn). A pin set or expired since
 * the active pack was chosen changes the pack the session runs; with no admissible pack the session is
 * refused with the resolver's typed error and nothing is charged.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBenchCore, type BenchCore } from '../../electron/services/bench-core';
import { importCreditGrant } from '../../electron/services/credits/credit-service';
import { releaseServiceOn, type ReleaseService } from '../../electron/services/releases/release-service';
import { sessionEngineOn } from '../../electron/services/session/driver-session-engine';
import { BenchDriver } from '../../native-bridge/driver';
import { loadFamilyModels } from '../../native-bridge/sim/families';
import { noLinkFaults } from '../../native-bridge/sim/device-link';
import { noBenchFaults } from '../../native-bridge/sim/faults';
import { startVirtualBench } from '../../native-bridge/sim/server';
import { issueCreditGrant } from '../../trust/credit-grant';
import { buildDemoRepository, developmentKeys } from '../../trust/demo-repository';
import { bundledRootFile } from '../helpers/bundled-root';
import { projectRoot } from '../helpers/sim-process';
import { silentLogger } from '../helpers/silent-logger';
import { useTempDirs } from '../helpers/temp-dir';

const SOURCE = path.join(projectRoot, 'resources', 'demo-source');
const BOSCH = { family: 'bosch-like-cri', part: 'SYN-0445110-001' };
const DENSO = { family: 'denso-like-g3', part: 'SYN-295050-0010' };
const HOUR = 3_600_000;

describe('local pins at session start', () => {
  const tempDir = useTempDirs('all');
  let clock = Date.now();
  let core: BenchCore;
  let releases: ReleaseService;
  let sim: Awaited<ReturnType<typeof startVirtualBench>>;
  let serial = 0;

  beforeAll(async () => {
    const dir = tempDir();
    const repo = path.join(dir, 'repo');
    buildDemoRepository({ sourceDir: SOURCE, outDir: repo });
    core = openBenchCore({ dataDir: path.join(dir, 'bench'), bundledRootFile, appVersion: '0.1.0', production: false, now: () => new Date(clock) });
    releases = releaseServiceOn(core, silentLogger());
    const audit = { actor: 'Ana Admin', reason: 'first packs', ticket: 'OPS-1' };
    const refreshed = await releases.refresh({ ...audit, trigger: 'admin', source: { kind: 'directory', path: repo } });
    expect(refreshed.families.map((family) => [family.family, family.version])).toEqual([
      ['bosch-like-cri', '1.0.0'],
      ['delphi-like-c2i', '1.0.0'],
      ['denso-like-g3', '1.0.0'],
    ]);
    // 1.1.0 of bosch-like-cri enters the pack store (pin, then unpin back to stable 1.0.0); denso's never does.
    await releases.pin({ family: BOSCH.family, target: { version: '1.1.0' }, endsAt: new Date(clock + HOUR).toISOString(), ...audit });
    expect((await releases.unpin({ family: BOSCH.family, ...audit })).active?.version).toBe('1.0.0');
    const { bytes } = issueCreditGrant({ benchId: core.identity.benchId, grantId: 'grant-pins-1', credits: 30, validDays: 30, issuedAt: new Date(clock) }, developmentKeys().credits);
    importCreditGrant({ benchId: core.identity.benchId, packs: core.packs, sessions: core.store.sessions, log: core.log, now: core.now }, bytes);
    sim = await startVirtualBench(
      { kind: 'tcp', host: '127.0.0.1', port: 0 },
      { injectorSerial: 'SYN-PIN-0001', seed: 7, speed: 200, watchdogMs: 1000, lastCalibration: '2026-09-01', calibrationDue: '2099-01-01', faults: noBenchFaults, families: loadFamilyModels(SOURCE) },
      noLinkFaults,
      silentLogger(),
    );
  }, 60_000);

  afterAll(async () => {
    await releases?.stop();
    await sim?.close();
    core?.close();
  });

  /** A pin written straight into the bench's store, as if set since the active pack was chosen. */
  function setPinSince(family: string, version: string, endsAt: number): void {
    core.store.releases.setPin({ family, kind: 'version', channel: null, version, sha256: null, actor: 'Ana Admin', reason: 'pinned elsewhere', ticket: 'OPS-2', startsAt: new Date(clock).toISOString(), endsAt: new Date(endsAt).toISOString() });
  }

  async function runSession(part: string) {
    const driver = await BenchDriver.open(sim.address);
    try {
      serial += 1;
      return await sessionEngineOn(core, driver).run({ partNumber: part, serial: `INJ-PIN-${serial}`, operatorId: null });
    } finally {
      await driver.close();
    }
  }

  const events = (type: string) =>
    [...core.store.integrityLog.entries()].filter((entry) => entry.type === type).map((entry) => ({ details: JSON.parse(entry.payloadJson) as Record<string, unknown> }));

  it('runs the pinned version when a pin was set since the last resolution', async () => {
    expect(core.packs.readState().trusted.active[BOSCH.family]?.version).toBe('1.0.0');
    setPinSince(BOSCH.family, '1.1.0', clock + HOUR);
    const report = await runSession(BOSCH.part);
    expect(report).toMatchObject({ status: 'completed', pack: { family: BOSCH.family, version: '1.1.0' } });
    expect(report.pack?.resolvedBy).toMatch(/^local pin to 1\.1\.0 until .* \(resolved again at session start: the local pin changed\)$/);
    expect(report.gates.find((gate) => gate.id === 'channel')?.detail).toMatch(/local pin to 1\.1\.0/);
    expect(core.packs.readState().trusted.active[BOSCH.family]?.version).toBe('1.1.0');
    expect(events('releases.session_start_resolved').at(-1)?.details).toMatchObject({ family: BOSCH.family, activation: { version: '1.1.0', changed: true } });
  });

  it('resolves nothing again while the pin is the one the active pack was chosen under', async () => {
    const before = events('releases.session_start_resolved').length;
    const report = await runSession(BOSCH.part);
    expect(report).toMatchObject({ status: 'completed', pack: { version: '1.1.0', resolvedBy: 'the active pack of this bench' } });
    expect(events('releases.session_start_resolved')).toHaveLength(before);
  });

  it('returns to the channel when the pin has expired since, and records the expiry', async () => {
    clock += 2 * HOUR;
    const report = await runSession(BOSCH.part);
    expect(report).toMatchObject({ status: 'completed', pack: { family: BOSCH.family, version: '1.0.0' } });
    expect(report.pack?.resolvedBy).toMatch(/^default channel stable/);
    expect(core.store.releases.pin(BOSCH.family)).toBeNull();
    expect(events('releases.pin_expired').at(-1)?.details).toMatchObject({ family: BOSCH.family, pin: { version: '1.1.0' } });
  });

  it('refuses the session with a typed error when no pack is admissible, and charges nothing', async () => {
    const balance = core.store.sessions.balance();
    // denso-like-g3 1.1.0 was never fetched: without the network there is no admissible pack for this pin.
    setPinSince(DENSO.family, '1.1.0', clock + HOUR);
    const report = await runSession(DENSO.part);
    expect(report.status).toBe('refused');
    expect(report.gates.find((gate) => gate.id === 'pack')).toMatchObject({ passed: false, code: 'NOT_FOUND', detail: expect.stringMatching(/denso-like-g3 1\.1\.0 is not in this bench's pack store/) });
    expect(report.creditsDebited).toBe(0);
    expect(core.store.sessions.balance()).toBe(balance);
    expect(core.packs.readState().trusted.active[DENSO.family]?.version).toBe('1.0.0');
    expect(events('releases.session_start_refused').at(-1)?.details).toMatchObject({ family: DENSO.family, code: 'NOT_FOUND' });
  });
});
