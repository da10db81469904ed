/**
 * kill -9 during coding sessions at random moments, 50 times: after each restart the log verifies,
 * every issued code has exactly its debit and every debit its code, nothing is left running, and no
 * session the process reported as done is lost.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyIntegrityLog } from '../../common/integrity-log/verify-log';
import { openBenchStore, STORE_FILE_NAME } from '../../electron/services/store/bench-store';
import { bundledRootFile } from '../helpers/bundled-root';
import { runUntilKilled } from '../helpers/kill-9';
import { runCli, startSimProcess, type SimProcess } from '../helpers/sim-process';

const fixture = path.resolve('test/fixtures/sessions-until-killed.ts');
const RUNS = 50;

async function runThenKill(dataDir: string, port: string, delayMs: number): Promise<{ done: Map<string, string>; interrupted: string[] }> {
  const done = new Map<string, string>();
  const interrupted: string[] = [];
  await runUntilKilled({
    script: fixture,
    args: [dataDir, port, bundledRootFile],
    killAfterMs: delayMs,
    // The process prints nothing before its first session ends, so the clock starts at spawn: kills
    // land in start-up, mid-session and between sessions alike.
    clockStartsAt: 'spawn',
    onLine: (line) => {
      const [kind, id, status] = line.split(' ');
      if (kind === 'done' && id && status) done.set(id, status);
      if (kind === 'interrupted' && id) interrupted.push(id);
    },
  });
  return { done, interrupted };
}

describe('coding sessions under kill -9', () => {
  let workDir: string;
  let sim: SimProcess;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'injbench-session-crash-'));
    const repo = path.join(workDir, 'repo');
    expect((await runCli(['release', 'demo', '--out', repo], process.env, 60_000)).code).toBe(0);
    expect((await runCli(['packs', 'update', '--repo', repo, '--family', 'bosch-like-cri', '--data-dir', path.join(workDir, 'bench')])).code).toBe(0);
    const store = openBenchStore(path.join(workDir, 'bench'));
    const benchId = store.identity.get()?.benchId ?? '';
    store.close();
    const grant = path.join(workDir, 'grant.json');
    expect((await runCli(['credits', 'grant', '--demo-key', '--bench-id', benchId, '--credits', '100000', '--out', grant])).code).toBe(0);
    expect((await runCli(['credits', 'import', grant, '--data-dir', path.join(workDir, 'bench')])).code).toBe(0);
    sim = await startSimProcess(['--tcp', '127.0.0.1:0', '--speed', '1000']);
  }, 120_000);

  afterAll(async () => {
    await sim?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it(`keeps codes, debits and the log consistent across ${RUNS} kills at random moments`, async () => {
    const dataDir = path.join(workDir, 'bench');
    const reportedDone = new Map<string, string>();
    let completed = 0;
    let interruptedTotal = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const { done, interrupted } = await runThenKill(dataDir, sim.address, 900 + Math.floor(Math.random() * 1800));
      for (const [id, status] of done) reportedDone.set(id, status);
      interruptedTotal += interrupted.length;

      const store = openBenchStore(dataDir, { readonly: true });
      const identity = store.identity.get();
      if (!identity) throw new Error('no bench identity');
      const verdict = verifyIntegrityLog({ benchId: identity.benchId, publicKey: identity.publicKey, entries: store.integrityLog.entries(), checkpoints: store.integrityLog.checkpoints() });
      store.close();
      expect(verdict, `log after run ${run}`).toMatchObject({ ok: true });

      const db = new Database(path.join(dataDir, STORE_FILE_NAME), { readonly: true });
      const sessions = db.prepare<[], { id: string; status: string; code: string | null; credits_debited: number }>('SELECT id, status, code, credits_debited FROM coding_sessions').all();
      const debits = new Map(
        db
          .prepare<[], { session_id: string; amount: number }>("SELECT session_id, amount FROM ledger_entries WHERE debit_account = 'spent'")
          .all()
          .map((row) => [row.session_id, row.amount]),
      );
      db.close();
      for (const session of sessions) {
        if (session.code !== null) {
          expect(session.status).toBe('completed');
          expect(debits.get(session.id), `debit of ${session.id}`).toBe(session.credits_debited);
        } else {
          expect(debits.has(session.id), `no debit for uncoded ${session.id}`).toBe(false);
        }
      }
      for (const [id, status] of reportedDone) expect(sessions.find((session) => session.id === id)?.status, `reported ${id}`).toBe(status);
      completed = sessions.filter((session) => session.code !== null).length;
    }
    // The runs did real work and real interruptions, not just start-ups.
    expect(completed).toBeGreaterThan(5);
    expect(interruptedTotal).toBeGreaterThan(0);
  }, 600_000);
});
