/**
 * How a log batch is written: optimistically, against the head the request was authenticated with (one
 * statement on PostgreSQL), and judged again under the bench's lock when that head has moved. The session
 * index is merged with its stored rows in SQL; on PostgreSQL the entries travel as binary arrays. Each with
 * SQLite and with PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { GENESIS_HASH, entryHash } from '../../common/integrity-log/log-format';
import { binaryArray } from '../../server/store/postgres-binary-array';
import type { BenchRecord } from '../../server/store/server-repository';
import { SessionIndexRepository } from '../../server/store/session-index-repository';
import { extractFacts, sessionUpsert } from '../../server/store/session-indexer';
import { Statement } from '../../server/store/statement';
import { ingestLogBatch } from '../../server/sync/log-ingest';
import { describeEachDialect, useTestRepository } from '../helpers/server-db';
import { silentLogger } from '../helpers/silent-logger';
import { useTempDirs } from '../helpers/temp-dir';
import type { LogEntryRecord } from '../../common/integrity-log/records';

const at = (second: number) => new Date(Date.UTC(2026, 10, 22, 8, 0, second)).toISOString();

/** A valid chain of entries, each a [type, payload] pair, continuing after `after`. */
function chain(payloads: readonly (readonly [string, Record<string, unknown>])[], after: { seq: number; entryHash: string } = { seq: 0, entryHash: GENESIS_HASH }): LogEntryRecord[] {
  const entries: LogEntryRecord[] = [];
  let prevHash = after.entryHash;
  for (const [i, [type, payload]] of payloads.entries()) {
    const seq = after.seq + i + 1;
    const fields = { seq, prevHash, recordedAt: at(seq), type, payloadJson: JSON.stringify(payload) };
    const hash = entryHash(fields);
    entries.push({ ...fields, entryHash: hash });
    prevHash = hash;
  }
  return entries;
}

const steps = (sessionId: string, count: number) => Array.from({ length: count }, (_, i) => ['session.step', { sessionId, id: `step-${i}` }] as const);

