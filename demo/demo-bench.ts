/**
 * The demo bench `npm start` runs by default: a virtual bench on 127.0.0.1, the synthetic demo packs
 * activated through the normal verified path, and demo credits signed with the development credits key.
 * Only a bench on the development root accepts any of it; a production build refuses the root.
 * With the local central server (demo-central-server.ts) the credits come from that server instead, so its
 * credit reconciliation knows every grant the bench books.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadFamilyModels } from '../native-bridge/sim/families';
import { noBenchFaults } from '../native-bridge/sim/faults';
import type { BenchFaults } from '../native-bridge/sim/virtual-bench';
import { noLinkFaults } from '../native-bridge/sim/device-link';
import { startVirtualBench } from '../native-bridge/sim/server';
import { buildDemoRepository, developmentKeys } from '../trust/demo-repository';
import { issueCreditGrant } from '../trust/credit-grant';
import type { BenchServices } from '../electron/services/bench-services';
import { importCreditGrant } from '../electron/services/credits/credit-service';
import type { Logger } from '../common/logger';

export interface DemoBench {
  address: string;
  /** The signed demo repository the bench refreshes from. */
  repoDir: string;
  close(): Promise<void>;
}

/** What the demo bench is topped up with whenever it has less than half of it left. */
export const DEMO_CREDITS = 60;

export const needsDemoCredits = (services: BenchServices): boolean => services.store.sessions.balance() < DEMO_CREDITS / 2;

/** Demo credits signed on the bench's side with the development key: for a demo bench no server of ours reconciles. */
export function grantLocalDemoCredits(services: BenchServices): void {
  const now = new Date();
  const { bytes: grant } = issueCreditGrant(
    { benchId: services.identity.benchId, grantId: `demo-${now.toISOString().replace(/[-:.TZ]/g, '')}`, credits: DEMO_CREDITS, validDays: 365, issuedAt: now },
    developmentKeys().credits,
  );
  importCreditGrant({ benchId: services.identity.benchId, packs: services.packs, sessions: services.store.sessions, log: services.integrityLog, now: () => new Date() }, grant);
}

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export async function prepareDemoBench(
  services: BenchServices,
  options: {
    dataDir: string;
    sourceDir: string;
    speed: number;
    logger: Logger;
    faults?: BenchFaults;
    liveIntervalMs?: number;
    /** False when a central server issues the demo credits (the demo's own local one); default true. */
    localCredits?: boolean;
  },
): Promise<DemoBench> {
  const repo = path.join(options.dataDir, 'demo-repository');
  if (!existsSync(repo)) buildDemoRepository({ sourceDir: options.sourceDir, outDir: repo });
  // The demo repository is the bench's release source unless an admin chose another one; the refresh goes
  // through the same pins, verification and evidence as an admin's.
  if (!services.store.releases.refreshState().sourceKind) services.releases.configureSource({ kind: 'directory', path: repo });
  const refreshed = await services.releases
    .refresh({ actor: 'demo-bench', reason: 'start the demo bench', ticket: 'DEMO-1', trigger: 'startup' })
    .catch((error: unknown) => options.logger.warn({ err: error }, 'demo packs not refreshed'));
  for (const outcome of refreshed ? refreshed.families : []) {
    if (outcome.outcome === 'refused') options.logger.warn({ family: outcome.family, code: outcome.code }, outcome.message ?? 'demo pack not activated');
  }
  if (options.localCredits !== false && needsDemoCredits(services)) grantLocalDemoCredits(services);
  const sim = await startVirtualBench(
    { kind: 'tcp', host: '127.0.0.1', port: 0 },
    {
      injectorSerial: 'SYN-DEMO-0001',
      seed: Date.now() % 100_000,
      speed: options.speed,
      watchdogMs: 1000,
      lastCalibration: isoDay(-60),
      calibrationDue: isoDay(120),
      faults: options.faults ?? noBenchFaults,
      ...(options.liveIntervalMs ? { liveIntervalMs: options.liveIntervalMs } : {}),
      families: loadFamilyModels(options.sourceDir),
    },
    noLinkFaults,
    options.logger.child({ part: 'virtual-bench' }, { level: 'warn' }),
  );
  services.store.settings.update({ benchPort: sim.address });
  await services.benchLink.connect(sim.address);
  return { address: sim.address, repoDir: repo, close: () => sim.close() };
}
