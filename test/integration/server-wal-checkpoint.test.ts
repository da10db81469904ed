/**
 * SQLite's checkpoints run in a worker thread with its own connection, not inside the server's commits:
 * the database file takes in the log's pages while the writer's own autocheckpoint is far away.
 */
import { execFile } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openServerDatabase, type OpenedDatabase } from '../../server/store/database';
import { WalCheckpointer } from '../../server/store/wal-checkpointer';
import { useTempDirs } from '../helpers/temp-dir';

const MIB = 1024 * 1024;

async function writeMebibytes(opened: OpenedDatabase, mebibytes: number): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS ballast (id INTEGER PRIMARY KEY, blob TEXT NOT NULL)`.execute(opened.db);
  const row = 'x'.repeat(16 * 1024);
  for (let i = 0; i < mebibytes * 64; i += 1) await sql`INSERT INTO ballast (blob) VALUES (${row})`.execute(opened.db);
}

async function autocheckpointPages(opened: OpenedDatabase): Promise<number> {
  const result = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(opened.db);
  return Number(result.rows[0]?.wal_autocheckpoint);
}

async function databaseFileGrowsTo(file: string, bytes: number, withinMs: number): Promise<number> {
  const deadline = Date.now() + withinMs;
  let size = statSync(file).size;
  while (size < bytes && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    size = statSync(file).size;
  }
  return size;
}

describe('WAL checkpoints off the event loop', () => {
  const tempDir = useTempDirs();
  let opened: OpenedDatabase | undefined;
  let checkpointer: WalCheckpointer | null = null;

  afterEach(async () => {
    await checkpointer?.stop();
    checkpointer = null;
    await opened?.close();
  });

  it('copies committed pages into the database file from the worker, and hands checkpoints back when stopped', async () => {
    const file = path.join(tempDir(), 'server.sqlite');
    opened = await openServerDatabase(`sqlite:${file}`);
    checkpointer = await WalCheckpointer.start(opened.db, file, undefined, 50);
    expect(checkpointer).not.toBeNull();
    expect(await autocheckpointPages(opened)).toBe(16_384);
    const before = statSync(file).size;
    await writeMebibytes(opened, 8);
    // 8 MiB is far below the writer's own threshold (64 MiB): only the worker can have moved it.
    expect(await databaseFileGrowsTo(file, before + 8 * MIB, 5_000)).toBeGreaterThanOrEqual(before + 8 * MIB);
    await checkpointer?.stop();
    checkpointer = null;
    expect(await autocheckpointPages(opened)).toBe(1_000);
  });

  it('lets a process that starts and closes a central server end by itself, after the checkpointer has stopped', async () => {
    // The worker is unref'd while it runs; a close that did not hold it again let Node end mid-close (code 13).
    const dir = tempDir();
    const script = path.join(dir, 'start-and-close.mts');
    writeFileSync(
      script,
      [
        `import { startCentralServer } from ${JSON.stringify(path.resolve('server/central-server.ts'))};`,
        `import { createLogger } from ${JSON.stringify(path.resolve('common/logger.ts'))};`,
        `const logger = createLogger('server', 'silent');`,
        `const server = await startCentralServer({ databaseUrl: ${JSON.stringify(`sqlite:${path.join(dir, 'server.sqlite')}`)}, port: 0, adminToken: 'a'.repeat(40), logger });`,
        `await server.close();`,
        `console.log('closed');`,
      ].join('\n'),
    );
    for (let run = 0; run < 3; run += 1) {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), timeout: 60_000 });
      expect(stdout.trim()).toBe('closed');
    }
  });

  it('leaves the pages in the log without it (the control that shows the first test can fail)', async () => {
    const file = path.join(tempDir(), 'server.sqlite');
    opened = await openServerDatabase(`sqlite:${file}`);
    await sql`PRAGMA wal_autocheckpoint = 16384`.execute(opened.db);
    const before = statSync(file).size;
    await writeMebibytes(opened, 8);
    expect(await databaseFileGrowsTo(file, before + 8 * MIB, 500)).toBeLessThan(before + MIB);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(8 * MIB);
  });
});
