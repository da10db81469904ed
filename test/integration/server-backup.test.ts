/**
 * `injbench server backup` and `restore` round-trip a real server's data on both stores: a server with the
 * demo repository published (pack blobs) and a bench's synced log is backed up while it runs, restored into
 * a new database and blob folder, and a second server started on the copy serves the same log, benches and
 * repository bytes. Restore refuses a target that holds data and a damaged backup, and changes nothing then.
 * `injbench server migrate` brings a database to the current schema and says what ran.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { publishRepositoryToServer } from '../../common/central-api/release-publish';
import type { CentralServer } from '../../server/central-server';
import { BackupError, backupServer, restoreServer } from '../../server/store/backup';
import { buildDemoRepository } from '../../trust/demo-repository';
import { callAs, newEnrolmentCode, pullLog, startTestServer, TEST_ADMIN_TOKEN, TEST_RELEASE_TOKEN } from '../helpers/central-server';
import { DEMO_SOURCE } from '../helpers/fleet-bench';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { runCli } from '../helpers/sim-process';
import { openTestBench, type TestBench } from '../helpers/test-bench';
import { useTempDirs } from '../helpers/temp-dir';

/** Every file of a folder tree, relative path to size. */
function tree(dir: string, prefix = ''): Record<string, number> {
  const files: Record<string, number> = {};
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) Object.assign(files, tree(dir, relative));
    else files[relative] = statSync(path.join(dir, relative)).size;
  }
  return files;
}

