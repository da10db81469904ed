/**
 * A bench as the app composes it (createBenchServices: store, integrity log, pack manager, session
 * service), with the demo packs activated through the verified path, demo credits, a virtual bench on
 * TCP, and a sync outbox enrolled with a central server. Sessions run for real against the virtual bench;
 * faults (high leak, open coil…) come from a second virtual bench the link is switched to.
 */
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SessionReport } from '../../electron/contract/coding-session';
import { createBenchServices, type BenchServices } from '../../electron/services/bench-services';
import { prepareDemoBench, type DemoBench } from '../../demo/demo-bench';
import { SyncOutbox } from '../../electron/services/sync/sync-outbox';
import { loadFamilyModels } from '../../native-bridge/sim/families';
import { noBenchFaults } from '../../native-bridge/sim/faults';
import { noLinkFaults } from '../../native-bridge/sim/device-link';
import { startVirtualBench } from '../../native-bridge/sim/server';
import type { BenchFaults } from '../../native-bridge/sim/virtual-bench';
import { buildDemoRepository } from '../../trust/demo-repository';
import type { ChannelName } from '../../trust/schemas';
import { bundledRootFile } from './bundled-root';
import { newEnrolmentCode } from './central-server';
import { silentLogger } from './silent-logger';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');
export const DEMO_SOURCE = path.join(projectRoot, 'resources', 'demo-source');
export const BOSCH_PART = 'SYN-0445110-001';

let builtRepository: string | null = null;

/** The demo repository is built once per test process and copied into each bench's data dir. */
function demoRepository(): string {
  if (builtRepository && existsSync(builtRepository)) return builtRepository;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'injbench-demo-repo-'));
  builtRepository = path.join(dir, 'repo');
  buildDemoRepository({ sourceDir: DEMO_SOURCE, outDir: builtRepository });
  return builtRepository;
}

export interface FleetBench {
  services: BenchServices;
  outbox: SyncOutbox;
  benchId: string;
  /** Runs one session to its end (optionally on a faulty bench) and returns its report. */
  runSession(serial: string, options?: { faults?: Partial<BenchFaults>; abortAfterMs?: number; part?: string }): Promise<SessionReport>;
  /** Sends everything to the server. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** A copy of the demo repository the benches were fed from, for release commands against it. */
export function copyOfDemoRepository(dir: string): string {
  const copy = path.join(dir, 'release-repo');
  cpSync(demoRepository(), copy, { recursive: true });
  return copy;
}

export async function openFleetBench(dataDir: string, serverUrl: string, options: { channel?: ChannelName } = {}): Promise<FleetBench> {
  cpSync(demoRepository(), path.join(dataDir, 'demo-repository'), { recursive: true });
  const logger = silentLogger();
  const services = createBenchServices({ dataDir, bundledRootFile, mode: 'workspace', appVersion: '0.1.0', logger, statusIntervalMs: 0, hashPin: async (pin) => `test:${pin}` });
  if (options.channel) services.store.settings.update({ releaseChannel: options.channel });
  let demo: DemoBench | null = null;
  const extraSims: { close(): Promise<void> }[] = [];
  try {
    demo = await prepareDemoBench(services, { dataDir, sourceDir: DEMO_SOURCE, speed: 400, logger });
  } catch (error) {
    await services.close();
    throw error;
  }
  const outbox = new SyncOutbox({ store: services.store, identity: services.identity, logger, integrityLog: services.integrityLog, baseDelayMs: 20, maxDelayMs: 200, requestTimeoutMs: 5000 });
  // Opening a data dir that is already enrolled is a restart: the bench keeps its enrolment and outbox.
  if (!services.store.syncState.get().serverUrl) await outbox.enrol(serverUrl, await newEnrolmentCode(serverUrl));
  const healthyAddress = demo.address;

  async function connectTo(faults: Partial<BenchFaults> | undefined): Promise<void> {
    if (!faults) {
      if (services.benchLink.state().target !== healthyAddress) await services.benchLink.connect(healthyAddress);
      return;
    }
    const sim = await startVirtualBench(
      { kind: 'tcp', host: '127.0.0.1', port: 0 },
      {
        injectorSerial: 'SYN-FAULTY-0001',
        seed: 7,
        speed: 400,
        watchdogMs: 1000,
        lastCalibration: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
        calibrationDue: new Date(Date.now() + 120 * 86_400_000).toISOString().slice(0, 10),
        faults: { ...noBenchFaults, ...faults },
        families: loadFamilyModels(DEMO_SOURCE),
      },
      noLinkFaults,
      logger,
    );
    extraSims.push(sim);
    await services.benchLink.connect(sim.address);
  }

  return {
    services,
    outbox,
    benchId: services.identity.benchId,
    async runSession(serial, options = {}) {
      await connectTo(options.faults);
      const { sessionId } = await services.sessions.start({ partNumber: options.part ?? BOSCH_PART, serial }, null);
      if (options.abortAfterMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, options.abortAfterMs));
        await services.sessions.abort();
      }
      await services.sessions.settled();
      return services.sessions.report(sessionId);
    },
    async sync() {
      const outcome = await outbox.drain({ maxDurationMs: 30_000 });
      if (outcome.stopped !== 'idle') throw new Error(`sync stopped: ${JSON.stringify(outcome)} ${JSON.stringify(outbox.backlog().lastError)}`);
    },
    async close() {
      await outbox.stop();
      await services.close();
      await demo?.close();
      for (const sim of extraSims) await sim.close();
    },
  };
}