describeEachDialect('log batches appended', (dialect) => {
  const tempDir = useTempDirs();
  const store = useTestRepository(dialect, tempDir);
  const enrol = (benchId: string) => store.enrol(benchId);

  /** Appends entries after the bench's stored head, as the optimistic path does. */
  async function append(benchId: string, entries: LogEntryRecord[], nonce = randomBytes(16).toString('hex')) {
    const bench = await store.repository.bench(benchId);
    const last = entries.at(-1);
    if (!bench || !last) throw new Error('no bench or no entries');
    return store.repository.appendLogBatch(benchId, nonce, {
      expectedHead: { seq: Number(bench.head_seq), hash: bench.head_hash },
      head: { seq: last.seq, hash: last.entryHash, sealedThrough: 0 },
      entries,
      checkpoints: [],
      receivedAt: new Date().toISOString(),
    });
  }

  it('merges a session across batches with what is stored: start, steps, end, and an end without a start', async () => {
    await enrol('bench-merge');
    const first = chain([
      ['session.started', { sessionId: 'ses-1', partNumber: 'SYN-1', serial: null }],
      ...steps('ses-1', 2),
      ['session.aborted', { sessionId: 'ses-crashed', reason: 'INTERRUPTED', partNumber: 'SYN-9', serial: 'INJ-9' }],
      ['packs.activate', { family: 'fam', version: '1.1.0', sha256: 'a'.repeat(64) }],
    ]);
    expect(await append('bench-merge', first)).toBe('appended');
    const second = chain(
      [
        ...steps('ses-1', 2),
        ['session.completed', { sessionId: 'ses-1', verdict: 'pass', serial: 'INJ-1', partNumber: 'SYN-OTHER', pack: { family: 'fam', version: '1.1.0', sha256: 'a'.repeat(64) } }],
        ['session.step', { sessionId: 'ses-1', id: 'after-the-end' }],
      ],
      { seq: 5, entryHash: first[4]?.entryHash ?? '' },
    );
    expect(await append('bench-merge', second)).toBe('appended');

    const sessions = new SessionIndexRepository(store.repository);
    expect(await sessions.session('bench-merge', 'ses-1')).toMatchObject({
      // The part from the start wins; the serial the start lacked comes from the end.
      partNumber: 'SYN-1',
      serial: 'INJ-1',
      startedAt: at(1),
      endedAt: at(8),
      outcome: 'passed',
      errorClass: null,
      family: 'fam',
      packVersion: '1.1.0',
      firstSeq: 1,
      lastSeq: 9,
    });
    // Closed after a crash: no start, so its start is its end.
    expect(await sessions.session('bench-merge', 'ses-crashed')).toMatchObject({ startedAt: at(4), endedAt: at(4), outcome: 'aborted', errorClass: 'INTERRUPTED', serial: 'INJ-9', partNumber: 'SYN-9', firstSeq: 4, lastSeq: 4 });
    const activations = await sql<{ seq: number; version: string }>`SELECT seq, version FROM release_activations`.execute(store.opened.db);
    expect(activations.rows.map((r) => [Number(r.seq), r.version])).toEqual([[5, '1.1.0']]);
  });

  it('writes nothing when the head moved, the bench was revoked or the nonce was used', async () => {
    const bench = await enrol('bench-moved');
    const entries = chain(steps('ses-1', 6));
    expect(await append('bench-moved', entries.slice(0, 3), 'nonce-1')).toBe('appended');
    // Verified against the head before the first append: that head is gone.
    const stale = await store.repository.appendLogBatch('bench-moved', 'nonce-2', {
      expectedHead: { seq: Number(bench.head_seq), hash: bench.head_hash },
      head: { seq: 3, hash: entries[2]?.entryHash ?? '', sealedThrough: 0 },
      entries: entries.slice(0, 3),
      checkpoints: [],
      receivedAt: new Date().toISOString(),
    });
    expect(stale).toBe('head-moved');
    expect(await append('bench-moved', entries.slice(3), 'nonce-1')).toBe('replayed');
    // Neither refusal kept its nonce or a row.
    expect(await store.repository.rememberNonce('bench-moved', 'nonce-2', new Date().toISOString())).toBe(true);
    expect((await store.repository.entries('bench-moved', 1, 100)).map((e) => e.seq)).toEqual([1, 2, 3]);
    // A checkpoint that came later with its entry sealed through 3 without moving the head; a batch verified
    // against that same head before it knew does not lower the seal.
    await store.repository.withBenchLocked('bench-moved', (tx) =>
      tx.append({ head: { seq: 3, hash: entries[2]?.entryHash ?? '', sealedThrough: 3 }, entries: [], checkpoints: [], receivedAt: new Date().toISOString() }),
    );
    expect(await append('bench-moved', entries.slice(3, 4), 'nonce-4')).toBe('appended');
    expect(Number((await store.repository.bench('bench-moved'))?.sealed_through)).toBe(3);
    await store.repository.revoke('bench-moved', 'stolen', new Date().toISOString());
    expect(await append('bench-moved', entries.slice(4), 'nonce-3')).toBe('head-moved');
    expect((await store.repository.entries('bench-moved', 1, 100)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(Number((await store.repository.bench('bench-moved'))?.head_seq)).toBe(4);
  });

  it('judges a batch again under the lock when the head it was authenticated with has moved', async () => {
    const authenticated = await enrol('bench-stale');
    const entries = chain(steps('ses-1', 4));
    const batch = { entries, checkpoints: [] };
    const ingest = (bench: BenchRecord, nonce: string) => ingestLogBatch(store.repository, bench, batch, () => new Date(), silentLogger(), nonce);
    await expect(ingest(authenticated, 'nonce-a')).resolves.toMatchObject({ throughSeq: 4 });
    // The same batch sent again by a request authenticated before the first one landed: acknowledged again, stored once.
    await expect(ingest(authenticated, 'nonce-b')).resolves.toMatchObject({ throughSeq: 4, throughHash: entries[3]?.entryHash });
    expect(await store.repository.entries('bench-stale', 1, 100)).toHaveLength(4);
    // Revoked after the request was authenticated: refused under the lock, nothing stored.
    await store.repository.revoke('bench-stale', 'stolen', new Date().toISOString());
    const more = chain(steps('ses-1', 2), { seq: 4, entryHash: entries[3]?.entryHash ?? '' });
    const current = { ...authenticated, head_seq: 4, head_hash: entries[3]?.entryHash ?? '' };
    await expect(ingestLogBatch(store.repository, current, { entries: more, checkpoints: [] }, () => new Date(), silentLogger(), 'nonce-c')).rejects.toMatchObject({ code: 'BENCH_REVOKED' });
    expect(await store.repository.entries('bench-stale', 1, 100)).toHaveLength(4);
  });

  if (dialect === 'postgres') {
    it("looks up each of a batch's sessions by its key, however many sessions the bench has stored", async () => {
      await enrol('bench-history');
      // A long history the planner has no statistics for yet (no ANALYZE since): the case that hashed it all.
      await sql`INSERT INTO session_index (bench_id, session_id, outcome, first_seq, last_seq)
        SELECT 'bench-history', 'ses-old-' || n, 'passed', n, n FROM generate_series(1, 5000) AS n`.execute(store.opened.db);
      const { sessions } = extractFacts(chain([...steps('ses-new-1', 2), ...steps('ses-old-7', 2)], { seq: 6000, entryHash: GENESIS_HASH }));
      const statement = new Statement('postgres');
      const upsert = statement.compile(sessionUpsert(statement, 'bench-history', [...sessions.values()], 'true'));
      const explained = await store.opened.db.executeQuery<{ 'QUERY PLAN': unknown }>(statement.compile(`EXPLAIN (FORMAT JSON) ${upsert.sql}`));
      type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] };
      const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
      const plan = (explained.rows[0]?.['QUERY PLAN'] as { Plan: PlanNode }[])[0]?.Plan;
      if (!plan) throw new Error('no plan');
      const reads = nodes(plan).filter((node) => node['Relation Name'] === 'session_index' && node['Node Type'] !== 'ModifyTable');
      expect(reads.map((node) => [node['Node Type'], node['Index Name']])).toEqual([['Index Scan', 'session_index_pk']]);
      expect(nodes(plan).map((node) => node['Node Type'])).not.toContain('Hash Join');
    });

    it('carries text and integers through binary arrays exactly, quotes, backslashes and all', async () => {
      const texts = ['', '"quoted" \\ back\\slash', '{"sessionId":"a\\"b"}', 'NULL', 'line\nbreak\ttab', 'ünïcödé ✓ 𝄞', 'x'.repeat(70_000)];
      const integers = [0, 1, -1, 2_147_483_647, -2_147_483_648];
      const read = await sql<{ t: string[]; i: number[] }>`SELECT ${binaryArray('text', texts)}::text[] AS t, ${binaryArray('integer', integers)}::integer[] AS i`.execute(store.opened.db);
      expect(read.rows[0]).toEqual({ t: texts, i: integers });
    });
  }
});
