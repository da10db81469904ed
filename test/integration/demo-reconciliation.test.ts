/**
 * The demo (`npm start`, `injbench workspace --demo`) with its local central server: the bench's credits are
 * issued by that server, so the server's credit reconciliation over the synced log finds nothing — no
 * UNKNOWN_GRANT for the demo grant, no OVERSPEND for the sessions it paid. Real bench services, a real
 * virtual bench over TCP, a real server on 127.0.0.1 and its SQLite file, reconciled as the timer does.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDemo } from '../../demo/demo';
import { DEMO_CREDITS } from '../../demo/demo-bench';
import { createBenchServices } from '../../electron/services/bench-services';
import { reconcileBench } from '../../server/credits/reconcile';
import { openServerDatabase } from '../../server/store/database';
import { DistributionRepository } from '../../server/store/distribution-repository';
import { ServerRepository } from '../../server/store/server-repository';
import { bundledRootFile } from '../helpers/bundled-root';
import { BOSCH_PART, DEMO_SOURCE } from '../helpers/fleet-bench';
import { silentLogger } from '../helpers/silent-logger';
import { useTempDirs } from '../helpers/temp-dir';

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the demo with its local central server', () => {
  const tempDir = useTempDirs('each');

  it("gets its credits from its own server, so reconciling the synced log raises no alarm (two sessions paid)", async () => {
    const dataDir = path.join(tempDir(), 'demo-data');
    const logger = silentLogger();
    const services = createBenchServices({ dataDir, bundledRootFile, mode: 'workspace', appVersion: '0.1.0', logger, statusIntervalMs: 0, hashPin: async (pin) => `test:${pin}` });
    const benchId = services.identity.benchId;
    try {
      const demo = await startDemo(services, { speed: 400, centralServer: 0, dataDir, sourceDir: DEMO_SOURCE, logger });
      try {
        expect(services.store.sessions.balance()).toBe(DEMO_CREDITS);
        // The bench booked the grant the server issued (its id is the server's, not a bench-side demo- one).
        expect(services.store.sessions.grants().map((grant) => grant.grantId)).toEqual([expect.stringMatching(/^grant-/)]);
        for (const serial of ['SYN-DEMO-RECON-1', 'SYN-DEMO-RECON-2']) {
          await services.sessions.start({ partNumber: BOSCH_PART, serial }, null);
          await services.sessions.settled();
        }
        expect(services.store.sessions.balance()).toBeLessThan(DEMO_CREDITS);
        await until(() => {
          const { backlog } = services.enrolment();
          return backlog.unsentEntries === 0 && backlog.unsentCheckpoints === 0 && backlog.ackedEntrySeq === backlog.headSeq;
        }, 'the bench to sync its whole log');
      } finally {
        await demo.close();
      }
    } finally {
      await services.close();
    }

    const database = await openServerDatabase(`sqlite:${path.join(dataDir, 'demo-server', 'server.sqlite')}`);
    try {
      const repository = new ServerRepository(database.db, database.dialect);
      const bench = await repository.bench(benchId);
      expect(bench).toBeDefined();
      const report = await reconcileBench(new DistributionRepository(database.db, database.dialect), bench!, new Date());
      expect(report.findings).toEqual([]);
      expect(report.issued).toEqual({ grants: 1, credits: DEMO_CREDITS });
      expect(report.booked).toEqual({ grants: 1, credits: DEMO_CREDITS });
      expect(report.spent.sessions).toBe(2);
      expect(report.balance).toBe(DEMO_CREDITS - report.spent.credits);
      expect(await repository.alarms()).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
