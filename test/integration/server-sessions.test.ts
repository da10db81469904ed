/**
 * Session index and support pull, on a real server (127.0.0.1) with real benches: app services, demo packs
 * activated through the verified path, sessions run against a virtual bench, logs synced by the outbox.
 * Each with SQLite and with PostgreSQL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import type { SessionSummary, SessionTrace } from '../../server/store/session-index-repository';
import { TEST_SUPPORT_TOKEN, callAs, startTestServer } from '../helpers/central-server';
import { openFleetBench, type FleetBench } from '../helpers/fleet-bench';
import { runCli } from '../helpers/sim-process';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { SUPPORT_SESSIONS_PATH, supportSessionPath } from '../../common/central-api/paths';

describeEachDialect('session index and support pull', (dialect) => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase;
  let server: CentralServer;
  let first: FleetBench;
  let second: FleetBench;
  const reports: { bench: string; sessionId: string; serial: string; status: string; verdict: string | null; reason: string | null }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url);
    first = await openFleetBench(tempDir(), server.url);
    second = await openFleetBench(tempDir(), server.url);
    const record = (bench: FleetBench, report: Awaited<ReturnType<FleetBench['runSession']>>) =>
      reports.push({ bench: bench.benchId, sessionId: report.sessionId, serial: report.serial, status: report.status, verdict: report.verdict, reason: report.reason?.code ?? null });
    record(first, await first.runSession('INJ-A-0001'));
    record(first, await first.runSession('INJ-A-0002', { faults: { highLeak: true } }));
    record(second, await second.runSession('INJ-B-0001'));
    record(second, await second.runSession('INJ-A-0001'));
    await first.sync();
    await second.sync();
  }, 120_000);

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await server?.close();
    await database?.drop();
  });

  async function find(query: string): Promise<SessionSummary[]> {
    const answer = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${SUPPORT_SESSIONS_PATH}?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return (answer.body as { sessions: SessionSummary[] }).sessions;
  }

  it('indexes every synced session with its bench, serial, part, pack, times, outcome and log range', async () => {
    expect(reports.map((r) => [r.status, r.verdict])).toEqual([
      ['completed', 'pass'],
      ['completed', 'fail'],
      ['completed', 'pass'],
      ['completed', 'pass'],
    ]);
    const all = await find('limit=100');
    expect(all).toHaveLength(4);
    const failed = all.find((s) => s.sessionId === reports[1]?.sessionId);
    expect(failed).toMatchObject({ benchId: first.benchId, serial: 'INJ-A-0002', partNumber: 'SYN-0445110-001', family: 'bosch-like-cri', packVersion: '1.0.0', outcome: 'failed', errorClass: 'LEAK_FAIL' });
    expect(failed?.lastSeq).toBeGreaterThan(failed?.firstSeq ?? Infinity);
    expect(Date.parse(failed?.endedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(failed?.startedAt ?? ''));
  });

  it('finds sessions by id, by bench and time window, and by injector serial', async () => {
    const target = reports[2];
    expect((await find(`sessionId=${target?.sessionId}`)).map((s) => s.sessionId)).toEqual([target?.sessionId]);
    expect((await find(`bench=${first.benchId}`)).map((s) => s.sessionId).sort()).toEqual([reports[0]?.sessionId, reports[1]?.sessionId].sort());
    expect(await find(`bench=${first.benchId}&from=2000-01-01&to=2000-12-31`)).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await find(`bench=${second.benchId}&from=${today}&to=${today}`)).toHaveLength(2);
    // One serial coded on two benches: both sessions come back.
    expect((await find('serial=INJ-A-0001')).map((s) => s.benchId).sort()).toEqual([first.benchId, second.benchId].sort());
    expect(await find('outcome=failed')).toHaveLength(1);
    // Pages of one, newest first, follow each other through the cursor without a gap or a repeat.
    const paged: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const answer = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${SUPPORT_SESSIONS_PATH}?limit=1${after ? `&after=${after}` : ''}`);
      const body = answer.body as { sessions: SessionSummary[]; nextAfter: string | null };
      paged.push(...body.sessions.map((s) => s.sessionId));
      after = body.nextAfter;
      if (!after) break;
    }
    expect(paged).toEqual((await find('limit=100')).map((s) => s.sessionId));
    expect(new Set(paged).size).toBe(4);
    expect((await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${SUPPORT_SESSIONS_PATH}?after=garbage`)).status).toBe(400);
    const bad = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${SUPPORT_SESSIONS_PATH}?from=yesterday`);
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST' } } });
    expect((await callAs(null, server.url, 'GET', SUPPORT_SESSIONS_PATH)).status).toBe(401);
  });

  it("pulls one session's trace sealed by the bench's checkpoint, with its steps", async () => {
    const target = reports[0];
    const answer = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', supportSessionPath(target?.bench ?? '', target?.sessionId ?? ''));
    expect(answer.status).toBe(200);
    const trace = answer.body as SessionTrace;
    expect(trace.integrity.status).toBe('sealed');
    const types = trace.entries.filter((e) => e.sessionEntry).map((e) => e.type);
    expect(types[0]).toBe('session.started');
    expect(types.at(-1)).toBe('session.completed');
    expect(types.filter((t) => t === 'session.step')).toHaveLength(4);
    expect(trace.entries.map((e) => e.seq)).toEqual(Array.from({ length: trace.session.lastSeq - trace.session.firstSeq + 1 }, (_, i) => trace.session.firstSeq + i));
  });

  const pull = (...args: string[]) => runCli(['support', 'pull', '--server', server.url, ...args], { ...process.env, INJBENCH_SERVER_TOKEN: TEST_SUPPORT_TOKEN });

  it('injbench support pull --session returns the session with its entries and integrity verified (JSON)', async () => {
    const target = reports[1];
    const result = await pull('--session', target?.sessionId ?? '');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('1 session(s); integrity: 1 sealed, 0 not yet sealed, 0 broken');
    const output = JSON.parse(result.stdout) as { sessions: SessionTrace[] };
    expect(output.sessions).toHaveLength(1);
    expect(output.sessions[0]?.session).toMatchObject({ sessionId: target?.sessionId, outcome: 'failed', errorClass: 'LEAK_FAIL' });
    expect(output.sessions[0]?.entries.some((e) => e.type === 'session.leak')).toBe(true);
    const missing = await pull('--session', 'ses-20990101-000000000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^injbench: NOT_FOUND: No session ses-20990101-000000000000/);
  }, 120_000);

  it('injbench support pull --bench --from --to and --serial, as CSV with one row per entry', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const byBench = await pull('--bench', second.benchId, '--from', today, '--to', today, '--format', 'csv');
    expect(byBench.code, byBench.stderr).toBe(0);
    const lines = byBench.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('bench_id,session_id,serial,part_number,family,pack_version,outcome,error_class,integrity,seq,recorded_at,type,entry_hash,prev_hash,received_at,payload_json');
    const sessionIds = new Set(lines.slice(1).map((line) => line.split(',')[1]));
    expect([...sessionIds].sort()).toEqual([reports[2]?.sessionId, reports[3]?.sessionId].sort());
    // Payloads are JSON with commas and quotes: quoted and doubled, never split.
    expect(lines.slice(1).every((line) => line.split(',')[0] === second.benchId && /,"\{""/.test(line))).toBe(true);
    const outside = await pull('--bench', second.benchId, '--from', '2000-01-01', '--to', '2000-01-02');
    expect(JSON.parse(outside.stdout)).toMatchObject({ sessions: [] });

    const bySerial = await pull('--serial', 'INJ-A-0001');
    expect(bySerial.code, bySerial.stderr).toBe(0);
    const traces = (JSON.parse(bySerial.stdout) as { sessions: SessionTrace[] }).sessions;
    expect(traces.map((t) => t.session.benchId).sort()).toEqual([first.benchId, second.benchId].sort());
    expect(traces.every((t) => t.integrity.status === 'sealed' && t.session.serial === 'INJ-A-0001')).toBe(true);
  }, 120_000);

  it('injbench support pull --bench alone still pulls the whole integrity log', async () => {
    const result = await pull('--bench', first.benchId);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^integrity OK: \d+ entries/);
    const log = JSON.parse(result.stdout) as { benchId: string; entries: { type: string }[] };
    expect(log.benchId).toBe(first.benchId);
    expect(log.entries.filter((e) => e.type === 'session.started')).toHaveLength(2);
  }, 120_000);

  // Last: it alters the server's copy.
  it("reports a trace altered in the server's own database as broken, naming the entry", async () => {
    const target = reports[3];
    const session = (await find(`sessionId=${target?.sessionId}`))[0];
    if (!session) throw new Error('session missing');
    const seq = session.firstSeq + 2;
    await server.repository.db.updateTable('log_entries').set({ payload_json: '{"edited":true}' }).where('bench_id', '=', session.benchId).where('seq', '=', seq).execute();
    const trace = (await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', supportSessionPath(session.benchId, session.sessionId))).body as SessionTrace;
    expect(trace.integrity).toMatchObject({ status: 'broken', code: 'ENTRY_ALTERED', seq });
    // Another session of the same bench stays sealed: each trace is checked on its own segment.
    const other = reports[2];
    const intact = (await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', supportSessionPath(other?.bench ?? '', other?.sessionId ?? ''))).body as SessionTrace;
    expect(intact.integrity.status).toBe('sealed');
  });
});
