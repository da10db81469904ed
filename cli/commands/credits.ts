import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CREDIT_GRANT_MAX_BYTES, issueCreditGrant } from '../../trust/credit-grant';
import { TrustError } from '../../trust/errors';
import { MAX_GRANT_CREDITS, MAX_GRANT_VALID_DAYS } from '../../trust/schemas';
import { readCappedFile } from '../../trust/source';
import { ServiceError } from '../../electron/services/service-error';
import { developmentKeys } from '../../trust/demo-repository';
import { readKeyFile } from '../../trust/keys';
import { fetchCreditGrants } from '../../electron/services/credits/grant-fetch';
import { appendCreditGrant, openBenchForCli } from '../bench-context';
import { callServer } from '../../common/central-api/token-client';
import { jsonOption, printResult } from '../../common/command-output';
import { ADMIN_GRANTS_PATH, ADMIN_RECONCILE_PATH } from '../../common/central-api/paths';

const grantOptions = z.object({
  keys: z.string().min(1).optional(),
  demoKey: z.boolean().optional(),
  benchId: z.string().min(1),
  credits: z.coerce.number().int().positive().max(MAX_GRANT_CREDITS),
  grantId: z.string().min(1).max(128).optional(),
  validDays: z.coerce.number().int().positive().max(MAX_GRANT_VALID_DAYS),
  out: z.string().min(1).optional(),
  server: z.string().min(1).optional(),
  note: z.string().max(500).optional(),
  json: z.boolean().optional(),
});

const issuedSchema = z.object({ grantId: z.string(), benchId: z.string(), credits: z.number(), expires: z.string(), grantBase64: z.string() });

/** Admin side, through the server: it signs with the credits key it holds and keeps the grant for the bench to fetch. */
async function runServerGrant(options: z.infer<typeof grantOptions> & { server: string }): Promise<void> {
  if (options.keys || options.demoKey) throw new ServiceError('INVALID_ARGUMENT', 'with --server the server signs the grant with its credits key: drop --keys/--demo-key');
  const issued = issuedSchema.parse(
    await callServer(options.server, 'POST', ADMIN_GRANTS_PATH, { benchId: options.benchId, credits: options.credits, validDays: options.validDays, grantId: options.grantId, note: options.note }),
  );
  if (options.out) writeFileSync(path.resolve(options.out), Buffer.from(issued.grantBase64, 'base64'), { mode: 0o600 });
  const { grantBase64: _bytes, ...grant } = issued;
  printResult(options, { ...grant, signedBy: 'server', out: options.out ? path.resolve(options.out) : null }, () => [
    `issued ${issued.grantId}: ${issued.credits} credits for ${issued.benchId}, valid until ${issued.expires} (the bench fetches it with "injbench credits fetch")`,
  ]);
}

/** Release-manager side: signs a grant with the credits key (the server does the same through its API). */
async function runGrant(raw: unknown): Promise<void> {
  const options = grantOptions.parse(raw);
  if (options.server) return runServerGrant({ ...options, server: options.server });
  if (!options.out) throw new ServiceError('INVALID_ARGUMENT', 'give --out <file> for the signed grant (or --server to issue it through the central server)');
  if (Boolean(options.keys) === Boolean(options.demoKey)) throw new ServiceError('INVALID_ARGUMENT', 'give exactly one of --keys <dir> or --demo-key');
  // The demo key is derived from a public seed: only benches on the development root accept its grants.
  const key = options.keys ? readKeyFile(path.resolve(options.keys), 'credits') : developmentKeys().credits;
  const issuedAt = new Date();
  const grantId = options.grantId ?? `grant-${issuedAt.toISOString().replace(/[-:.TZ]/g, '')}-${options.benchId}`;
  const { grant, bytes } = issueCreditGrant({ benchId: options.benchId, grantId, credits: options.credits, validDays: options.validDays, issuedAt }, key);
  writeFileSync(path.resolve(options.out), bytes, { mode: 0o600 });
  printResult(options, { grantId: grant.grant_id, benchId: grant.bench_id, credits: grant.credits, expires: grant.expires, signedBy: options.keys ? 'keys' : 'demo key', out: path.resolve(options.out) }, () => [
    `signed ${grant.grant_id}: ${grant.credits} credits for ${grant.bench_id}, valid until ${grant.expires}`,
  ]);
}

async function runImport(file: string, raw: { dataDir: string; json?: boolean }): Promise<void> {
  const bench = openBenchForCli(raw.dataDir);
  try {
    // Capped before it is read: a grant file is at most CREDIT_GRANT_MAX_BYTES (a FIFO or /dev/zero named as one is refused).
    const bytes = await readCappedFile(path.resolve(file), file, CREDIT_GRANT_MAX_BYTES);
    if (!bytes) throw new TrustError('NOT_FOUND', `${file} does not exist.`);
    const outcome = appendCreditGrant(bench, bytes);
    printResult(raw, { grantId: outcome.grant.grant_id, credits: outcome.grant.credits, added: outcome.added, balance: outcome.balance }, () => [
      outcome.added ? `imported ${outcome.grant.grant_id}: +${outcome.grant.credits} credits, balance ${outcome.balance}` : `already imported ${outcome.grant.grant_id}: balance ${outcome.balance}`,
    ]);
  } finally {
    bench.close();
  }
}

