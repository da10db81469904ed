import Database from 'better-sqlite3';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_KEY_FILE, loadOrCreateBenchIdentity } from '../../../electron/services/identity/bench-identity';
import { encodeBase64, generateKeyPair } from '../../../trust/ed25519';
import { IntegrityLog, MAX_PAYLOAD_BYTES } from '../../../electron/services/integrity-log/integrity-log';
import { entryHash } from '../../../common/integrity-log/log-format';
import { checkCheckpointSignatures, verifyIntegrityLog } from '../../../common/integrity-log/verify-log';
import { openBenchStore, STORE_FILE_NAME } from '../../../electron/services/store/bench-store';
import { tamperWith } from '../../helpers/tamper';
import { useTempDirs } from '../../helpers/temp-dir';

/** A bench with ten entries, sealed after entry 6, four unsealed entries after it. */
function benchWithLog(dataDir: string) {
  const store = openBenchStore(dataDir);
  const identity = loadOrCreateBenchIdentity(dataDir, store);
  const log = new IntegrityLog(store.integrityLog, identity);
  for (let step = 1; step <= 6; step += 1) log.append('session.step', { step, measured: step * 1.5 });
  log.checkpoint();
  for (let step = 7; step <= 10; step += 1) log.append('session.step', { step });
  store.close();
  return identity;
}

function readLog(dataDir: string, publicKey?: string) {
  const store = openBenchStore(dataDir, { readonly: true });
  const identity = store.identity.get();
  if (!identity) throw new Error('no identity');
  try {
    return { benchId: identity.benchId, publicKey: publicKey ?? identity.publicKey, entries: [...store.integrityLog.entries()], checkpoints: store.integrityLog.checkpoints() };
  } finally {
    store.close();
  }
}

/** The central server's way: signatures checked on the thread pool first, the walk given their verdicts. */
async function verifyDirOffThread(dataDir: string, publicKey?: string) {
  const log = readLog(dataDir, publicKey);
  return verifyIntegrityLog(log, await checkCheckpointSignatures(log));
}

function verifyDir(dataDir: string, publicKey?: string) {
  const store = openBenchStore(dataDir, { readonly: true });
  const identity = store.identity.get();
  if (!identity) throw new Error('no identity');
  try {
    return verifyIntegrityLog({
      benchId: identity.benchId,
      publicKey: publicKey ?? identity.publicKey,
      entries: [...store.integrityLog.entries(3)],
      checkpoints: store.integrityLog.checkpoints(),
    });
  } finally {
    store.close();
  }
}

