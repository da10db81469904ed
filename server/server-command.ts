/**
 * The central server's command line: its options, how it reads its secrets, and the run loop. The same
 * definition serves the server's own entry (server/main.ts, `node dist/server/main.js`) and `injbench server`.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { portNumber } from '../common/command-line-options';
import { ADMIN_TOKEN_ENV, METRICS_TOKEN_ENV, MIN_ADMIN_TOKEN_LENGTH, RELEASE_TOKEN_SERVER_ENV, SUPPORT_TOKEN_ENV } from '../common/server-settings';
import { createLogger } from '../common/logger';
import { developmentKeys } from '../trust/demo-repository';
import { ServerConfigurationError, startCentralServer } from './central-server';
import { DEFAULT_RECONCILE_EVERY_SECONDS } from './credits/periodic-reconcile';
import { readReleasePolicyFile } from './releases/release-policy';
import { redactUrl } from './store/database';
import { registerServerOperations } from './server-operations-command';


interface ServerOptions {
  db: string;
  port: number;
  adminTokenFile?: string;
  releasePolicy?: string;
  blobDir?: string;
  creditsKeyFile?: string;
  demoCreditsKey?: boolean;
  reconcileEvery: number;
  trustedRoot?: string;
}

function adminToken(options: ServerOptions): string {
  const token = options.adminTokenFile ? readFileSync(options.adminTokenFile, 'utf8').trim() : process.env[ADMIN_TOKEN_ENV];
  if (!token || token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ServerConfigurationError('UNAUTHORIZED', `The server needs an admin token of at least ${MIN_ADMIN_TOKEN_LENGTH} characters: set ${ADMIN_TOKEN_ENV} or pass --admin-token-file.`);
  }
  return token;
}

export async function runServer(options: ServerOptions): Promise<void> {
  const logger = createLogger('injbench-server');
  const server = await startCentralServer({
    databaseUrl: options.db,
    port: options.port,
    adminToken: adminToken(options),
    supportToken: process.env[SUPPORT_TOKEN_ENV] || undefined,
    releaseToken: process.env[RELEASE_TOKEN_SERVER_ENV] || undefined,
    metricsToken: process.env[METRICS_TOKEN_ENV] || undefined,
    blobDir: options.blobDir,
    creditsKeyFile: options.creditsKeyFile,
    // Derived from a public seed: only benches on the development root accept grants it signs.
    creditsKey: options.demoCreditsKey ? developmentKeys().credits : undefined,
    logger,
    releases: options.releasePolicy ? { policy: readReleasePolicyFile(options.releasePolicy) } : undefined,
    reconcileEverySeconds: options.reconcileEvery,
    trustedRootFile: options.trustedRoot,
  });
  process.stdout.write(
    `Database: ${server.dialect} ${redactUrl(options.db)}\nPack blobs: ${server.blobDir}\n` +
      `Credits key: ${options.creditsKeyFile ? 'loaded' : options.demoCreditsKey ? 'demo (development key)' : 'none (grants cannot be issued)'}\n` +
      `Credit reconciliation: ${options.reconcileEvery > 0 ? `every ${options.reconcileEvery} s` : 'on demand only'}\n` +
      `Trusted root: ${server.trustedRootSha256 ? `root 1 pinned, SHA-256 ${server.trustedRootSha256}` : 'the first root published (pin one with --trusted-root)'}\nServer URL: ${server.url}\n`,
  );
  await new Promise<void>((resolve) => {
    const shutdown = (): void => {
      server.close().then(resolve, resolve);
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
}

function nonNegativeSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 7 * 24 * 3600) throw new InvalidArgumentError('expected whole seconds, 0 to 604800 (0 turns it off)');
  return seconds;
}

/** Declares the server's options and action on `command` (a program of its own, or `injbench server`). */
export function configureServerCommand(command: Command): Command {
  registerServerOperations(command);
  return command
    .description(
      `run the central server on 127.0.0.1 (admin token from $${ADMIN_TOKEN_ENV}, read-only support token from $${SUPPORT_TOKEN_ENV}, ` +
        `publish-only release token from $${RELEASE_TOKEN_SERVER_ENV}, /metrics-only token from $${METRICS_TOKEN_ENV})`,
    )
    .option('--db <url>', 'sqlite:FILE (embedded) or postgres://user@host:port/db', 'sqlite:injbench-server.sqlite')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', portNumber, 8780)
    .option('--admin-token-file <file>', 'read the admin token from this file instead of the environment')
    .option('--release-policy <file>', 'promotion gates per channel (JSON; defaults in server/releases/release-policy.ts)')
    .option('--blob-dir <dir>', 'where pack bytes are stored (default: <sqlite file>.blobs; required with PostgreSQL)')
    .option('--credits-key-file <file>', 'the credits role key file grants are signed with (credits.key.json)')
    .option('--demo-credits-key', "sign grants with the demo repository's development credits key (development roots only)")
    .option('--reconcile-every <seconds>', 'reconcile credits against the synced settlement traces this often (0: on demand only)', nonNegativeSeconds, DEFAULT_RECONCILE_EVERY_SECONDS)
    .option('--trusted-root <file>', 'pin root version 1 (root/1.root.json): publishing another first root is refused (UNTRUSTED_ROOT)')
    .action(runServer);
}
