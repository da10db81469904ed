import type { Command } from 'commander';
import path from 'node:path';
import { verifyIntegrityLog } from '../../electron/services/integrity-log/verify-log';
import { ServiceError } from '../../electron/services/service-error';
import { openBenchStore } from '../../electron/services/store/bench-store';

interface VerifyOptions {
  publicKey?: string;
}

/** Verifies a bench's integrity log in place, read-only; exit 1 names the first bad entry. */
export function runSupportVerify(dataDir: string, options: VerifyOptions): void {
  const store = openBenchStore(path.resolve(dataDir), { readonly: true });
  try {
    const identity = store.identity.get();
    if (!identity) throw new ServiceError('NOT_CONFIGURED', `${dataDir} holds no bench identity: nothing has been logged there.`);
    const publicKey = options.publicKey ?? identity.publicKey;
    const verdict = verifyIntegrityLog({
      benchId: identity.benchId,
      publicKey,
      entries: store.integrityLog.entries(),
      checkpoints: store.integrityLog.checkpoints(),
    });
    if (!verdict.ok) {
      process.stdout.write(`FAIL ${verdict.code} at entry ${verdict.seq}: ${verdict.reason}\n`);
      process.exitCode = 1;
      return;
    }
    const keySource = options.publicKey ? 'the given public key' : "the bench's own public key (compare it with the enrolled one)";
    process.stdout.write(
      `OK ${identity.benchId}: ${verdict.entries} entries, sealed through ${verdict.sealedThrough} (${verdict.unsealedEntries} not yet sealed), head ${verdict.headHash}\n` +
        `checked against ${keySource}: ${publicKey}\n`,
    );
  } finally {
    store.close();
  }
}

export function registerSupportCommand(program: Command): void {
  const support = program.command('support').description('support tools: verify and export what a bench recorded');
  support
    .command('verify')
    .description("verify a bench's hash-chained, signed integrity log and name the first bad entry")
    .argument('<data-dir>', 'the bench data directory (holds bench.sqlite)')
    .option('--public-key <base64>', 'the Ed25519 key the bench enrolled with (default: the key stored on the bench)')
    .action(runSupportVerify);
}