describeEachDialect('server backup, restore and migrate', (dialect) => {
  const tempDir = useTempDirs();
  const databases: TestDatabase[] = [];
  const servers: CentralServer[] = [];
  let bench: TestBench | undefined;

  afterEach(async () => {
    await bench?.outbox.stop();
    bench?.close();
    bench = undefined;
    for (const server of servers.splice(0)) await server.close();
    for (const database of databases.splice(0)) await database.drop();
  });

  async function database(): Promise<TestDatabase> {
    const created = await createTestDatabase(dialect, tempDir());
    databases.push(created);
    return created;
  }

  it('backs up a running server and restores it into a new database and blob folder that serve the same data', async () => {
    const original = await database();
    const blobDir = path.join(tempDir(), 'blobs');
    const server = await startTestServer(original.url, { blobDir });
    servers.push(server);
    const repoDir = path.join(tempDir(), 'repo');
    buildDemoRepository({ sourceDir: DEMO_SOURCE, outDir: repoDir });
    const published = await publishRepositoryToServer({ repoDir, serverUrl: server.url, token: TEST_RELEASE_TOKEN, actor: 'test', reason: 'backup test', ticket: 'T-1', print: () => undefined });
    expect(published.packsUploaded).toBeGreaterThan(0);
    bench = openTestBench(path.join(tempDir(), 'bench'));
    await bench.outbox.enrol(server.url, await newEnrolmentCode(server.url));
    bench.append(40, 10);
    expect((await bench.outbox.drain({ maxDurationMs: 20_000 })).stopped).toBe('idle');

    const backupDir = path.join(tempDir(), 'backup');
    const backup = await runCli(['server', 'backup', '--db', original.url, '--blob-dir', blobDir, '--out', backupDir], process.env, 120_000);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(new RegExp(`^Backup: ${backupDir}\\nDatabase: ${dialect} .* -> server\\.(sqlite|pgdump) \\(\\d+ bytes, SHA-256 [0-9a-f]{64}\\)\\nPack blobs: ${published.packsUploaded} \\(\\d+ bytes\\)`));
    // The server went on while the backup was taken, and goes on after it.
    bench.append(5);
    expect((await bench.outbox.drain({ maxDurationMs: 20_000 })).stopped).toBe('idle');

    const restored = await database();
    const restoredBlobs = path.join(tempDir(), 'restored-blobs');
    const restore = await runCli(['server', '--db', restored.url, '--blob-dir', restoredBlobs, 'restore', '--from', backupDir], process.env, 120_000);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`Pack blobs: ${published.packsUploaded} (`);
    expect(restore.stdout).toContain('Migrations run after the restore: none (same schema)');
    expect(tree(path.join(restoredBlobs, 'sha256'))).toEqual(tree(path.join(blobDir, 'sha256')));

    const copy = await startTestServer(restored.url, { blobDir: restoredBlobs });
    servers.push(copy);
    const benchId = bench.identity.benchId;
    const log = await pullLog(copy.url, benchId);
    expect(log.integrity).toMatchObject({ ok: true, entries: 40, sealedThrough: 40 });
    expect(log.entries.map((entry) => entry.entryHash)).toEqual(bench.localEntries().slice(0, 40).map((entry) => entry.entryHash));
    const benchesThen = (await callAs(TEST_ADMIN_TOKEN, copy.url, 'GET', '/api/v1/admin/benches')).body;
    expect(benchesThen).toEqual([expect.objectContaining({ benchId, status: 'active', headSeq: 40, sealedThrough: 40 })]);
    // Every file the original serves from the published repository, the copy serves byte for byte (packs
    // from the restored blobs).
    let served = 0;
    for (const file of Object.keys(tree(repoDir))) {
      const before = await fetch(new URL(`/api/v1/repository/${file}`, server.url));
      if (before.status !== 200) continue;
      served += 1;
      const after = await fetch(new URL(`/api/v1/repository/${file}`, copy.url));
      expect(after.status, file).toBe(200);
      const bytes = Buffer.from(await after.arrayBuffer());
      expect(bytes.equals(Buffer.from(await before.arrayBuffer())), file).toBe(true);
      if (file.endsWith('.injpack')) expect(bytes.equals(readFileSync(path.join(repoDir, file))), file).toBe(true);
    }
    expect(served).toBeGreaterThan(published.packsUploaded);
  }, 300_000);

  it('refuses to restore over data or from a damaged backup, and leaves both as they were', async () => {
    const original = await database();
    const blobDir = path.join(tempDir(), 'blobs');
    servers.push(await startTestServer(original.url, { blobDir }));
    const backupDir = path.join(tempDir(), 'backup');
    await backupServer({ databaseUrl: original.url, blobDir, outDir: backupDir });
    await expect(backupServer({ databaseUrl: original.url, blobDir, outDir: backupDir })).rejects.toMatchObject({ code: 'BACKUP_TARGET_EXISTS' });

    // Over the live database: refused, nothing touched.
    await expect(restoreServer({ fromDir: backupDir, databaseUrl: original.url, blobDir })).rejects.toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY' });
    // A damaged database file: refused before anything is written.
    const manifest = JSON.parse(readFileSync(path.join(backupDir, 'backup.json'), 'utf8')) as { database: { file: string } };
    const databaseFile = path.join(backupDir, manifest.database.file);
    const bytes = readFileSync(databaseFile);
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
    writeFileSync(databaseFile, bytes);
    const target = await database();
    const targetBlobs = path.join(tempDir(), 'target-blobs');
    const damaged = await restoreServer({ fromDir: backupDir, databaseUrl: target.url, blobDir: targetBlobs }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(damaged).toBeInstanceOf(BackupError);
    expect(damaged).toMatchObject({ code: 'BACKUP_INVALID' });
    // The target is still empty: a restore of a good backup into it works.
    rmSync(backupDir, { recursive: true });
    await backupServer({ databaseUrl: original.url, blobDir, outDir: backupDir });
    await expect(restoreServer({ fromDir: backupDir, databaseUrl: target.url, blobDir: targetBlobs })).resolves.toMatchObject({ dialect, migrated: [] });
  }, 120_000);

  it('migrate brings a new database to the current schema and says so, then finds nothing to do', async () => {
    const fresh = await database();
    const first = await runCli(['server', 'migrate', '--db', fresh.url], process.env, 120_000);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Database: (sqlite|postgres) .*\nApplied: 0001_enrolment_and_log_sync\n(Applied: .*\n)*Schema: (\d+) migrations, \3 applied now\n$/);
    const second = await runCli(['server', 'migrate', '--db', fresh.url], process.env, 120_000);
    expect(second.stdout).toMatch(/Schema: \d+ migrations, already up to date\n$/);
  }, 240_000);
});
