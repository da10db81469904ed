import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyIntegrityLog } from '../../common/integrity-log/verify-log';
import { openBenchStore } from '../../electron/services/store/bench-store';
import { runUntilKilled } from '../helpers/kill-9';
import { useTempDirs } from '../helpers/temp-dir';

const fixture = path.resolve('test/fixtures/append-until-killed.ts');

/** Runs the appender, kills it with SIGKILL after `delayMs` of appending, returns the last acknowledged seq. */
async function appendThenKill(dataDir: string, delayMs: number): Promise<number> {
  let lastAcked = 0;
  await runUntilKilled({
    script: fixture,
    args: [dataDir],
    killAfterMs: delayMs,
    // Start the clock once appending is under way, so every run kills mid-stream.
    clockStartsAt: 'first-output',
    onLine: (line) => {
      const match = /^acked (\d+)$/.exec(line);
      if (match) lastAcked = Number(match[1]);
    },
  });
  return lastAcked;
}

describe('integrity log under kill -9', () => {
  const tempDir = useTempDirs();

  it('keeps every acknowledged entry and a chain that verifies, across repeated kills', async () => {
    const dataDir = tempDir();
    let previousHead = 0;
    for (const delayMs of [150, 400, 90, 700, 250]) {
      const lastAcked = await appendThenKill(dataDir, delayMs);
      const store = openBenchStore(dataDir);
      const identity = store.identity.get();
      if (!identity) throw new Error('no identity after the first run');
      const verdict = verifyIntegrityLog({ benchId: identity.benchId, publicKey: identity.publicKey, entries: store.integrityLog.entries(), checkpoints: store.integrityLog.checkpoints() });
      store.close();
      expect(verdict).toMatchObject({ ok: true });
      if (!verdict.ok) return;
      expect(lastAcked).toBeGreaterThan(previousHead);
      expect(verdict.entries).toBeGreaterThanOrEqual(lastAcked);
      previousHead = verdict.entries;
    }
  });
});
