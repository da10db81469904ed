/**
 * The local central server `npm start` runs beside the demo bench (in the Electron app and in workspace mode
 * alike, through demo.ts), so a newcomer sees the whole product:
 * the demo repository published to it, the bench enrolled with it and syncing its signed log, and support
 * able to sign in to its web view. Its database and pack blobs live in <data dir>/demo-server; tokens are
 * new at every start (server configuration, not data), the support one written 0600 for the web view.
 * The demo credits are issued by this server (its admin API, signed with the development credits key) and
 * fetched by the bench like any grant, so the server's credit reconciliation finds every grant the bench
 * books: a grant signed on the bench's side would be UNKNOWN_GRANT to it, and every session it paid OVERSPEND.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { publishRepositoryToServer } from '../common/central-api/release-publish';
import { callServer } from '../common/central-api/token-client';
import { startCentralServer, type CentralServer } from '../server/central-server';
import { developmentKeys } from '../trust/demo-repository';
import type { BenchServices } from '../electron/services/bench-services';
import type { Logger } from '../common/logger';
import { ADMIN_CODES_PATH, ADMIN_GRANTS_PATH } from '../common/central-api/paths';
import { fetchCreditGrants } from '../electron/services/credits/grant-fetch';
import { DEMO_CREDITS, grantLocalDemoCredits, needsDemoCredits } from './demo-bench';

export interface DemoCentralServer {
  url: string;
  supportTokenFile: string;
  /** Why the bench is not syncing with it, when it is not (enrolled elsewhere, or at an older address). */
  note: string | null;
  close(): Promise<void>;
}

const codeAnswerSchema = z.object({ code: z.string() });

/** The port asked for, or a free one when it is taken (a second demo bench, another program). */
async function listen(options: Parameters<typeof startCentralServer>[0]): Promise<CentralServer> {
  try {
    return await startCentralServer(options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startCentralServer({ ...options, port: 0 });
  }
}

export async function startDemoCentralServer(services: BenchServices, options: { dataDir: string; repoDir: string; port: number; logger: Logger }): Promise<DemoCentralServer> {
  const dir = path.join(options.dataDir, 'demo-server');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const adminToken = randomBytes(32).toString('base64url');
  const supportToken = randomBytes(32).toString('base64url');
  const releaseToken = randomBytes(32).toString('base64url');
  const supportTokenFile = path.join(dir, 'support-token');
  writeFileSync(supportTokenFile, `${supportToken}\n`, { mode: 0o600 });
  chmodSync(supportTokenFile, 0o600);

  const server = await listen({
    databaseUrl: `sqlite:${path.join(dir, 'server.sqlite')}`,
    port: options.port,
    adminToken,
    supportToken,
    releaseToken,
    creditsKey: developmentKeys().credits,
    logger: options.logger.child({ part: 'demo-central-server' }, { level: 'warn' }),
  });
  try {
    // Publishing sends only what the server lacks, so a restart costs one state request.
    await publishRepositoryToServer({ repoDir: options.repoDir, serverUrl: server.url, token: releaseToken, actor: 'demo', reason: 'the demo repository', ticket: 'DEMO-1', print: () => undefined });
    let note: string | null = null;
    const enrolledWith = services.enrolment().serverUrl;
    if (!enrolledWith) {
      const { code } = codeAnswerSchema.parse(await callServer(server.url, 'POST', ADMIN_CODES_PATH, { ttlMinutes: 10, note: 'the demo bench' }, { token: adminToken }));
      await services.enrol(server.url, code);
    } else if (enrolledWith !== server.url) {
      note = `the bench syncs with ${enrolledWith}, not with this server`;
    }
    if (needsDemoCredits(services)) {
      if (note) {
        // Not our bench to reconcile: it keeps the bench-side demo grant it had before the local server existed.
        grantLocalDemoCredits(services);
      } else {
        const benchId = services.identity.benchId;
        await callServer(server.url, 'POST', ADMIN_GRANTS_PATH, { benchId, credits: DEMO_CREDITS, note: 'demo credits', actor: 'demo' }, { token: adminToken });
        await fetchCreditGrants({ identity: services.identity, packs: services.packs, store: services.store, log: services.integrityLog, now: () => new Date() });
      }
    }
    return { url: server.url, supportTokenFile, note, close: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
}
