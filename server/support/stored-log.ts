/**
 * Re-verifies the server's stored copy of a bench's log, a page at a time (the verifier's `after` option
 * chains the pages), so support reads prove the server's own database was not altered without ever
 * holding a whole log in memory.
 */
import { GENESIS_HASH } from '../../common/integrity-log/log-format';
import { verifyIntegrityLog, type LogVerdict } from '../../common/integrity-log/verify-log';
import type { BenchRecord, ServerRepository } from '../store/server-repository';

export const VERIFY_PAGE_ENTRIES = 5000;

export async function verifyStoredLog(repository: ServerRepository, bench: BenchRecord, pageSize = VERIFY_PAGE_ENTRIES): Promise<LogVerdict> {
  const checkpoints = await repository.checkpoints(bench.bench_id);
  let after: { seq: number; entryHash: string } | undefined;
  // Bounded by the stored head: one page per pageSize entries, plus the final short page.
  const maxPages = Math.ceil(Number(bench.head_seq) / pageSize) + 1;
  for (let pageIndex = 0; pageIndex < maxPages; pageIndex += 1) {
    const page = await repository.entries(bench.bench_id, (after?.seq ?? 0) + 1, pageSize);
    const first = page[0];
    const last = page.at(-1);
    const isLastPage = page.length < pageSize;
    // The last page also takes every later checkpoint, so a checkpoint past the end is caught (TRUNCATED).
    const pageCheckpoints = checkpoints.filter((c) => c.seq > (after?.seq ?? 0) && (isLastPage || c.seq <= (last?.seq ?? 0)));
    if (first || pageCheckpoints.length > 0) {
      const verdict = verifyIntegrityLog({ benchId: bench.bench_id, publicKey: bench.public_key, entries: page, checkpoints: pageCheckpoints, after });
      if (!verdict.ok) return verdict;
    }
    if (last) after = { seq: last.seq, entryHash: last.entryHash };
    if (isLastPage) break;
  }
  const entries = after?.seq ?? 0;
  const sealedThrough = checkpoints.at(-1)?.seq ?? 0;
  return { ok: true, entries, headHash: after?.entryHash ?? GENESIS_HASH, sealedThrough, unsealedEntries: entries - sealedThrough };
}
