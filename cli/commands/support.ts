import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { verifyIntegrityLog } from '../../common/integrity-log/verify-log';
import { ServiceError } from '../../electron/services/service-error';
import { openBenchStore } from '../../electron/services/store/bench-store';
import { SyncError } from '../../common/central-api/client';
import { csvField, tracesToCsv } from '../../server/sessions/session-export';
import type { SessionSummary, SessionTrace } from '../../server/store/session-index-repository';
import { exportSupportBundle, oversizeBundleVerdict, verifySupportBundle } from '../../electron/services/support/support-bundle';
import { benchDataDir, openBenchForCli } from '../bench-context';
import { jsonOption, printJson, printResult } from '../../common/command-output';
import { appVersion } from '../paths';
import { callServer } from '../../common/central-api/token-client';
import { supportLogPath } from '../../common/central-api/paths';
import { SUPPORT_SESSIONS_PATH, supportSessionPath } from '../../common/central-api/paths';
import { benchIdSchema } from '../../trust/bench-id';

interface VerifyOptions {
  publicKey?: string;
  json?: boolean;
}

/** A support bundle file: signature, sealed log segment, and every report against its sealed entry. */
function verifyBundleFile(file: string, options: VerifyOptions): void {
  // Judged by its size before it is read: a bundle is at most MAX_BUNDLE_BYTES, and a larger file is never loaded.
  const verdict = oversizeBundleVerdict(statSync(file).size) ?? verifySupportBundle(readFileSync(file), { publicKey: options.publicKey });
  if (!verdict.ok) {
    printResult(options, verdict, () => [`FAIL ${verdict.code}: ${verdict.reason}`]);
    process.exitCode = 1;
    return;
  }
  printResult(options, verdict, () => [
    `OK bundle from ${verdict.benchId}: ${verdict.sessions} sessions, log sealed through entry ${verdict.log.sealedThrough}, head ${verdict.log.headHash}`,
    `signed by ${options.publicKey ? 'the given public key' : "the key the bundle names (compare it with the enrolled one)"}: ${verdict.publicKey}`,
  ]);
}

/** Verifies a bench's integrity log in place (read-only) or a support bundle file; exit 1 names the first fault. */
export function runSupportVerify(target: string, options: VerifyOptions): void {
  if (existsSync(target) && statSync(target).isFile()) return verifyBundleFile(target, options);
  const dataDir = benchDataDir(target);
  const store = openBenchStore(dataDir, { readonly: true });
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
      printResult(options, { benchId: identity.benchId, ...verdict }, () => [`FAIL ${verdict.code} at entry ${verdict.seq}: ${verdict.reason}`]);
      process.exitCode = 1;
      return;
    }
    const keySource = options.publicKey ? 'the given public key' : "the bench's own public key (compare it with the enrolled one)";
    printResult(options, { benchId: identity.benchId, publicKey, ...verdict }, () => [
      `OK ${identity.benchId}: ${verdict.entries} entries, sealed through ${verdict.sealedThrough} (${verdict.unsealedEntries} not yet sealed), head ${verdict.headHash}`,
      `checked against ${keySource}: ${publicKey}`,
    ]);
  } finally {
    store.close();
  }
}

const pulledLogSchema = z.object({
  benchId: z.string(),
  benchStatus: z.string(),
  integrity: z.union([
    z.object({ ok: z.literal(true), entries: z.number(), headHash: z.string(), sealedThrough: z.number(), unsealedEntries: z.number() }),
    z.object({ ok: z.literal(false), code: z.string(), seq: z.number(), reason: z.string() }),
  ]),
  entries: z.array(
    z.object({ seq: z.number(), prevHash: z.string(), entryHash: z.string(), recordedAt: z.string(), type: z.string(), payloadJson: z.string(), receivedAt: z.string(), integrity: z.string() }),
  ),
  nextFromSeq: z.number().nullable(),
});
type PulledLog = z.infer<typeof pulledLogSchema>;

const PULL_PAGE = 5000;
/** A bound on pages, so a misbehaving server cannot keep the command running for ever. */
const MAX_PULL_PAGES = 10_000;

