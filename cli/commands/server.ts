import { InvalidArgumentError, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { createLogger } from '../../electron/services/logger';
import { SyncError } from '../../electron/services/sync/sync-client';
import { ADMIN_CODES_PATH } from '../../server/app';
import { startCentralServer } from '../../server/central-server';
import { DEFAULT_RECONCILE_EVERY_SECONDS } from '../../server/credits/periodic-reconcile';
import { readReleasePolicyFile } from '../../server/releases/release-policy';
import { SUPPORT_USERS_PATH } from '../../server/support/web/support-web';
import { redactUrl } from '../../server/store/database';
import { developmentKeys } from '../../trust/demo-repository';
import { portNumber } from '../options';
import { callServer } from '../../server/client/server-api';
import { registerAdminDistributionCommands } from './admin-distribution';

export const ADMIN_TOKEN_ENV = 'INJBENCH_SERVER_ADMIN_TOKEN';
export const SUPPORT_TOKEN_ENV = 'INJBENCH_SERVER_SUPPORT_TOKEN';
export const RELEASE_TOKEN_SERVER_ENV = 'INJBENCH_SERVER_RELEASE_TOKEN';

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
  if (!token || token.length < 32) {
    throw new SyncError('UNAUTHORIZED', `The server needs an admin token of at least 32 characters: set ${ADMIN_TOKEN_ENV} or pass --admin-token-file.`, false);
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

const codeAnswerSchema = z.object({ code: z.string(), expiresAt: z.string() });

export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description(
      `run the central server on 127.0.0.1 (admin token from $${ADMIN_TOKEN_ENV}, read-only support token from $${SUPPORT_TOKEN_ENV}, ` +
        `publish-only release token from $${RELEASE_TOKEN_SERVER_ENV})`,
    )
    .option('--db <url>', 'sqlite:FILE (embedded) or postgres://user@host:port/db', 'sqlite:injbench-server.sqlite')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free one)', portNumber, 8780)
    .option('--admin-token-file <file>', 'read the admin token from this file instead of the environment')
    .option('--release-policy <file>', 'promotion gates per channel (JSON; defaults in server/releases/release-policy.ts)')
    .option('--blob-dir <dir>', 'where pack bytes are stored (default: <sqlite file>.blobs, or ./injbench-server-blobs for PostgreSQL)')
    .option('--credits-key-file <file>', 'the credits role key file grants are signed with (credits.key.json)')
    .option('--demo-credits-key', "sign grants with the demo repository's development credits key (development roots only)")
    .option('--reconcile-every <seconds>', 'reconcile credits against the synced settlement traces this often (0: on demand only)', nonNegativeSeconds, DEFAULT_RECONCILE_EVERY_SECONDS)
    .option('--trusted-root <file>', 'pin root version 1 (root/1.root.json): publishing another first root is refused (UNTRUSTED_ROOT)')
    .action(runServer);

  const admin = program.command('admin').description('central server administration (token from $INJBENCH_SERVER_TOKEN)');
  registerAdminDistributionCommands(admin);
  admin
    .command('enrolment-code')
    .description('create a one-time enrolment code for a bench')
    .requiredOption('--server <url>', 'the central server, e.g. http://127.0.0.1:8780')
    .option('--ttl-minutes <n>', 'minutes until the code expires', (v) => Number(v), 24 * 60)
    .option('--note <text>', 'what the code is for (kept on the server)')
    .action(async (options: { server: string; ttlMinutes: number; note?: string }) => {
      const answer = codeAnswerSchema.parse(await callServer(options.server, 'POST', ADMIN_CODES_PATH, { ttlMinutes: options.ttlMinutes, note: options.note }));
      process.stdout.write(`Enrolment code: ${answer.code}\nExpires: ${answer.expiresAt}\n`);
    });
  admin
    .command('support-user')
    .description('create a named, read-only user of the support web view; prints its password once')
    .requiredOption('--server <url>', 'the central server')
    .requiredOption('--name <name>', 'user name (lower-case letters, digits, . _ -)')
    .action(async (options: { server: string; name: string }) => {
      const answer = z.object({ name: z.string(), password: z.string() }).parse(await callServer(options.server, 'POST', SUPPORT_USERS_PATH, { name: options.name }));
      process.stdout.write(`Support user: ${answer.name}\nPassword: ${answer.password}   (shown once; sign in at ${new URL('/support/', options.server).href})\n`);
    });
  admin
    .command('disable-support-user')
    .description('disable a support user; their web sessions end at once')
    .requiredOption('--server <url>', 'the central server')
    .requiredOption('--name <name>', 'user name')
    .action(async (options: { server: string; name: string }) => {
      await callServer(options.server, 'POST', `${SUPPORT_USERS_PATH}/${encodeURIComponent(options.name)}/disable`, {});
      process.stdout.write(`Disabled support user ${options.name}\n`);
    });
  admin
    .command('revoke')
    .description('revoke a bench: the server refuses its requests from now on')
    .requiredOption('--server <url>', 'the central server')
    .requiredOption('--bench <id>', 'the bench id')
    .requiredOption('--reason <text>', 'why (kept on the server)')
    .action(async (options: { server: string; bench: string; reason: string }) => {
      await callServer(options.server, 'POST', `/api/v1/admin/benches/${encodeURIComponent(options.bench)}/revoke`, { reason: options.reason });
      process.stdout.write(`Revoked ${options.bench}\n`);
    });
}