async function runFetch(raw: { dataDir: string; json?: boolean }): Promise<void> {
  const bench = openBenchForCli(raw.dataDir);
  try {
    const outcome = await fetchCreditGrants(bench);
    printResult(raw, outcome, () => [
      ...outcome.imported.map((grant) => `imported ${grant.grantId}: +${grant.credits} credits`),
      ...outcome.refused.map((grant) => `refused ${grant.grantId}: ${grant.code}: ${grant.message}`),
      `${outcome.imported.length} new, ${outcome.alreadyImported.length} already imported, ${outcome.refused.length} refused; balance ${outcome.balance} (from ${outcome.serverUrl})`,
    ]);
    if (outcome.refused.length > 0) process.exitCode = 1;
  } finally {
    bench.close();
  }
}

const reconciliationSchema = z.object({
  reconciledAt: z.string(),
  benches: z.array(
    z.object({
      benchId: z.string(),
      sealedThrough: z.number(),
      issued: z.object({ grants: z.number(), credits: z.number() }),
      booked: z.object({ grants: z.number(), credits: z.number() }),
      spent: z.object({ sessions: z.number(), credits: z.number() }),
      balance: z.number(),
      findings: z.array(z.object({ kind: z.string(), subject: z.string(), seq: z.number(), message: z.string() })),
      newFindings: z.number(),
    }),
  ),
});

/** Reconciles grants against the synced settlement traces on the server; exit 1 when anything is flagged. */
async function runReconcile(options: { server: string; bench?: string; json?: boolean }): Promise<void> {
  const report = reconciliationSchema.parse(await callServer(options.server, 'POST', ADMIN_RECONCILE_PATH, options.bench ? { benchId: options.bench } : {}));
  printResult(options, report, () =>
    report.benches.flatMap((bench) => [
      `${bench.benchId}: issued ${bench.issued.credits} credits in ${bench.issued.grants} grants, booked ${bench.booked.credits}, ` +
        `spent ${bench.spent.credits} in ${bench.spent.sessions} sessions, balance ${bench.balance} (sealed through entry ${bench.sealedThrough}): ` +
        `${bench.findings.length === 0 ? 'clean' : `${bench.findings.length} findings (${bench.newFindings} new)`}`,
      ...bench.findings.map((finding) => `  ${finding.kind} ${finding.subject} at entry ${finding.seq}: ${finding.message}`),
    ]),
  );
  if (report.benches.some((bench) => bench.findings.length > 0)) process.exitCode = 1;
}

function runBalance(raw: { dataDir: string; json?: boolean }): void {
  const bench = openBenchForCli(raw.dataDir);
  try {
    const balance = bench.store.sessions.balance();
    printResult(raw, { benchId: bench.identity.benchId, balance }, () => [`${bench.identity.benchId}: ${balance} credits`]);
  } finally {
    bench.close();
  }
}

export function registerCreditsCommand(program: Command): void {
  const credits = program.command('credits').description('bench credits: sign grants, import them on a bench, show the balance');
  jsonOption(credits.command('grant'))
    .description('sign a credit grant for one bench with the credits key')
    .option('--server <url>', 'issue the grant through the central server (admin token from $INJBENCH_SERVER_TOKEN); the server signs it')
    .option('--keys <dir>', 'directory with the release keys (credits key file)')
    .option('--demo-key', "sign with the demo repository's development credits key")
    .requiredOption('--bench-id <id>', 'the bench the grant is for')
    .requiredOption('--credits <n>', 'number of credits')
    .option('--grant-id <id>', 'grant id (default: time and bench)')
    .option('--valid-days <n>', 'days until the grant expires', '365')
    .option('--out <file>', 'where to write the signed grant (required without --server)')
    .option('--note <text>', 'kept with the grant on the server (order, invoice)')
    .action(runGrant);
  jsonOption(credits.command('fetch'))
    .description('fetch the grants the central server issued to this bench (a request signed by the bench key) and import them')
    .requiredOption('--data-dir <dir>', 'bench data directory (an enrolled bench)')
    .action(runFetch);
  jsonOption(credits.command('reconcile'))
    .description('reconcile issued grants against the settlement traces benches synced: double spend, unknown grant, overspend (exit 1 when flagged)')
    .requiredOption('--server <url>', 'the central server (admin token from $INJBENCH_SERVER_TOKEN)')
    .option('--bench <id>', 'one bench (default: every bench)')
    .action(runReconcile);
  jsonOption(credits.command('import'))
    .description('verify a signed grant against the bench root of trust and add its credits (once)')
    .argument('<file>', 'signed grant file')
    .requiredOption('--data-dir <dir>', 'bench data directory')
    .action(runImport);
  jsonOption(credits.command('balance')).description('show the bench credit balance').requiredOption('--data-dir <dir>', 'bench data directory').action(runBalance);
}