/** Pulls a bench's integrity log from the central server, with the server's integrity verdict. */
export async function runSupportLogPull(options: { server: string; bench: string; format: 'json' | 'csv' }): Promise<void> {
  const benchId = benchIdSchema.safeParse(options.bench);
  if (!benchId.success) throw new SyncError('INVALID_REQUEST', `${JSON.stringify(options.bench)} is not a bench id (bench-<16 hex digits>).`, false);
  let first: PulledLog | null = null;
  const entries: PulledLog['entries'] = [];
  let fromSeq: number | null = 1;
  for (let page = 0; fromSeq !== null && page < MAX_PULL_PAGES; page += 1) {
    const answer = await callServer(options.server, 'GET', `${supportLogPath(benchId.data)}?fromSeq=${fromSeq}&limit=${PULL_PAGE}`);
    const parsed = pulledLogSchema.safeParse(answer);
    if (!parsed.success) throw new SyncError('BAD_RESPONSE', 'The server answered with an unexpected log format.', false);
    first ??= parsed.data;
    entries.push(...parsed.data.entries);
    fromSeq = parsed.data.nextFromSeq;
  }
  if (!first) return;
  if (options.format === 'csv') {
    const header = ['seq', 'recorded_at', 'type', 'entry_hash', 'prev_hash', 'integrity', 'received_at', 'payload_json'];
    const lines = entries.map((e) => [e.seq, e.recordedAt, e.type, e.entryHash, e.prevHash, e.integrity, e.receivedAt, e.payloadJson].map(csvField).join(','));
    process.stdout.write(`${[header.join(','), ...lines].join('\n')}\n`);
  } else {
    printJson({ benchId: first.benchId, benchStatus: first.benchStatus, integrity: first.integrity, entries });
  }
  const verdict = first.integrity;
  process.stderr.write(
    verdict.ok
      ? `integrity OK: ${verdict.entries} entries, sealed through ${verdict.sealedThrough} (${verdict.unsealedEntries} not yet sealed)\n`
      : `integrity FAIL ${verdict.code} at entry ${verdict.seq}: ${verdict.reason}\n`,
  );
  if (!verdict.ok) process.exitCode = 1;
}

const sessionListSchema = z.object({ sessions: z.array(z.looseObject({ benchId: z.string(), sessionId: z.string(), startedAt: z.string().nullable() })), nextAfter: z.string().nullable() });
const traceSchema = z.looseObject({
  session: z.looseObject({ benchId: z.string(), sessionId: z.string() }),
  integrity: z.looseObject({ status: z.enum(['sealed', 'unsealed', 'broken']) }),
  entries: z.array(z.looseObject({ seq: z.number(), type: z.string(), payloadJson: z.string() })),
});

export interface SessionPullOptions {
  server: string;
  session?: string;
  bench?: string;
  serial?: string;
  from?: string;
  to?: string;
  format: 'json' | 'csv';
  /** The same as --format json (its default), which `pull` keeps for the scripts that pass it. */
  json?: boolean;
}

/** Bounds: 100 pages of 1000 sessions, so a misbehaving server cannot keep the command running for ever. */
const SESSION_PAGE = 1000;
const MAX_SESSION_PAGES = 100;

/** Sessions found through the server's session index, each with its trace and integrity status. */
export async function runSupportSessionPull(options: SessionPullOptions): Promise<void> {
  const params = new URLSearchParams({ limit: String(SESSION_PAGE) });
  if (options.session) params.set('sessionId', options.session);
  if (options.bench) params.set('bench', options.bench);
  if (options.serial) params.set('serial', options.serial);
  if (options.from) params.set('from', options.from);
  if (options.to) params.set('to', options.to);
  const found: SessionSummary[] = [];
  for (let page = 0; page < MAX_SESSION_PAGES; page += 1) {
    const parsed = sessionListSchema.safeParse(await callServer(options.server, 'GET', `${SUPPORT_SESSIONS_PATH}?${params.toString()}`));
    if (!parsed.success) throw new SyncError('BAD_RESPONSE', 'The server answered with an unexpected session list.', false);
    found.push(...(parsed.data.sessions as unknown as SessionSummary[]));
    if (!parsed.data.nextAfter) break;
    params.set('after', parsed.data.nextAfter);
  }
  if (options.session && found.length === 0) throw new SyncError('NOT_FOUND', `No session ${options.session} has reached the server (has the bench synced?).`, false);
  const traces: SessionTrace[] = [];
  for (const summary of found) {
    const parsed = traceSchema.safeParse(await callServer(options.server, 'GET', supportSessionPath(summary.benchId, summary.sessionId)));
    if (!parsed.success) throw new SyncError('BAD_RESPONSE', 'The server answered with an unexpected session trace.', false);
    traces.push(parsed.data as unknown as SessionTrace);
  }
  if (options.format === 'csv') process.stdout.write(tracesToCsv(traces));
  else printJson({ server: options.server, sessions: traces });
  const count = (status: string) => traces.filter((t) => t.integrity.status === status).length;
  const broken = traces.filter((t) => t.integrity.status === 'broken');
  process.stderr.write(`${traces.length} session(s); integrity: ${count('sealed')} sealed, ${count('unsealed')} not yet sealed, ${broken.length} broken\n`);
  for (const trace of broken) {
    const integrity = trace.integrity as Extract<SessionTrace['integrity'], { status: 'broken' }>;
    process.stderr.write(`integrity FAIL ${trace.session.sessionId} (${trace.session.benchId}): ${integrity.code} at entry ${integrity.seq}: ${integrity.reason}\n`);
  }
  if (broken.length > 0) process.exitCode = 1;
}

