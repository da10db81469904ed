/**
 * The server is observable: GET /metrics in Prometheus' text format (read with the admin or the metrics
 * token, nobody else), counting what a real bench's sync did — batches, entries, its last-seen time and
 * unsealed entries, request latency by route pattern, refusals and alarms by code, process metrics — and
 * the admin API's bench list with each bench's last-seen time. Every request carries an id back (its own
 * X-Request-Id when plain, a new one otherwise). Real server on 127.0.0.1, both stores, a real bench outbox.
 */
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { callAs, newEnrolmentCode, startTestServer, TEST_ADMIN_TOKEN, TEST_METRICS_TOKEN, TEST_RELEASE_TOKEN, TEST_SUPPORT_TOKEN } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { openTestBench, type TestBench } from '../helpers/test-bench';
import { useTempDirs } from '../helpers/temp-dir';
import { supportLogPath } from '../../common/central-api/paths';

async function scrape(serverUrl: string, token: string | null): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(new URL('/metrics', serverUrl), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The value of one sample line `name{labels} value`, or undefined when the series is absent. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describeEachDialect('server metrics, last seen and request ids', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase | undefined;
  let server: CentralServer | undefined;
  let bench: TestBench | undefined;

  afterEach(async () => {
    await bench?.outbox.stop();
    bench?.close();
    await server?.close();
    await database?.drop();
    bench = undefined;
    server = undefined;
    database = undefined;
  });

  it('lets only the admin and metrics tokens read /metrics', async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url, { metricsToken: TEST_METRICS_TOKEN });
    expect((await scrape(server.url, null)).status).toBe(401);
    expect((await scrape(server.url, 'not-a-token-of-this-server-0123456789')).status).toBe(401);
    expect((await scrape(server.url, TEST_SUPPORT_TOKEN)).status).toBe(403);
    expect((await scrape(server.url, TEST_RELEASE_TOKEN)).status).toBe(403);
    const asAdmin = await scrape(server.url, TEST_ADMIN_TOKEN);
    expect(asAdmin.status).toBe(200);
    const asScraper = await scrape(server.url, TEST_METRICS_TOKEN);
    expect(asScraper.status).toBe(200);
    expect(asScraper.type).toMatch(/^text\/plain; version=0\.0\.4/);
    // The metrics token reads nothing else: not the benches, not a log.
    expect((await callAs(TEST_METRICS_TOKEN, server.url, 'GET', '/api/v1/admin/benches')).status).toBe(403);
    // The failed scrapes were counted as refusals by code; process metrics come along.
    expect(sample(asScraper.text, 'injbench_refusals_total', 'code="UNAUTHORIZED"')).toBe(2);
    expect(sample(asScraper.text, 'injbench_refusals_total', 'code="FORBIDDEN"')).toBe(2);
    expect(sample(asScraper.text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(asScraper.text).toContain('nodejs_eventloop_lag_seconds');
  });

  it("counts a bench's sync: batches, entries, last seen, unsealed entries, latency by route pattern, alarms by kind", async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url, { metricsToken: TEST_METRICS_TOKEN });
    bench = openTestBench(path.join(tempDir(), 'bench'), { maxBatchEntries: 10 });
    const benchId = bench.identity.benchId;
    const beforeEnrol = Math.floor(Date.now() / 1000);
    await bench.outbox.enrol(server.url, await newEnrolmentCode(server.url));
    bench.append(30, 10);
    bench.append(5);
    expect((await bench.outbox.drain({ maxDurationMs: 20_000 })).stopped).toBe('idle');
    const pulled = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${supportLogPath(benchId)}?limit=10`);
    expect(pulled.status).toBe(200);
    await server.repository.raiseAlarm({ benchId, kind: 'CHAIN_BROKEN', message: 'test alarm', detail: {}, raisedAt: new Date().toISOString() });

    const { text } = await scrape(server.url, TEST_METRICS_TOKEN);
    expect(sample(text, 'injbench_ingest_entries_total')).toBe(35);
    expect(sample(text, 'injbench_ingest_batches_total', 'outcome="stored"')).toBeGreaterThanOrEqual(4);
    expect(sample(text, 'injbench_ingest_batches_total', 'outcome="refused"')).toBeUndefined();
    expect(sample(text, 'injbench_benches', 'status="active"')).toBe(1);
    expect(sample(text, 'injbench_benches', 'status="revoked"')).toBe(0);
    const lastSeen = sample(text, 'injbench_bench_last_seen_timestamp_seconds', `bench="${benchId}"`) ?? 0;
    expect(lastSeen).toBeGreaterThanOrEqual(beforeEnrol);
    expect(lastSeen).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(sample(text, 'injbench_bench_unsealed_entries', `bench="${benchId}"`)).toBe(5);
    expect(sample(text, 'injbench_bench_series_omitted')).toBe(0);
    expect(sample(text, 'injbench_alarms', 'kind="CHAIN_BROKEN"')).toBe(1);
    // Latency by route pattern: the support read is one series whatever the bench, and no URL is a label.
    expect(sample(text, 'injbench_http_request_duration_seconds_count', 'method="GET",route="/api/v1/support/benches/:benchId/log",status="200"')).toBe(1);
    expect(sample(text, 'injbench_http_request_duration_seconds_count', 'method="POST",route="/api/v1/sync/log",status="200"')).toBeGreaterThanOrEqual(4);
    expect(text.split('\n').filter((line) => line.startsWith('injbench_http_request_duration') && line.includes(benchId))).toEqual([]);

    // The admin API shows when each bench was last seen.
    const benches = await callAs(TEST_ADMIN_TOKEN, server.url, 'GET', '/api/v1/admin/benches');
    expect(benches.body).toEqual([expect.objectContaining({ benchId, lastSeenAt: expect.any(String), headSeq: 35, sealedThrough: 30 })]);
    const lastSeenAt = Date.parse((benches.body as { lastSeenAt: string }[])[0]?.lastSeenAt ?? '');
    expect(Math.floor(lastSeenAt / 1000)).toBe(lastSeen);

    // A revoked bench leaves the per-bench series; the fleet gauge still counts it.
    expect((await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', `/api/v1/admin/benches/${benchId}/revoke`, { reason: 'test' })).status).toBe(200);
    const afterRevoke = (await scrape(server.url, TEST_METRICS_TOKEN)).text;
    expect(sample(afterRevoke, 'injbench_bench_last_seen_timestamp_seconds', `bench="${benchId}"`)).toBeUndefined();
    expect(sample(afterRevoke, 'injbench_benches', 'status="revoked"')).toBe(1);
  });

  it('answers every request with a request id: a plain X-Request-Id sent is kept, anything else is replaced', async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url);
    const kept = await fetch(new URL('/healthz', server.url), { headers: { 'x-request-id': 'proxy-7f3a.42:1' } });
    expect(kept.headers.get('x-request-id')).toBe('proxy-7f3a.42:1');
    const replaced = await fetch(new URL('/healthz', server.url), { headers: { 'x-request-id': 'two words\t<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await fetch(new URL('/api/v1/admin/benches', server.url));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
