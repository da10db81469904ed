/**
 * The support reads of a bench's stored log, and the admin's re-check of it.
 *
 * A page costs what it returns, whatever the log's length: ingest verified every batch before storing it and
 * keeps that verdict in the bench's row (head, head hash, sealed through), so a read fetches the page by
 * primary-key range with the entry before it and its sealing checkpoint, and re-hashes only the page (an
 * entry altered in the database since shows as broken where it is read). The whole-log proof that nothing
 * else was altered is the admin's explicit re-check (log-recheck.ts), whose last verdict every read reports.
 */
import { z } from 'zod';
import { verifyIntegrityLog, type LogVerdict } from '../../common/integrity-log/verify-log';
import { adminLogChecksPath, supportLogPath } from '../../common/central-api/paths';
import { benchIdSchema } from '../../trust/bench-id';
import { tokenRoute, type ServerInstance } from '../route-context';
import { parseInput } from '../sessions/route-context';
import { jsonBytesWithArray } from '../json-bytes';
import { ServerError } from '../server-error';
import type { LogCheckRecord, LogCheckStore } from '../store/log-check-store';
import type { BenchRecord, LogPage, ServerRepository, StoredLogEntry } from '../store/server-repository';
import type { LogRechecker } from './log-recheck';

export const MAX_SUPPORT_PAGE = 5000;
const LISTED_CHECKS = 20;

const benchParamsSchema = z.strictObject({ benchId: benchIdSchema });
const checkParamsSchema = z.strictObject({ benchId: benchIdSchema, checkId: z.uuid() });
const supportQuerySchema = z.strictObject({
  fromSeq: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(MAX_SUPPORT_PAGE).default(1000),
});

export interface SupportLogContext {
  repository: ServerRepository;
  checks: LogCheckStore;
  rechecker: LogRechecker;
}

type EntryIntegrity = 'sealed' | 'unsealed' | 'broken';

/** The page's own chain: its entries re-hashed, linked to the entry before, and to the checkpoints among them. */
function pageVerdict(bench: BenchRecord, page: LogPage, fromSeq: number, limit: number): LogVerdict {
  const head = Number(bench.head_seq);
  if (fromSeq > 1 && fromSeq <= head && !page.anchor) {
    return { ok: false, code: 'ENTRY_MISSING', seq: fromSeq - 1, reason: `entry ${fromSeq - 1} is missing from the server's copy` };
  }
  // The checkpoints' signatures were checked at ingest, and the admin's re-check checks them again.
  const signaturesCheckedAtIngest = new Map(page.checkpoints.map((checkpoint) => [checkpoint, true]));
  const verdict = verifyIntegrityLog({ benchId: bench.bench_id, publicKey: bench.public_key, entries: page.entries, checkpoints: page.checkpoints, after: page.anchor ?? undefined }, signaturesCheckedAtIngest);
  if (!verdict.ok) return verdict;
  const expectedLast = Math.min(head, fromSeq + limit - 1);
  const last = page.entries.at(-1)?.seq ?? fromSeq - 1;
  if (last < expectedLast) return { ok: false, code: 'ENTRY_MISSING', seq: last + 1, reason: `entry ${last + 1} is missing: the server acknowledged entries up to ${head}` };
  return verdict;
}

/** An entry is sealed when a checkpoint at or after it comes before the first broken entry. */
function entryIntegrities(page: LogPage, brokenFrom: number): EntryIntegrity[] {
  const known = [...page.checkpoints];
  if (page.sealing && known.at(-1)?.seq !== page.sealing.seq) known.push(page.sealing);
  let next = 0;
  return page.entries.map((entry) => {
    while ((known[next]?.seq ?? Infinity) < entry.seq) next += 1;
    if (entry.seq >= brokenFrom) return 'broken';
    return (known[next]?.seq ?? Infinity) < brokenFrom ? 'sealed' : 'unsealed';
  });
}

/**
 * An entry as a page shows it: every stored field (the return type makes sure) and its integrity. Spelled out
 * because spreading the stored entry costs ~1 ms of a 1,000-entry page.
 */
