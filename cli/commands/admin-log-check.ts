/**
 * `injbench admin check-log`: the admin's whole-log re-check of a bench's log as the server stores it. The
 * server runs it in the background; the command starts it (or joins the one running), reports its progress
 * on stderr, and prints the verdict. Exit 1 names the first altered entry.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { SyncError } from '../../common/central-api/client';
import { adminLogCheckPath, adminLogChecksPath } from '../../common/central-api/paths';
import { callServer } from '../../common/central-api/token-client';
import { benchIdSchema } from '../../trust/bench-id';
import { jsonOption, printResult, type JsonFlag } from '../../common/command-output';

const verdictSchema = z.union([
  z.object({ ok: z.literal(true), entries: z.number(), headHash: z.string(), sealedThrough: z.number(), unsealedEntries: z.number() }),
  z.object({ ok: z.literal(false), code: z.string(), seq: z.number(), reason: z.string() }),
]);
const checkSchema = z.object({
  checkId: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  headSeq: z.number(),
  checkedThrough: z.number(),
  verdict: verdictSchema.nullable(),
  failure: z.string().nullable(),
});

const POLL_MS = 1000;

export async function runLogCheck(options: { server: string; bench: string; wait: boolean } & JsonFlag, sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<void> {
  const benchId = benchIdSchema.safeParse(options.bench);
  if (!benchId.success) throw new SyncError('INVALID_REQUEST', `${JSON.stringify(options.bench)} is not a bench id (bench-<16 hex digits>).`, false);
  let check = checkSchema.parse(await callServer(options.server, 'POST', adminLogChecksPath(benchId.data)));
  process.stderr.write(`log check ${check.checkId} of ${benchId.data}: entries 1 to ${check.headSeq}\n`);
  if (!options.wait) {
    printResult(options, { benchId: benchId.data, ...check }, () => [`Started log check ${check.checkId}`]);
    return;
  }
  while (check.state === 'running') {
    await sleep(POLL_MS);
    check = checkSchema.parse(await callServer(options.server, 'GET', adminLogCheckPath(benchId.data, check.checkId)));
    if (check.state === 'running') process.stderr.write(`checked ${check.checkedThrough} of ${check.headSeq} entries (${Math.floor((100 * check.checkedThrough) / Math.max(1, check.headSeq))} %)\n`);
  }
  const verdict = check.verdict;
  printResult(options, { benchId: benchId.data, ...check }, () => [
    check.state === 'failed' || !verdict
      ? `FAIL the check did not finish: ${check.failure ?? 'no reason given'}`
      : verdict.ok
        ? `OK ${benchId.data}: ${verdict.entries} entries, sealed through ${verdict.sealedThrough} (${verdict.unsealedEntries} not yet sealed), head ${verdict.headHash}`
        : `FAIL ${verdict.code} at entry ${verdict.seq}: ${verdict.reason}`,
  ]);
  if (check.state === 'failed' || !verdict?.ok) process.exitCode = 1;
}

export function registerLogCheckCommand(admin: Command): void {
  jsonOption(admin.command('check-log'))
    .description("re-check the whole of a bench's log as the server stores it (hashes, chain, signed checkpoints), in the background on the server")
    .requiredOption('--server <url>', 'the central server')
    .requiredOption('--bench <id>', 'the bench id')
    .option('--no-wait', 'start the check and print its id, without waiting for the verdict')
    .action((options: { server: string; bench: string; wait: boolean } & JsonFlag) => runLogCheck(options));
}
