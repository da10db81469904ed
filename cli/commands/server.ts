import type { Command } from 'commander';
import { z } from 'zod';
import { configureServerCommand } from '../../server/server-command';
import { callServer } from '../../common/central-api/token-client';
import { jsonOption, printResult } from '../../common/command-output';
import { registerAdminDistributionCommands } from './admin-distribution';
import { registerLogCheckCommand } from './admin-log-check';
import { registerAdminAppDirectiveCommand } from './release-app';
import { ADMIN_CODES_PATH, SUPPORT_USERS_PATH } from '../../common/central-api/paths';

const codeAnswerSchema = z.object({ code: z.string(), expiresAt: z.string() });

export function registerServerCommand(program: Command): void {
  configureServerCommand(program.command('server'));

  const admin = program.command('admin').description('central server administration (token from $INJBENCH_SERVER_TOKEN)');
  registerAdminDistributionCommands(admin);
  registerLogCheckCommand(admin);
  registerAdminAppDirectiveCommand(admin);
  jsonOption(admin.command('enrolment-code'))
    .description('create a one-time enrolment code for a bench')
    .requiredOption('--server <url>', 'the central server, e.g. http://127.0.0.1:8780')
    .option('--ttl-minutes <n>', 'minutes until the code expires', (v) => Number(v), 24 * 60)
    .option('--note <text>', 'what the code is for (kept on the server)')
    .action(async (options: { server: string; ttlMinutes: number; note?: string; json?: boolean }) => {
      const answer = codeAnswerSchema.parse(await callServer(options.server, 'POST', ADMIN_CODES_PATH, { ttlMinutes: options.ttlMinutes, note: options.note }));
      printResult(options, answer, () => [`Enrolment code: ${answer.code}`, `Expires: ${answer.expiresAt}`]);
    });
  jsonOption(admin.command('support-user'))
    .description('create a named, read-only user of the support web view; prints its password once')
    .requiredOption('--server <url>', 'the central server')
    .requiredOption('--name <name>', 'user name (lower-case letters, digits, . _ -)')
    .action(async (options: { server: string; name: string; json?: boolean }) => {
      const answer = z.object({ name: z.string(), password: z.string() }).parse(await callServer(options.server, 'POST', SUPPORT_USERS_PATH, { name: options.name }));
      const signInUrl = new URL('/support/', options.server).href;
      printResult(options, { ...answer, signInUrl }, () => [`Support user: ${answer.name}`, `Password: ${answer.password}   (shown once; sign in at ${signInUrl})`]);
    });
  jsonOption(admin.command('disable-support-user'))
    .description('disable a support user; their web sessions end at once')
    .requiredOption('--server <url>', 'the central server')
    .requiredOption('--name <name>', 'user name')
    .action(async (options: { server: string; name: string; json?: boolean }) => {
      await callServer(options.server, 'POST', `${SUPPORT_USERS_PATH}/${encodeURIComponent(options.name)}/disable`, {});
      printResult(options, { name: options.name, disabled: true }, () => [`Disabled support user ${options.name}`]);
    });
  jsonOption(admin.command('revoke'))
    .description('revoke a bench: the server refuses its requests from now on')
    .requiredOption('--server <url>', 'the central server')
    .requiredOption('--bench <id>', 'the bench id')
    .requiredOption('--reason <text>', 'why (kept on the server)')
    .action(async (options: { server: string; bench: string; reason: string; json?: boolean }) => {
      await callServer(options.server, 'POST', `/api/v1/admin/benches/${encodeURIComponent(options.bench)}/revoke`, { reason: options.reason });
      printResult(options, { benchId: options.bench, revoked: true, reason: options.reason }, () => [`Revoked ${options.bench}`]);
    });
}
