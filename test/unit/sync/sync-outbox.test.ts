import { describe, expect, it } from 'vitest';
import { verifyIntegrityLog } from '../../../common/integrity-log/verify-log';
import { SyncError, retryAfterMs, retryDelayMs } from '../../../common/central-api/client';
import { parseDatabaseUrl, redactUrl } from '../../../server/store/database';
import { freePort } from '../../helpers/central-server';
import { useTempDirs } from '../../helpers/temp-dir';
import { openTestBench } from '../../helpers/test-bench';

describe('sync outbox', () => {
  const tempDir = useTempDirs();

  it('bounds each batch by entries and by bytes, and has nothing to send when all is acknowledged', () => {
    const byCount = openTestBench(tempDir(), { maxBatchEntries: 7 });
    const byBytes = openTestBench(tempDir(), { maxBatchBytes: 1500 });
    try {
      expect(byCount.outbox.nextBatch()).toBeNull();
      byCount.append(20, 5);
      const batch = byCount.outbox.nextBatch();
      expect(batch?.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(batch?.checkpoints.map((c) => c.seq)).toEqual([5]);

      byBytes.append(20);
      const small = byBytes.outbox.nextBatch();
      const size = JSON.stringify(small?.entries).length;
      expect(small?.entries.length).toBeGreaterThan(1);
      expect(small?.entries.length).toBeLessThan(20);
      expect(size).toBeLessThanOrEqual(1500 + 100);
      expect(byBytes.outbox.backlog()).toMatchObject({ headSeq: 20, unsentEntries: 20, ackedEntrySeq: 0, serverUrl: null });
    } finally {
      byCount.close();
      byBytes.close();
    }
  });

  it('waits a random time under an exponentially growing, capped ceiling (full jitter)', () => {
    const nearlyOne = openTestBench(tempDir(), { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 });
    const zero = openTestBench(tempDir(), { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
    try {
      expect([1, 2, 3, 4, 5, 6].map((n) => nearlyOne.outbox.retryDelayMs(n))).toEqual([99, 199, 399, 799, 999, 999]);
      expect(zero.outbox.retryDelayMs(4)).toBe(0);
    } finally {
      nearlyOne.close();
      zero.close();
    }
  });

  it("waits what a shedding server asks (Retry-After) plus jitter up to as much again, read as seconds or a date", () => {
    const bench = openTestBench(tempDir(), { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 });
    try {
      const shed = new SyncError('OVERLOADED', 'busy', true, 429, retryAfterMs('2'));
      expect(bench.outbox.retryDelayMs(1, shed)).toBe(3000);
      expect(retryDelayMs(shed, 1, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0)).toBe(2000);
      expect(retryAfterMs('Sat, 05 Dec 2026 08:00:30 GMT', new Date('2026-12-05T08:00:00Z'))).toBe(30_000);
      expect(retryAfterMs('999999')).toBe(600_000);
      expect(retryAfterMs('soon')).toBeUndefined();
      expect(retryAfterMs(null)).toBeUndefined();
    } finally {
      bench.close();
    }
  });

  it('refuses to push before enrolment, with a typed error that blocks', async () => {
    const bench = openTestBench(tempDir());
    try {
      bench.append(2);
      await expect(bench.outbox.pushOnce()).rejects.toMatchObject({ code: 'NOT_ENROLLED', retryable: false });
      expect(bench.outbox.backlog()).toMatchObject({ blocked: true, unsentEntries: 2, lastError: { code: 'NOT_ENROLLED' } });
    } finally {
      bench.close();
    }
  });

  it('retries an unreachable server a bounded number of times with backoff, and keeps every entry', async () => {
    const delays: number[] = [];
    const bench = openTestBench(tempDir(), { baseDelayMs: 100, maxDelayMs: 800, random: () => 0.5, sleep: async (ms) => void delays.push(ms) });
    try {
      bench.append(5);
      // A port nobody listens on: enrolment is recorded directly, as if the server had since gone away.
      bench.store.syncState.setEnrolment(`http://127.0.0.1:${await freePort()}`, new Date().toISOString(), new Date().toISOString());
      const outcome = await bench.outbox.drain({ maxAttempts: 5 });
      expect(outcome).toMatchObject({ stopped: 'attempts', attempts: 5, batches: 0 });
      expect(outcome.lastError).toBeInstanceOf(SyncError);
      expect(outcome.lastError).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
      expect(delays).toEqual([50, 100, 200, 400]);
      expect(bench.outbox.backlog()).toMatchObject({ unsentEntries: 5, consecutiveFailures: 5, blocked: false, lastError: { code: 'NETWORK_ERROR' } });
      expect(bench.localEntries()).toHaveLength(5);
    } finally {
      bench.close();
    }
  });

  it('resumes from the position kept in the bench store after a restart', () => {
    const dataDir = tempDir();
    const first = openTestBench(dataDir, { maxBatchEntries: 4 });
    first.append(10);
    const batch = first.outbox.nextBatch();
    const last = batch?.entries.at(-1);
    if (!last) throw new Error('no batch');
    first.store.syncState.recordAck({ entrySeq: last.seq, entryHash: last.entryHash, checkpointSeq: 0 }, new Date().toISOString());
    first.close();
    const reopened = openTestBench(dataDir, { maxBatchEntries: 4 });
    try {
      expect(reopened.outbox.backlog()).toMatchObject({ ackedEntrySeq: 4, unsentEntries: 6 });
      expect(reopened.outbox.nextBatch()?.entries.map((e) => e.seq)).toEqual([5, 6, 7, 8]);
    } finally {
      reopened.close();
    }
  });
});

describe('continuation verification (the server checks a batch against its last acknowledged entry)', () => {
  const tempDir = useTempDirs();

  it('accepts a continuation that links to the anchor and refuses one that does not', () => {
    const bench = openTestBench(tempDir());
    try {
      bench.append(8, 4);
      const entries = bench.localEntries();
      const checkpoints = bench.localCheckpoints();
      const anchor = entries[3];
      if (!anchor) throw new Error('no anchor');
      const base = { benchId: bench.identity.benchId, publicKey: bench.identity.publicKey };
      expect(verifyIntegrityLog({ ...base, entries: entries.slice(4), checkpoints: checkpoints.filter((c) => c.seq > 4), after: anchor })).toMatchObject({
        ok: true,
        entries: 8,
        sealedThrough: 8,
      });
      expect(verifyIntegrityLog({ ...base, entries: entries.slice(4), checkpoints: [], after: { seq: 4, entryHash: 'f'.repeat(64) } })).toMatchObject({
        ok: false,
        code: 'CHAIN_BROKEN',
        seq: 5,
      });
      expect(verifyIntegrityLog({ ...base, entries: entries.slice(4), checkpoints, after: anchor })).toMatchObject({ ok: false, code: 'CHECKPOINT_MISMATCH', seq: 4 });
      expect(verifyIntegrityLog({ ...base, entries: entries.slice(5), checkpoints: [], after: anchor })).toMatchObject({ ok: false, code: 'ENTRY_MISSING', seq: 5 });
    } finally {
      bench.close();
    }
  });
});

describe('server database URLs', () => {
  it('reads sqlite: and postgres:// URLs and refuses others by name, without echoing passwords', () => {
    expect(parseDatabaseUrl('sqlite:/var/lib/injbench/server.sqlite')).toEqual({ dialect: 'sqlite', target: '/var/lib/injbench/server.sqlite' });
    expect(parseDatabaseUrl('postgres://u:secret@127.0.0.1:5432/db')).toEqual({ dialect: 'postgres', target: 'postgres://u:secret@127.0.0.1:5432/db' });
    expect(() => parseDatabaseUrl('mysql://u:secret@h/db')).toThrow(/Unsupported database URL "mysql:\/\/u:\*\*\*@h\/db"/);
    expect(redactUrl('postgresql://user:pa:ss@host/db')).toBe('postgresql://user:***@host/db');
  });
});
