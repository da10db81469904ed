/**
 * The central server's command line: its options, how it reads its configuration (server-config.ts: flags >
 * environment > file, secrets also from files), and the run loop. The same definition serves the server's own
 * entry (server/main.ts, `node dist/server/main.js`) and `injbench server`.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { portNumber } from '../common/command-line-options';
import { createLogger } from '../common/logger';
import { developmentKeys } from '../trust/demo-repository';
import { startCentralServer } from './central-server';
import { readReleasePolicyFile } from './releases/release-policy';
import { loadServerConfig, type ServerFlags } from './server-config';
import { redactUrl } from './store/database';
import { registerServerOperations } from './server-operations-command';

export const ADMIN_TOKEN_ENV = 'INJBENCH_SERVER_ADMIN_TOKEN';
export const SUPPORT_TOKEN_ENV = 'INJBENCH_SERVER_SUPPORT_TOKEN';
export const RELEASE_TOKEN_SERVER_ENV = 'INJBENCH_SERVER_RELEASE_TOKEN';
export const METRICS_TOKEN_ENV = 'INJBENCH_SERVER_METRICS_TOKEN';

export async function runServer(flags: ServerFlags): Promise<void> {
  const config = loadServerConfig(flags);
  const logger = createLogger('injbench-server');
  if (config.publicOrigin?.startsWith('https:') && !config.tlsCert && config.trustProxy === false) {
    // Behind a proxy that nobody told the server to trust, every client has the proxy's address.
    logger.warn({ publicOrigin: config.publicOrigin }, 'an https public origin without TLS here means a proxy in front: set --trust-proxy to its address, or every client shares one sign-in limit');
  }
  const server = await startCentralServer({
    databaseUrl: config.db,
    port: config.port,
    host: config.host,
    tls: config.tlsCert && config.tlsKey ? { certFile: config.tlsCert, keyFile: config.tlsKey } : undefined,
    trustProxy: config.trustProxy,
    publicOrigin: config.publicOrigin,
    adminToken: config.adminToken,
    supportToken: config.supportToken,
    releaseToken: config.releaseToken,
    metricsToken: config.metricsToken,
    blobDir: config.blobDir,
    creditsKeyFile: config.creditsKeyFile,
    // Derived from a public seed: only benches on the development root accept grants it signs.
    creditsKey: config.demoCreditsKey ? developmentKeys().credits : undefined,
    logger,
    releases: config.releasePolicy ? { policy: readReleasePolicyFile(config.releasePolicy) } : undefined,
    reconcileEverySeconds: config.reconcileEvery,
    trustedRootFile: config.trustedRoot,
  });
  process.stdout.write(
    `Database: ${server.dialect} ${redactUrl(config.db)}\nPack blobs: ${server.blobDir}\n` +
      `Credits key: ${config.creditsKeyFile ? 'loaded' : config.demoCreditsKey ? 'demo (development key)' : 'none (grants cannot be issued)'}\n` +
      `Credit reconciliation: ${config.reconcileEvery > 0 ? `every ${config.reconcileEvery} s (once per period across instances)` : 'on demand only'}\n` +
      `Trusted root: ${server.trustedRootSha256 ? `root 1 pinned, SHA-256 ${server.trustedRootSha256}` : 'the first root published (pin one with --trusted-root)'}\n` +
      `Proxy: ${config.trustProxy === false ? 'none trusted (X-Forwarded-* ignored)' : `trusted (${String(config.trustProxy)})`}; public origin: ${config.publicOrigin ?? 'the request host'}\n` +
      `Server URL: ${server.url}\n`,
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

/**
 * Declares the server's options and action on `command` (a program of its own, or `injbench server`). No
 * option has a default here: an option not given leaves the setting to the environment, then the
 * configuration file, then server-config.ts's defaults (shown in brackets).
 */
export function configureServerCommand(command: Command): Command {
  registerServerOperations(command);
  return command
    .description(
      `run the central server (admin token from $${ADMIN_TOKEN_ENV}, read-only support token from $${SUPPORT_TOKEN_ENV}, ` +
        `publish-only release token from $${RELEASE_TOKEN_SERVER_ENV}, /metrics-only token from $${METRICS_TOKEN_ENV}; each also as $…_FILE). Every option is also ` +
        'INJBENCH_SERVER_<NAME> in the environment and <name> in camelCase in the --config file; flags win over the environment, the environment over the file',
    )
    .option('--config <file>', 'JSON configuration file (also $INJBENCH_SERVER_CONFIG)')
    .option('--db <url>', 'sqlite:FILE (embedded) or postgres://user@host:port/db [sqlite:injbench-server.sqlite]')
    .option('--host <address>', 'address to listen on; 0.0.0.0 for every interface [127.0.0.1]')
    .option('--port <n>', 'TCP port (0 picks a free one) [8780]', portNumber)
    .option('--public-origin <origin>', 'the origin people reach the server at, e.g. https://support.example (sign-in forms, Secure cookies)')
    .option('--trust-proxy <which>', 'believe X-Forwarded-For/-Proto/-Host from: true (any), a hop count, or proxy addresses/CIDRs [false]')
    .option('--tls-cert <file>', 'serve TLS directly with this PEM certificate chain (with --tls-key)')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--admin-token-file <file>', 'read the admin token from this file instead of the environment')
    .option('--release-policy <file>', 'promotion gates per channel (JSON; defaults in server/releases/release-policy.ts)')
    .option('--blob-dir <dir>', 'where pack bytes are stored (default: <sqlite file>.blobs; required with PostgreSQL: one folder every instance reaches)')
    .option('--credits-key-file <file>', 'the credits role key file grants are signed with (credits.key.json)')
    .option('--demo-credits-key', "sign grants with the demo repository's development credits key (development roots only)")
    .option('--reconcile-every <seconds>', 'reconcile credits against the synced settlement traces this often, once per period across instances (0: on demand only) [300]', nonNegativeSeconds)
    .option('--trusted-root <file>', 'pin root version 1 (root/1.root.json): publishing another first root is refused (UNTRUSTED_ROOT)')
    .action(runServer);
}
