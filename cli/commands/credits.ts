import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { signCreditGrant } from '../../trust/credit-grant';
import { ServiceError } from '../../electron/services/service-error';
import { developmentKeys } from '../../trust/demo-repository';
import { readKeyFile } from '../../trust/keys';
import { appendCreditGrant, openBenchForCli } from '../bench-context';

const grantOptions = z.object({
  keys: z.string().min(1).optional(),
  demoKey: z.boolean().optional(),
  benchId: z.string().min(1),
  credits: z.coerce.number().int().positive().max(1_000_000),
  grantId: z.string().min(1).max(128).optional(),
  validDays: z.coerce.number().int().positive().max(3650),
  out: z.string().min(1),
});

/** Release-manager side: signs a grant with the credits key (the server does the same through its API). */
function runGrant(raw: unknown): void {
  const options = grantOptions.parse(raw);
  if (Boolean(options.keys) === Boolean(options.demoKey)) throw new ServiceError('INVALID_ARGUMENT', 'give exactly one of --keys <dir> or --demo-key');
  // The demo key is derived from a public seed: only benches on the development root accept its grants.
  const key = options.keys ? readKeyFile(path.resolve(options.keys), 'credits') : developmentKeys().credits;
  const issuedAt = new Date();
  const grant = {
    bench_id: options.benchId,
    grant_id: options.grantId ?? `grant-${issuedAt.toISOString().replace(/[-:.TZ]/g, '')}-${options.benchId}`,
    credits: options.credits,
    issued_at: issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    expires: new Date(issuedAt.getTime() + options.validDays * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  writeFileSync(path.resolve(options.out), signCreditGrant(grant, key), { mode: 0o600 });
  process.stdout.write(`signed ${grant.grant_id}: ${grant.credits} credits for ${grant.bench_id}, valid until ${grant.expires}\n`);
}

function runImport(file: string, raw: { dataDir: string }): void {
  const bench = openBenchForCli(raw.dataDir);
  try {
    const outcome = appendCreditGrant(bench, readFileSync(path.resolve(file)));
    process.stdout.write(
      outcome.added
        ? `imported ${outcome.grant.grant_id}: +${outcome.grant.credits} credits, balance ${outcome.balance}\n`
        : `already imported ${outcome.grant.grant_id}: balance ${outcome.balance}\n`,
    );
  } finally {
    bench.close();
  }
}

function runBalance(raw: { dataDir: string }): void {
  const bench = openBenchForCli(raw.dataDir);
  try {
    process.stdout.write(`${bench.identity.benchId}: ${bench.store.sessions.balance()} credits\n`);
  } finally {
    bench.close();
  }
}

export function registerCreditsCommand(program: Command): void {
  const credits = program.command('credits').description('bench credits: sign grants, import them on a bench, show the balance');
  credits
    .command('grant')
    .description('sign a credit grant for one bench with the credits key')
    .option('--keys <dir>', 'directory with the release keys (credits key file)')
    .option('--demo-key', "sign with the demo repository's development credits key")
    .requiredOption('--bench-id <id>', 'the bench the grant is for')
    .requiredOption('--credits <n>', 'number of credits')
    .option('--grant-id <id>', 'grant id (default: time and bench)')
    .option('--valid-days <n>', 'days until the grant expires', '365')
    .requiredOption('--out <file>', 'where to write the signed grant')
    .action(runGrant);
  credits
    .command('import')
    .description('verify a signed grant against the bench root of trust and add its credits (once)')
    .argument('<file>', 'signed grant file')
    .requiredOption('--data-dir <dir>', 'bench data directory')
    .action(runImport);
  credits.command('balance').description('show the bench credit balance').requiredOption('--data-dir <dir>', 'bench data directory').action(runBalance);
}