describe('integrity log', () => {
  const tempDir = useTempDirs();

  it('verifies an untouched log and reports what is sealed', () => {
    const dir = tempDir();
    benchWithLog(dir);
    expect(verifyDir(dir)).toMatchObject({ ok: true, entries: 10, sealedThrough: 6, unsealedEntries: 4 });
  });

  it('refuses updates and deletes through SQL triggers', () => {
    const dir = tempDir();
    benchWithLog(dir);
    const db = new Database(path.join(dir, STORE_FILE_NAME));
    expect(() => db.prepare("UPDATE integrity_log SET payload_json = '{}' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM integrity_log WHERE seq = 10').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM integrity_checkpoints').run()).toThrow(/append-only/);
    db.close();
  });

  it('names the edited entry', () => {
    const dir = tempDir();
    benchWithLog(dir);
    tamperWith(dir, (db) => db.prepare(`UPDATE integrity_log SET payload_json = '{"step":3,"measured":99}' WHERE seq = 3`).run());
    expect(verifyDir(dir)).toMatchObject({ ok: false, code: 'ENTRY_ALTERED', seq: 3 });
  });

  it('names a deleted entry', () => {
    const dir = tempDir();
    benchWithLog(dir);
    tamperWith(dir, (db) => db.prepare('DELETE FROM integrity_log WHERE seq = 8').run());
    expect(verifyDir(dir)).toMatchObject({ ok: false, code: 'ENTRY_MISSING', seq: 8 });
  });

  it('detects reordered entries', () => {
    const dir = tempDir();
    benchWithLog(dir);
    tamperWith(dir, (db) => {
      db.prepare('UPDATE integrity_log SET seq = 100 WHERE seq = 4').run();
      db.prepare('UPDATE integrity_log SET seq = 4 WHERE seq = 5').run();
      db.prepare('UPDATE integrity_log SET seq = 5 WHERE seq = 100').run();
    });
    expect(verifyDir(dir)).toMatchObject({ ok: false, code: 'CHAIN_BROKEN', seq: 4 });
  });

  it('detects truncation before a checkpoint', () => {
    const dir = tempDir();
    benchWithLog(dir);
    tamperWith(dir, (db) => db.prepare('DELETE FROM integrity_log WHERE seq >= 5').run());
    expect(verifyDir(dir)).toMatchObject({ ok: false, code: 'TRUNCATED', seq: 5 });
  });

  it('detects a fork: a rewritten history with recomputed hashes', () => {
    const dir = tempDir();
    benchWithLog(dir);
    tamperWith(dir, (db) => {
      const rows = db.prepare<[], { seq: number; prev_hash: string; recorded_at: string; type: string; payload_json: string }>('SELECT * FROM integrity_log ORDER BY seq').all();
      let prevHash = rows[0]?.prev_hash ?? '';
      const rewrite = db.prepare('UPDATE integrity_log SET prev_hash = ?, entry_hash = ?, payload_json = ? WHERE seq = ?');
      for (const row of rows) {
        const payloadJson = row.seq === 2 ? '{"step":2,"measured":3.1}' : row.payload_json;
        const hash = entryHash({ seq: row.seq, prevHash, recordedAt: row.recorded_at, type: row.type, payloadJson });
        rewrite.run(prevHash, `tmp-${row.seq}`, payloadJson, row.seq);
        rewrite.run(prevHash, hash, payloadJson, row.seq);
        prevHash = hash;
      }
    });
    expect(verifyDir(dir)).toMatchObject({ ok: false, code: 'CHECKPOINT_MISMATCH', seq: 6 });
  });

  it('refuses checkpoints that the expected key did not sign', () => {
    const dir = tempDir();
    benchWithLog(dir);
    const stranger = encodeBase64(generateKeyPair().publicKey);
    expect(verifyDir(dir, stranger)).toMatchObject({ ok: false, code: 'BAD_CHECKPOINT_SIGNATURE', seq: 6 });
    expect(verifyDir(dir, 'not base64!')).toMatchObject({ ok: false, code: 'BAD_CHECKPOINT_SIGNATURE' });
    tamperWith(dir, (db) => db.prepare("UPDATE integrity_checkpoints SET signature = 'AAAA'").run());
    expect(verifyDir(dir)).toMatchObject({ ok: false, code: 'BAD_CHECKPOINT_SIGNATURE', seq: 6 });
  });

  it('gives the same verdicts when the signatures are checked on the thread pool', async () => {
    const dir = tempDir();
    benchWithLog(dir);
    await expect(verifyDirOffThread(dir)).resolves.toMatchObject({ ok: true, entries: 10, sealedThrough: 6 });
    await expect(verifyDirOffThread(dir, encodeBase64(generateKeyPair().publicKey))).resolves.toMatchObject({ ok: false, code: 'BAD_CHECKPOINT_SIGNATURE', seq: 6 });
    await expect(verifyDirOffThread(dir, 'not base64!')).resolves.toMatchObject({ ok: false, code: 'BAD_CHECKPOINT_SIGNATURE', seq: 6 });
    // A signature of the right length over another message: well-formed, and still refused.
    tamperWith(dir, (db) => db.prepare("UPDATE integrity_checkpoints SET signed_at = '2020-01-01T00:00:00.000Z'").run());
    await expect(verifyDirOffThread(dir)).resolves.toMatchObject({ ok: false, code: 'BAD_CHECKPOINT_SIGNATURE', seq: 6 });
  });

  it('refuses malformed entry types and oversized payloads without writing', () => {
    const dir = tempDir();
    const store = openBenchStore(dir);
    const log = new IntegrityLog(store.integrityLog, loadOrCreateBenchIdentity(dir, store));
    expect(() => log.append('Bad Type\nx', {})).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => log.append('big', { blob: 'x'.repeat(MAX_PAYLOAD_BYTES) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(store.integrityLog.head()).toBeNull();
    expect(log.checkpoint()).toBeNull();
    store.close();
  });
});

describe('bench identity', () => {
  const tempDir = useTempDirs();

  it('makes a key at first start, private to its owner, and keeps the bench id across restarts', () => {
    const dir = tempDir();
    const store = openBenchStore(dir);
    const first = loadOrCreateBenchIdentity(dir, store);
    expect(first.benchId).toMatch(/^bench-[0-9a-f]{16}$/);
    expect(statSync(path.join(dir, BENCH_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = loadOrCreateBenchIdentity(dir, store);
    expect(again.benchId).toBe(first.benchId);
    expect(again.publicKey).toBe(first.publicKey);
    store.close();
  });

  it('refuses a key file readable by others, or one that does not match the stored identity', () => {
    const dir = tempDir();
    const store = openBenchStore(dir);
    loadOrCreateBenchIdentity(dir, store);
    const keyFile = path.join(dir, BENCH_KEY_FILE);
    chmodSync(keyFile, 0o644);
    expect(() => loadOrCreateBenchIdentity(dir, store)).toThrow(/readable by other users/);
    chmodSync(keyFile, 0o600);
    writeFileSync(keyFile, `${encodeBase64(generateKeyPair().secretKey)}\n`);
    expect(() => loadOrCreateBenchIdentity(dir, store)).toThrow(/does not match/);
    writeFileSync(keyFile, 'garbage\n');
    expect(() => loadOrCreateBenchIdentity(dir, store)).toThrow(/not a valid Ed25519 key/);
    store.close();
  });
});