/**
 * `support pull`: by session, by bench and time window, or by injector serial through the session index;
 * `--bench` alone pulls the bench's whole integrity log (as before).
 */
export async function runSupportPull(options: SessionPullOptions): Promise<void> {
  if (options.json && options.format !== 'json') throw new InvalidArgumentError('--json and --format csv ask for two formats: give one of them');
  const selectors = [options.session, options.serial, options.bench].filter(Boolean).length;
  if (selectors === 0) throw new SyncError('INVALID_REQUEST', 'Give --session ID, --bench ID (with --from/--to for its sessions) or --serial S.', false);
  if (options.bench && !options.session && !options.serial && !options.from && !options.to) {
    return runSupportLogPull({ server: options.server, bench: options.bench, format: options.format });
  }
  return runSupportSessionPull(options);
}

function runSupportExport(dataDir: string, options: { out: string; session?: string[]; from?: string; to?: string; json?: boolean }): void {
  const bench = openBenchForCli(dataDir);
  try {
    const exported = exportSupportBundle(bench, { sessionIds: options.session, from: options.from, to: options.to }, appVersion());
    writeFileSync(path.resolve(options.out), exported.bytes, { mode: 0o600 });
    printResult(options, { out: path.resolve(options.out), sessions: exported.sessions, entries: exported.entries, benchId: bench.identity.benchId, bytes: exported.bytes.length }, () => [
      `wrote ${options.out}: ${exported.sessions} sessions, ${exported.entries} log entries, signed by ${bench.identity.benchId}`,
    ]);
  } finally {
    bench.close();
  }
}

export function registerSupportCommand(program: Command): void {
  const support = program.command('support').description('support tools: verify and export what a bench recorded');
  jsonOption(support.command('verify'))
    .description("verify a bench's hash-chained, signed integrity log and name the first bad entry")
    .argument('<data-dir|bundle>', 'the bench data directory (holds bench.sqlite), or a support bundle file')
    .option('--public-key <base64>', 'the Ed25519 key the bench enrolled with (default: the key stored on the bench or named by the bundle)')
    .action(runSupportVerify);
  jsonOption(support.command('export'))
    .description("export sessions' reports with their sealed log segment as one file signed by the bench key")
    .argument('<data-dir>', 'the bench data directory')
    .requiredOption('--out <file>', 'where to write the bundle')
    .option('--session <id...>', 'these sessions (default: the latest 200, or --from/--to)')
    .option('--from <iso-time>', 'sessions started at or after this time')
    .option('--to <iso-time>', 'sessions started at or before this time')
    .action(runSupportExport);
  jsonOption(support.command('pull'))
    .description('pull sessions with their traces and integrity status from the central server (token from $INJBENCH_SERVER_TOKEN)')
    .requiredOption('--server <url>', 'the central server, e.g. http://127.0.0.1:8780')
    .option('--session <id>', 'one session by its id')
    .option('--bench <id>', "a bench's sessions with --from/--to; alone, the bench's whole integrity log")
    .option('--from <time>', 'sessions started at or after this ISO time or date')
    .option('--to <time>', 'sessions started at or before this ISO time or date (a date includes the whole day)')
    .option('--serial <serial>', "every session of this injector serial, on any bench")
    .addOption(new Option('--format <format>', 'output format (--json is --format json)').choices(['json', 'csv']).default('json'))
    .action(runSupportPull);
}
