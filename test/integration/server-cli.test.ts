/**
 * The newcomer's path, all through `injbench`: start the server, create an enrolment code, enrol a bench,
 * push its log, pull it back as support (JSON and CSV) with its integrity verified.
 */
import { bundledRootFile } from '../helpers/bundled-root';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createBenchServices } from '../../electron/services/bench-services';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, freePort, spawnServerProcess, type ServerProcess } from '../helpers/central-server';
import { silentLogger } from '../helpers/silent-logger';
import { storeValidLog } from '../helpers/stored-log';
import { openServerDatabase } from '../../server/store/database';
import { ServerRepository } from '../../server/store/server-repository';
import Database from 'better-sqlite3';
import { useTempDirs } from '../helpers/temp-dir';

const run = promisify(execFile);
const injbench = path.resolve('bin/injbench.mjs');

async function cli(token: string | null, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, INJBENCH_LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
  delete env.INJBENCH_SERVER_TOKEN;
  if (token) env.INJBENCH_SERVER_TOKEN = token;
  try {
    const { stdout, stderr } = await run(process.execPath, [injbench, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('injbench server, admin, sync and support pull', () => {
  const tempDir = useTempDirs();
  let server: ServerProcess | null = null;

  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('takes a bench from enrolment to a verified support pull', async () => {
    server = await spawnServerProcess(`sqlite:${path.join(tempDir(), 'server.sqlite')}`, await freePort());
    const dataDir = tempDir();
    const services = createBenchServices({ dataDir, appVersion: '1.0.0', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0 });
    services.integrityLog.append('session.step', { step: 'electrical', note: 'ok, "within" band' });
    services.integrityLog.checkpoint();
    services.integrityLog.append('session.step', { step: 'leak' });
    const benchId = services.identity.benchId;
    // A clean shutdown logs app.stopped and seals the chain.
    await services.close();

    const denied = await cli(TEST_SUPPORT_TOKEN, 'admin', 'enrolment-code', '--server', server.url);
    expect(denied).toMatchObject({ code: 1 });
    expect(denied.stderr).toMatch(/^injbench: FORBIDDEN: /m);

    const created = await cli(TEST_ADMIN_TOKEN, 'admin', 'enrolment-code', '--server', server.url, '--ttl-minutes', '10');
    const code = /^Enrolment code: (\S+)$/m.exec(created.stdout)?.[1];
    expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){4}$/);

    const enrolled = await cli(null, 'sync', 'enrol', '--data-dir', dataDir, '--server', server.url, '--code', code ?? '');
    expect(enrolled.stdout).toContain(`Enrolled ${benchId} with ${server.url}`);
    const pushed = await cli(null, 'sync', 'push', '--data-dir', dataDir);
    expect(pushed.stdout).toMatch(/Backlog: 0 entries and 0 checkpoints unsent \(acknowledged through 5 of 5\)/);

    const json = await cli(TEST_SUPPORT_TOKEN, 'support', 'pull', '--server', server.url, '--bench', benchId);
    expect(json.code).toBe(0);
    const pulled = JSON.parse(json.stdout) as { integrity: { ok: boolean }; entries: { seq: number; type: string; integrity: string }[] };
    expect(pulled.integrity.ok).toBe(true);
    expect(pulled.entries.map((e) => [e.seq, e.type, e.integrity])).toEqual([
      [1, 'app.started', 'sealed'],
      [2, 'session.step', 'sealed'],
      [3, 'session.step', 'sealed'],
      [4, 'app.stopped', 'sealed'],
      [5, 'sync.enrolled', 'unsealed'],
    ]);
    expect(json.stderr).toContain('integrity OK: 5 entries, sealed through 4');

    const csv = await cli(TEST_SUPPORT_TOKEN, 'support', 'pull', '--server', server.url, '--bench', benchId, '--format', 'csv');
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('seq,recorded_at,type,entry_hash,prev_hash,integrity,received_at,payload_json');
    expect(lines).toHaveLength(6);
    expect(lines[2]).toMatch(/^2,.*,session\.step,[0-9a-f]{64},[0-9a-f]{64},sealed,.*,"\{""step"":""electrical"",""note"":""ok, \\""within\\"" band""\}"$/);

    const unknown = await cli(TEST_SUPPORT_TOKEN, 'support', 'pull', '--server', server.url, '--bench', 'bench-0000000000000000');
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.stderr).toMatch(/^injbench: NOT_FOUND: /m);
    const noToken = await cli(null, 'support', 'pull', '--server', server.url, '--bench', benchId);
    expect(noToken.stderr).toMatch(/^injbench: UNAUTHORIZED: Set INJBENCH_SERVER_TOKEN/m);

    // The app of an enrolled bench syncs in the background and says so on its status page.
    const app = createBenchServices({ dataDir, appVersion: '1.0.0', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0 });
    try {
      const syncPart = () => app.status().parts.find((part) => part.id === 'sync');
      await expect.poll(() => syncPart()?.detail, { timeout: 15_000 }).toBe('Everything is acknowledged by the server.');
      expect(syncPart()).toMatchObject({ state: 'ok', facts: expect.arrayContaining([{ label: 'Server', value: server.url }]) });
    } finally {
      await app.close();
    }
  });

  it("re-checks a bench's stored log on the server as an admin, and names an entry altered in the database", async () => {
    const file = path.join(tempDir(), 'server.sqlite');
    const opened = await openServerDatabase(`sqlite:${file}`);
    const log = await storeValidLog(new ServerRepository(opened.db, opened.dialect), { entries: 2500, sealEvery: 13 });
    await opened.close();
    server = await spawnServerProcess(`sqlite:${file}`, await freePort());

    const checked = await cli(TEST_ADMIN_TOKEN, 'admin', 'check-log', '--server', server.url, '--bench', log.benchId);
    expect(checked).toMatchObject({ code: 0 });
    expect(checked.stdout).toBe(`OK ${log.benchId}: 2500 entries, sealed through 2496 (4 not yet sealed), head ${log.hashes.at(-1)}\n`);
    expect(checked.stderr).toMatch(new RegExp(`^log check [0-9a-f-]{36} of ${log.benchId}: entries 1 to 2500$`, 'm'));

    const db = new Database(file);
    db.prepare('UPDATE log_entries SET recorded_at = ? WHERE bench_id = ? AND seq = 1234').run('2026-01-01T00:00:00.000Z', log.benchId);
    db.close();
    const altered = await cli(TEST_ADMIN_TOKEN, 'admin', 'check-log', '--server', server.url, '--bench', log.benchId);
    expect(altered).toMatchObject({ code: 1, stdout: 'FAIL ENTRY_ALTERED at entry 1234: entry 1234 (bench.note) was changed after it was written\n' });
    // Each command starts its own Node and TypeScript loader: on a loaded machine that is many seconds apiece.
  }, 180_000);

  it('refuses to start without an admin token, and names the variable', async () => {
    const env = { ...process.env } as NodeJS.ProcessEnv;
    delete env.INJBENCH_SERVER_ADMIN_TOKEN;
    const failure = await run(process.execPath, [injbench, 'server', '--db', `sqlite:${path.join(tempDir(), 's.sqlite')}`, '--port', '0'], { env }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^injbench: UNAUTHORIZED: .*INJBENCH_SERVER_ADMIN_TOKEN/m);
  });
});
