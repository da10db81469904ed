/**
 * Log batches that reach the repository together share one transaction on SQLite (group commit) and run
 * in parallel transactions on PostgreSQL. Either way each batch is all or nothing on its own: a refused
 * batch leaves no row behind, its neighbours are stored, and every caller hears its own outcome. On SQLite
 * the repository is built as the server builds it: the log is flushed off the event loop before an answer.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { ServerRepository } from '../../server/store/server-repository';
import { GENESIS_HASH, entryHash } from '../../common/integrity-log/log-format';
import { describeEachDialect, useTestRepository } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import type { LogEntryRecord } from '../../common/integrity-log/records';

function chain(count: number): LogEntryRecord[] {
  const entries: LogEntryRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const fields = { seq, prevHash, recordedAt: '2026-11-22T08:00:00.000Z', type: 'session.step', payloadJson: JSON.stringify({ seq }) };
    const hash = entryHash(fields);
    entries.push({ ...fields, entryHash: hash });
    prevHash = hash;
  }
  return entries;
}

describeEachDialect('log batches committed together', (dialect) => {
  const tempDir = useTempDirs();
  const store = useTestRepository(dialect, tempDir);
  const enrol = (benchId: string) => store.enrol(benchId);

  it('stores the accepted batches and none of a refused one, answering each caller with its own outcome', async () => {
    const benchIds = Array.from({ length: 12 }, (_, i) => `bench-group-${i}`);
    for (const benchId of benchIds) await enrol(benchId);
    const entries = chain(40);
    const outcomes = await Promise.allSettled(
      benchIds.map((benchId, index) =>
        store.repository.withBenchLocked(benchId, async (tx) => {
          await tx.rememberNonce(`nonce-${index}`, new Date().toISOString());
          await tx.append({ head: { seq: 40, hash: entries[39]?.entryHash ?? '', sealedThrough: 0 }, entries, checkpoints: [], receivedAt: new Date().toISOString() });
          // Every third batch is refused after it wrote: its rows and nonce must not survive.
          if (index % 3 === 2) throw new Error(`refused ${benchId}`);
          return benchId;
        }),
      ),
    );
    for (const [index, outcome] of outcomes.entries()) {
      const benchId = benchIds[index] as string;
      const stored = await store.repository.entries(benchId, 1, 100);
      const head = await store.repository.bench(benchId);
      if (index % 3 === 2) {
        expect(outcome).toEqual({ status: 'rejected', reason: new Error(`refused ${benchId}`) });
        expect(stored).toHaveLength(0);
        expect(Number(head?.head_seq)).toBe(0);
        // The nonce went with the refused batch: the same request may be sent again.
        expect(await store.repository.rememberNonce(benchId, `nonce-${index}`, new Date().toISOString())).toBe(true);
      } else {
        expect(outcome).toEqual({ status: 'fulfilled', value: benchId });
        expect(stored.map((e) => e.entryHash)).toEqual(entries.map((e) => e.entryHash));
        expect(Number(head?.head_seq)).toBe(40);
        expect(await store.repository.rememberNonce(benchId, `nonce-${index}`, new Date().toISOString())).toBe(false);
      }
    }
  });

  it('lets a second batch for the same bench see the first one, committed or not yet', async () => {
    await enrol('bench-twice');
    const entries = chain(20);
    const appendTen = () =>
      store.repository.withBenchLocked('bench-twice', async (tx) => {
        const head = tx.bench.head_seq;
        await tx.append({ head: { seq: head + 10, hash: entries[head + 9]?.entryHash ?? '', sealedThrough: 0 }, entries: entries.slice(head, head + 10), checkpoints: [], receivedAt: 'now' });
        return head;
      });
    const heads = await Promise.all([appendTen(), appendTen()]);
    expect(heads.sort((a, b) => a - b)).toEqual([0, 10]);
    expect((await store.repository.entries('bench-twice', 1, 100)).map((e) => e.seq)).toEqual(entries.map((e) => e.seq));
  });

  // PostgreSQL flushes its own WAL at COMMIT: this is SQLite's deferred flush only.
  if (dialect === 'sqlite') it('acknowledges nothing once flushing the log failed, not even later batches', async () => {
    await enrol('bench-unflushed');
    const entries = chain(20);
    // A log file that cannot be opened stands for a disk that fails its fsync.
    const failing = new ServerRepository(store.opened.db, store.opened.dialect, { walFile: path.join(tempDir(), 'missing', 'server.sqlite-wal') });
    const appendTen = (from: number) =>
      failing.withBenchLocked('bench-unflushed', async (tx) => {
        await tx.append({ head: { seq: from + 10, hash: entries[from + 9]?.entryHash ?? '', sealedThrough: 0 }, entries: entries.slice(from, from + 10), checkpoints: [], receivedAt: 'now' });
        return from;
      });
    await expect(appendTen(0)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/could not make the batch durable.*Nothing was acknowledged/s) });
    await expect(appendTen(10)).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('check the disk and restart the server') });
    await failing.close();
  });
});