const entryAnswer = (entry: StoredLogEntry, integrity: EntryIntegrity | undefined): StoredLogEntry & { integrity: EntryIntegrity | undefined } => ({
  seq: entry.seq,
  prevHash: entry.prevHash,
  entryHash: entry.entryHash,
  recordedAt: entry.recordedAt,
  type: entry.type,
  payloadJson: entry.payloadJson,
  receivedAt: entry.receivedAt,
  integrity,
});

const checkAnswer = (check: LogCheckRecord) => ({ ...check, progress: check.headSeq === 0 ? 1 : Math.min(1, check.checkedThrough / check.headSeq) });

export function registerSupportLogRoutes(app: ServerInstance, context: SupportLogContext): void {
  const { repository, checks, rechecker } = context;

  async function enrolledBench(benchId: string): Promise<BenchRecord> {
    const bench = await repository.bench(benchId);
    if (!bench) throw new ServerError('NOT_FOUND', `No bench ${benchId} is enrolled with this server.`);
    return bench;
  }

  app.get(supportLogPath(':benchId'), tokenRoute('admin', 'support'), async (request, reply) => {
    const { benchId } = parseInput(benchParamsSchema, request.params, 'bench id');
    const { fromSeq, limit } = parseInput(supportQuerySchema, request.query, 'query');
    const bench = await enrolledBench(benchId);
    const [page, lastCheck] = await Promise.all([repository.logPage(benchId, fromSeq, limit), checks.lastVerdict(benchId)]);
    const checked = pageVerdict(bench, page, fromSeq, limit);
    const recheckFault = lastCheck?.verdict && !lastCheck.verdict.ok ? lastCheck.verdict : null;
    const brokenFrom = Math.min(recheckFault?.seq ?? Infinity, checked.ok ? Infinity : checked.seq);
    const head = Number(bench.head_seq);
    const sealedThrough = Number(bench.sealed_through);
    // The whole log's verdict: ingest's, unless the last re-check or this page found the stored copy altered.
    const integrity: LogVerdict = recheckFault ?? (checked.ok ? { ok: true, entries: head, headHash: bench.head_hash, sealedThrough, unsealedEntries: head - sealedThrough } : checked);
    const integrities = entryIntegrities(page, brokenFrom);
    const answer = {
      benchId,
      benchStatus: bench.status,
      integrity,
      lastCheck: lastCheck ? { checkId: lastCheck.checkId, finishedAt: lastCheck.finishedAt, verdict: lastCheck.verdict } : null,
      sealingCheckpoint: page.sealing,
      entries: page.entries.map((entry, index) => entryAnswer(entry, integrities[index])),
      nextFromSeq: fromSeq + limit <= head ? fromSeq + limit : null,
    };
    return reply.type('application/json; charset=utf-8').send(jsonBytesWithArray(answer, 'entries'));
  });

  app.post(adminLogChecksPath(':benchId'), tokenRoute('admin'), async (request, reply) => {
    const { benchId } = parseInput(benchParamsSchema, request.params, 'bench id');
    const check = await rechecker.start(benchId);
    return reply.code(202).send(checkAnswer(check));
  });

  app.get(adminLogChecksPath(':benchId'), tokenRoute('admin', 'support'), async (request) => {
    const { benchId } = parseInput(benchParamsSchema, request.params, 'bench id');
    await enrolledBench(benchId);
    await rechecker.settleInterrupted(benchId);
    return { checks: (await checks.checks(benchId, LISTED_CHECKS)).map(checkAnswer) };
  });

  app.get(`${adminLogChecksPath(':benchId')}/:checkId`, tokenRoute('admin', 'support'), async (request) => {
    const { benchId, checkId } = parseInput(checkParamsSchema, request.params, 'log check');
    await rechecker.settleInterrupted(benchId);
    const check = await checks.check(benchId, checkId);
    if (!check) throw new ServerError('NOT_FOUND', `No log check ${checkId} of bench ${benchId}.`);
    return checkAnswer(check);
  });
}
