/** Composition root of the central server: database, repository, HTTP app, listening on 127.0.0.1. */
import type { Logger } from '../electron/services/logger';
import { buildServerApp, type ServerApp, type ServerAppOptions } from './app';
import { openServerDatabase, type DialectName } from './store/database';
import { ServerRepository } from './store/server-repository';

export interface CentralServerOptions {
  databaseUrl: string;
  port: number;
  adminToken: string;
  supportToken?: string;
  logger: Logger;
  now?: () => Date;
  clockSkewMs?: number;
  releases?: ServerAppOptions['releases'];
}

export interface CentralServer {
  readonly url: string;
  readonly port: number;
  readonly dialect: DialectName;
  readonly repository: ServerRepository;
  readonly app: ServerApp;
  close(): Promise<void>;
}

export const SERVER_HOST = '127.0.0.1';

export async function startCentralServer(options: CentralServerOptions): Promise<CentralServer> {
  const database = await openServerDatabase(options.databaseUrl, { logger: options.logger });
  const repository = new ServerRepository(database.db, database.dialect);
  let app: ServerApp;
  try {
    app = await buildServerApp({
      repository,
      logger: options.logger,
      adminToken: options.adminToken,
      supportToken: options.supportToken,
      now: options.now,
      clockSkewMs: options.clockSkewMs,
      releases: options.releases,
    });
    await app.listen({ host: SERVER_HOST, port: options.port });
  } catch (error) {
    await database.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${SERVER_HOST}:${port}`,
    port,
    dialect: database.dialect,
    repository,
    app,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
