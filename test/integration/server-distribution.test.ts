/**
 * Distribution through the central server on 127.0.0.1, against SQLite and PostgreSQL: a release
 * repository published with the release token, then a real bench PackManager updating from the server
 * over HTTP; resumable pack downloads; tampered, conflicting and out-of-order uploads refused with
 * nothing stored; stale metadata refused; path traversal; token roles; directives.
 */
import { benchTrustProfile } from '../../trust/bench-trust';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PackManager } from '../../electron/services/packs/pack-manager';
import type { CentralServer } from '../../server/central-server';
import { publishRepositoryToServer } from '../../common/central-api/release-publish';
import { signDocument } from '../../trust/envelope';
import { httpSource } from '../../trust/http-source';
import { latestRoot, nextDirective, promote, rotateRoot } from '../../trust/repository';
import { generateKeyPair, type KeyPair } from '../../trust/crypto';
import { TEST_ADMIN_TOKEN, TEST_RELEASE_TOKEN, TEST_SUPPORT_TOKEN, callAs, newEnrolmentCode, startTestServer } from '../helpers/central-server';
import { openTestBench } from '../helpers/test-bench';
import { silentLogger } from '../helpers/silent-logger';
import { SyncOutbox } from '../../electron/services/sync/sync-outbox';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { createTrustFixture, makePack, type TrustFixture } from '../helpers/trust-fixture';
import { ADMIN_CODES_PATH } from '../../common/central-api/paths';
import { ADMIN_EVIDENCE_PATH, RELEASE_METADATA_PATH, RELEASE_PACKS_PREFIX, RELEASE_STATE_PATH, SHA256_HEADER, adminDirectivePath } from '../../common/central-api/paths';
import { releaseHealthPath } from '../../common/central-api/paths';

const FAMILY = 'syn-family';
const BENCH_ID = 'bench-0123456789abcdef';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describeEachDialect('central server distribution', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase;
  let server: CentralServer;
  let fixture: TrustFixture;
  let repoUrl: string;

  beforeEach(async () => {
    database = await createTestDatabase(dialect, tempDir());
    // Metadata signed "now" so the bench (real clock) finds it unexpired.
    fixture = createTrustFixture(tempDir);
    fixture.clock.now = new Date();
    server = await startTestServer(database.url, { blobDir: path.join(tempDir(), 'blobs') });
    repoUrl = `${server.url}/api/v1/repository/`;
  });

  afterEach(async () => {
    await server.close();
    await database.drop();
  });

  const publish = (): Promise<{ packsUploaded: number; metadataWritten: number }> =>
    publishRepositoryToServer({ repoDir: fixture.repo, serverUrl: server.url, token: TEST_RELEASE_TOKEN, actor: 'alice', reason: 'test release', ticket: 'REL-7', print: () => undefined });

  function benchOnServer(benchId = BENCH_ID): PackManager {
    return new PackManager({
      dataDir: tempDir(),
      bundledRoot: fixture.rootV1,
      bench: benchTrustProfile({ benchId, hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'canary', production: true }),
    });
  }

  async function uploadRaw(packPath: string, bytes: Buffer, claimedSha256: string, token = TEST_RELEASE_TOKEN): Promise<{ status: number; body: { error?: { code: string } } }> {
    const response = await fetch(new URL(`${RELEASE_PACKS_PREFIX}/${packPath}`, server.url), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', [SHA256_HEADER]: claimedSha256 },
      body: new Uint8Array(bytes),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
  }

  async function postMetadata(files: { path: string; bytes: Buffer }[], token = TEST_RELEASE_TOKEN) {
    return callAs(token, server.url, 'POST', RELEASE_METADATA_PATH, { files: files.map((f) => ({ path: f.path, contentBase64: f.bytes.toString('base64') })) });
  }

  const repoFile = (name: string): Buffer => readFileSync(path.join(fixture.repo, name));

  it('publishes a repository that a bench PackManager then updates from over HTTP and activates', async () => {
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    fixture.publish(makePack(FAMILY, '1.1.0', 2));
    expect(await publish()).toEqual({ packsUploaded: 2, metadataWritten: 4 });

    const bench = benchOnServer();
    const activated = await bench.update(httpSource(repoUrl), FAMILY);
    expect(activated).toMatchObject({ family: FAMILY, version: '1.1.0', changed: true, resolvedBy: 'default channel canary' });
    const preflight = await bench.preflight(FAMILY);
    expect(preflight.version).toBe('1.1.0');

    // Every served file is the repository's exact bytes.
    for (const name of ['timestamp.json', 'snapshot.json', `index/${FAMILY}.json`, 'root/1.root.json', `packs/${FAMILY}/1.0.0.injpack`]) {
      const response = await fetch(new URL(name, repoUrl));
      expect(response.status, name).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.equals(repoFile(name)), name).toBe(true);
      expect(response.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
    }

    // A second publish sends nothing; a promotion sends only the changed metadata, and the bench follows.
    expect(await publish()).toEqual({ packsUploaded: 0, metadataWritten: 0 });
    promote(fixture.context(), fixture.keys, { family: FAMILY, version: '1.1.0', to: 'stable' });
    expect(await publish()).toEqual({ packsUploaded: 0, metadataWritten: 3 });
    const stableBench = new PackManager({
      dataDir: tempDir(),
      bundledRoot: fixture.rootV1,
      bench: benchTrustProfile({ benchId: 'bench-fedcba9876543210', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true }),
    });
    expect(await stableBench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.1.0', resolvedBy: 'default channel stable' });

    // Evidence: who (token role and actor), what, when; packs recorded before the metadata that names them.
    const evidence = await callAs(TEST_ADMIN_TOKEN, server.url, 'GET', `${ADMIN_EVIDENCE_PATH}?limit=100`);
    const entries = (evidence.body as { role: string; actor: string; action: string; at: string; detail: { path?: string; files?: { path: string }[]; ticket?: string } }[]).reverse();
    expect(entries.map((e) => e.action)).toEqual(['release.pack_uploaded', 'release.pack_uploaded', 'release.metadata_published', 'release.metadata_published']);
    expect(entries.every((e) => e.role === 'release' && e.actor === 'alice')).toBe(true);
    expect(entries[2]?.detail.files?.map((f) => f.path)).toEqual(['root/1.root.json', `index/${FAMILY}.json`, 'snapshot.json', 'timestamp.json']);
    expect(entries[2]?.detail.ticket).toBe('REL-7');

    // Canary health counts time since publish from the server's own record of the pack upload.
    const health = await callAs(TEST_RELEASE_TOKEN, server.url, 'GET', releaseHealthPath(FAMILY, '1.1.0'));
    expect(health.status).toBe(200);
    const upload = entries.find((e) => e.action === 'release.pack_uploaded' && e.detail.path?.endsWith('/1.1.0.injpack'));
    expect(upload).toBeDefined();
    expect((health.body as { publishedAt: string | null }).publishedAt).toBe(upload?.at);
  });

  it('serves resumable pack downloads: Range gives 206 with exactly those bytes, If-Range and bad ranges handled', async () => {
    fixture.publish(makePack(FAMILY, '1.0.0', 1, { files: [{ path: 'calibration.json', bytes: Buffer.from('{}') }, { path: 'big.bin', bytes: Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251)) }] }));
    await publish();
    const packPath = `packs/${FAMILY}/1.0.0.injpack`;
    const whole = repoFile(packPath);
    const url = new URL(packPath, repoUrl);
    const etag = `"${sha256(whole)}"`;

    // A download cut after 100,000 bytes resumes from there and ends with the same bytes.
    const first = Buffer.from(await (await fetch(url, { headers: { range: 'bytes=0-99999' } })).arrayBuffer());
    const rest = await fetch(url, { headers: { range: 'bytes=100000-', 'if-range': etag } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes 100000-${whole.length - 1}/${whole.length}`);
    expect(Buffer.concat([first, Buffer.from(await rest.arrayBuffer())]).equals(whole)).toBe(true);

    const middle = await fetch(url, { headers: { range: 'bytes=1000-1999' } });
    expect(middle.status).toBe(206);
    expect(Buffer.from(await middle.arrayBuffer()).equals(whole.subarray(1000, 2000))).toBe(true);
    const suffix = await fetch(url, { headers: { range: 'bytes=-500' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(whole.subarray(whole.length - 500))).toBe(true);

    const beyond = await fetch(url, { headers: { range: `bytes=${whole.length + 10}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.length}`);
    // The client's partial copy is of other bytes: the whole pack, not a range of the new one.
    const changed = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': '"0000"' } });
    expect(changed.status).toBe(200);
    expect(Buffer.from(await changed.arrayBuffer()).length).toBe(whole.length);
    const cached = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(cached.status).toBe(304);
  });

  it('refuses a tampered upload, a pack under another name and new bytes for a published version, storing nothing', async () => {
    const pack = makePack(FAMILY, '1.0.0', 1);
    const packPath = `packs/${FAMILY}/1.0.0.injpack`;
    const tampered = Buffer.from(pack.bytes);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 0xff, tampered.length - 1);
    const refused = await uploadRaw(packPath, tampered, sha256(pack.bytes));
    expect(refused.status).toBe(422);
    expect(refused.body.error?.code).toBe('HASH_MISMATCH');
    // A pack of 1.0.0 uploaded as 2.0.0 is refused by its own manifest.
    const renamed = await uploadRaw(`packs/${FAMILY}/2.0.0.injpack`, pack.bytes, sha256(pack.bytes));
    expect(renamed.body.error?.code).toBe('METADATA_REFUSED');
    const garbage = Buffer.from('not a pack at all');
    expect((await uploadRaw(packPath, garbage, sha256(garbage))).body.error?.code).toBe('METADATA_REFUSED');
    // Nothing was kept: no pack named, no blob on disk, no partial upload left.
    const state = await callAs(TEST_RELEASE_TOKEN, server.url, 'GET', RELEASE_STATE_PATH);
    expect(state.body).toEqual({ files: [], packs: [] });
    expect(readdirSync(path.join(server.blobDir, 'incoming'))).toEqual([]);
    expect(readdirSync(path.join(server.blobDir, 'sha256'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())).toEqual([]);
    expect((await fetch(new URL(packPath, repoUrl))).status).toBe(404);

    expect((await uploadRaw(packPath, pack.bytes, sha256(pack.bytes))).status).toBe(201);
    expect((await uploadRaw(packPath, pack.bytes, sha256(pack.bytes))).status).toBe(200);
    const other = makePack(FAMILY, '1.0.0', 1, { note: 'rebuilt' });
    const conflict = await uploadRaw(packPath, other.bytes, sha256(other.bytes));
    expect(conflict.status).toBe(409);
    expect(conflict.body.error?.code).toBe('CONFLICT');
    expect(Buffer.from(await (await fetch(new URL(packPath, repoUrl))).arrayBuffer()).equals(pack.bytes)).toBe(true);
  });

  it('never serves metadata naming a pack it lacks, nor an older timestamp, nor unsigned or wrongly signed metadata', async () => {
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    await publish();
    const servedTimestamp = repoFile('timestamp.json');
    const oldTimestamp = Buffer.from(servedTimestamp);

    // Metadata naming 1.1.0 before its pack was uploaded: refused as a whole, the old view still served.
    fixture.publish(makePack(FAMILY, '1.1.0', 2));
    const metadata = ['root/1.root.json', `index/${FAMILY}.json`, 'snapshot.json', 'timestamp.json'].map((name) => ({ path: name, bytes: repoFile(name) }));
    const missing = await postMetadata(metadata);
    expect(missing.status).toBe(409);
    expect((missing.body as { error: { code: string } }).error.code).toBe('MISSING_PACK');
    expect(Buffer.from(await (await fetch(new URL('timestamp.json', repoUrl))).arrayBuffer()).equals(servedTimestamp)).toBe(true);
    const bench = benchOnServer();
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.0.0' });

    // The client orders it right: the pack first, then the metadata.
    expect(await publish()).toEqual({ packsUploaded: 1, metadataWritten: 3 });
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.1.0' });

    // An older timestamp (a replay of the first one) is a rollback.
    const older = await postMetadata([{ path: 'timestamp.json', bytes: oldTimestamp }]);
    expect(older.status).toBe(409);
    expect((older.body as { error: { code: string } }).error.code).toBe('ROLLBACK');
    // A new snapshot without its timestamp would leave the served timestamp naming another snapshot.
    fixture.refresh();
    const alone = await postMetadata([{ path: 'snapshot.json', bytes: repoFile('snapshot.json') }]);
    expect((alone.body as { error: { code: string } }).error.code).toBe('METADATA_REFUSED');
    // Unsigned, garbage and signed by a key the root does not name.
    const unsigned = Buffer.from(JSON.stringify({ signed: Buffer.from('{"type":"timestamp"}').toString('base64'), signatures: [] }));
    expect(((await postMetadata([{ path: 'timestamp.json', bytes: unsigned }])).body as { error: { code: string } }).error.code).toBe('METADATA_REFUSED');
    expect(((await postMetadata([{ path: 'timestamp.json', bytes: Buffer.from('{oops') }])).body as { error: { code: string } }).error.code).toBe('METADATA_REFUSED');
    const forged = Buffer.from(signDocument('timestamp', { ...fixture.payload('timestamp.json'), version: 999 }, [generateKeyPair()]));
    const forgedAnswer = await postMetadata([{ path: 'timestamp.json', bytes: forged }]);
    expect((forgedAnswer.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'METADATA_REFUSED', message: expect.stringMatching(/BAD_SIGNATURE/) });
    // None of it was stored: the bench still updates cleanly.
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.1.0', changed: false });
  });

  it('after a timestamp key rotation, accepts the recovered repository over a stolen key\'s v999999 and the bench recovers', async () => {
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    await publish();
    const bench = benchOnServer();
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.0.0' });
    // A thief with the timestamp key (and a release token) publishes version 999999; benches take it.
    const stolen = fixture.keys.timestamp;
    const forged = (): Buffer => Buffer.from(signDocument('timestamp', { ...fixture.payload('timestamp.json'), version: 999_999 }, [stolen]));
    expect((await postMetadata([{ path: 'timestamp.json', bytes: forged() }])).status).toBe(200);
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.0.0', changed: false });
    expect(bench.readState().trusted.timestamp?.version).toBe(999_999);
    // Every honest timestamp is now older, on the server as on the bench.
    fixture.publish(makePack(FAMILY, '1.1.0', 2));
    await expect(publish()).rejects.toThrow(/timestamp version 3 is not newer than the version 999999 the server serves/);

    // rotate-root --roles timestamp: root v2, everything re-signed with the new key; the server and the bench forget v999999.
    const newTimestampKey = { ...generateKeyPair(), development: false };
    rotateRoot(fixture.context(), fixture.keys.root, { timestamp: newTimestampKey }, { resignWith: { index: fixture.keys.index, timestamp: newTimestampKey } });
    fixture.keys.timestamp = newTimestampKey;
    await publish();
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.1.0', changed: true });
    expect(bench.readState().trusted.timestamp?.version).toBeLessThan(100);
    // The stolen key's timestamp no longer verifies anywhere.
    const refused = await postMetadata([{ path: 'timestamp.json', bytes: forged() }]);
    expect((refused.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'METADATA_REFUSED', message: expect.stringMatching(/BAD_SIGNATURE/) });
  });

  it('after a director key rotation, serves a new directive chain at seq 1 over a stolen key\'s seq 999999', async () => {
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    fixture.publish(makePack(FAMILY, '1.1.0', 2));
    await publish();
    const audit = { actor: 'workshop-admin', reason: 'recover the director', ticket: 'SEC-9' };
    const putDirective = (bytes: Buffer) => callAs(TEST_ADMIN_TOKEN, server.url, 'PUT', adminDirectivePath(BENCH_ID), { directiveBase64: bytes.toString('base64') });
    const sign = (previousBytes: Buffer | null, seq: number | null, channel: 'canary' | 'stable', key: KeyPair): Buffer => {
      const directive = nextDirective({ root: latestRoot(fixture.repo).root, previousBytes, benchId: BENCH_ID, family: FAMILY, assignment: { channel }, audit, now: new Date() });
      return Buffer.from(signDocument('directive', seq === null ? directive : { ...directive, seq }, [key]));
    };
    // A thief with the director key (and an admin token) serves seq 999999; the bench takes it.
    const stolen = sign(null, 999_999, 'canary', fixture.keys.director);
    expect((await putDirective(stolen)).status).toBe(200);
    const bench = benchOnServer();
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.1.0', resolvedBy: 'directive seq 999999 channel canary' });

    // rotate-root --roles director, root v2 published; the honest chain restarts at seq 1 with the new key.
    const newDirectorKey = generateKeyPair();
    rotateRoot(fixture.context(), fixture.keys.root, { director: newDirectorKey });
    await publish();
    const fresh = sign(null, null, 'canary', newDirectorKey);
    expect((await putDirective(fresh)).status).toBe(200);
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.1.0', resolvedBy: 'directive seq 1 channel canary' });
    expect(bench.readState().trusted.directive?.seq).toBe(1);
    // The stolen key's directive is refused by the server now, and other bytes at seq 1 under the new key too.
    const again = await putDirective(sign(null, 1_000_000, 'stable', fixture.keys.director));
    expect((again.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'METADATA_REFUSED', message: expect.stringMatching(/BAD_SIGNATURE/) });
    const replay = await putDirective(sign(null, 1, 'stable', newDirectorKey));
    expect((replay.body as { error: { code: string } }).error.code).toBe('ROLLBACK');
  });

  it('serves only repository paths: traversal and unknown names are 404', async () => {
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    await publish();
    for (const probe of ['..%2f..%2fserver.sqlite', 'packs/..%2f..%2fetc%2fpasswd', `index/%2e%2e%2f${FAMILY}.json`, 'index/../timestamp.json', 'packs/../../../../etc/passwd', 'evidence.jsonl', 'root/0.root.json', 'packs/x/1.0.0.injpack', 'blobs/sha256']) {
      // A raw request: fetch would normalise the dots away before sending.
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.get({ host: '127.0.0.1', port: server.port, path: `/api/v1/repository/${probe}` }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
      });
      expect(status, probe).toBe(404);
    }
  });

  it('gives each token only its rights: release publishes only, admin cannot publish packs, no token reads only', async () => {
    const pack = makePack(FAMILY, '1.0.0', 1);
    expect((await uploadRaw(`packs/${FAMILY}/1.0.0.injpack`, pack.bytes, sha256(pack.bytes), TEST_ADMIN_TOKEN)).status).toBe(403);
    expect((await uploadRaw(`packs/${FAMILY}/1.0.0.injpack`, pack.bytes, sha256(pack.bytes), 'not-a-token')).status).toBe(401);
    expect((await callAs(TEST_RELEASE_TOKEN, server.url, 'POST', ADMIN_CODES_PATH, {})).status).toBe(403);
    expect((await callAs(TEST_RELEASE_TOKEN, server.url, 'GET', ADMIN_EVIDENCE_PATH)).status).toBe(403);
    expect((await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', RELEASE_STATE_PATH)).status).toBe(403);
    expect((await callAs(null, server.url, 'GET', RELEASE_STATE_PATH)).status).toBe(401);
  });

  it('publishes a signed directive for a bench through the admin API; the bench follows its pin', async () => {
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    fixture.publish(makePack(FAMILY, '1.1.0', 2));
    await publish();
    const { root } = latestRoot(fixture.repo);
    const audit = { actor: 'workshop-admin', reason: 'hold this bench on 1.0.0', ticket: 'OPS-3' };
    const first = nextDirective({ root, previousBytes: null, benchId: BENCH_ID, family: FAMILY, assignment: { version: '1.0.0', sha256: makePack(FAMILY, '1.0.0', 1).manifestSha256 }, audit, now: new Date() });
    const firstBytes = Buffer.from(signDocument('directive', first, [fixture.keys.director]));
    // The release token may not pin benches; the admin may.
    expect((await callAs(TEST_RELEASE_TOKEN, server.url, 'PUT', adminDirectivePath(BENCH_ID), { directiveBase64: firstBytes.toString('base64') })).status).toBe(403);
    const put = await callAs(TEST_ADMIN_TOKEN, server.url, 'PUT', adminDirectivePath(BENCH_ID), { directiveBase64: firstBytes.toString('base64') });
    expect(put.status).toBe(200);
    expect(Buffer.from(await (await fetch(new URL(`directives/${BENCH_ID}.json`, repoUrl))).arrayBuffer()).equals(firstBytes)).toBe(true);

    const bench = benchOnServer();
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.0.0', resolvedBy: 'directive seq 1 pin' });

    // Replaying seq 1 after seq 2, or a directive signed by a non-director key, is refused.
    const second = nextDirective({ root, previousBytes: firstBytes, benchId: BENCH_ID, family: FAMILY, assignment: { channel: 'canary' }, audit, now: new Date() });
    const secondBytes = Buffer.from(signDocument('directive', second, [fixture.keys.director]));
    expect((await callAs(TEST_ADMIN_TOKEN, server.url, 'PUT', adminDirectivePath(BENCH_ID), { directiveBase64: secondBytes.toString('base64') })).status).toBe(200);
    const replay = await callAs(TEST_ADMIN_TOKEN, server.url, 'PUT', adminDirectivePath(BENCH_ID), { directiveBase64: firstBytes.toString('base64') });
    expect((replay.body as { error: { code: string } }).error.code).toBe('ROLLBACK');
    const third = nextDirective({ root, previousBytes: secondBytes, benchId: BENCH_ID, family: FAMILY, assignment: { channel: 'stable' }, audit, now: new Date() });
    const wrongKey = await callAs(TEST_ADMIN_TOKEN, server.url, 'PUT', adminDirectivePath(BENCH_ID), { directiveBase64: Buffer.from(signDocument('directive', third, [fixture.keys.index])).toString('base64') });
    expect((wrongKey.body as { error: { code: string } }).error.code).toBe('METADATA_REFUSED');
    const forOther = await callAs(TEST_ADMIN_TOKEN, server.url, 'PUT', adminDirectivePath('bench-fedcba9876543210'), { directiveBase64: Buffer.from(signDocument('directive', third, [fixture.keys.director])).toString('base64') });
    expect((forOther.body as { error: { code: string } }).error.code).toBe('METADATA_REFUSED');
    // seq 4 chained to a seq 3 the server never served: a bench on seq 2 could not check it, so it is not served.
    const thirdBytes = Buffer.from(signDocument('directive', third, [fixture.keys.director]));
    const fourth = nextDirective({ root, previousBytes: thirdBytes, benchId: BENCH_ID, family: FAMILY, assignment: { channel: 'stable' }, audit, now: new Date() });
    const gap = await callAs(TEST_ADMIN_TOKEN, server.url, 'PUT', adminDirectivePath(BENCH_ID), { directiveBase64: Buffer.from(signDocument('directive', fourth, [fixture.keys.director])).toString('base64') });
    expect(gap.body).toMatchObject({ error: { code: 'METADATA_REFUSED', message: expect.stringContaining('skips seq 3') as string } });
    expect(await bench.update(httpSource(repoUrl), FAMILY)).toMatchObject({ version: '1.1.0', resolvedBy: 'directive seq 2 channel canary' });

    const evidence = await callAs(TEST_SUPPORT_TOKEN, server.url, 'GET', `${ADMIN_EVIDENCE_PATH}?action=directive.published`);
    expect((evidence.body as { role: string }[]).map((e) => e.role)).toEqual(['admin', 'admin']);
  });

  it('hands a bench its first directive at enrolment when one was published for its id', async () => {
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    await publish();
    const bench = openTestBench(tempDir());
    const outbox = new SyncOutbox({ store: bench.store, identity: bench.identity, integrityLog: bench.log, logger: silentLogger() });
    try {
      const benchId = bench.identity.benchId;
      const { root } = latestRoot(fixture.repo);
      const directive = nextDirective({ root, previousBytes: null, benchId, family: FAMILY, assignment: { channel: 'stable' }, audit: { actor: 'admin', reason: 'new bench for workshop 7', ticket: 'OPS-9' }, now: new Date() });
      const bytes = Buffer.from(signDocument('directive', directive, [fixture.keys.director]));
      expect((await callAs(TEST_ADMIN_TOKEN, server.url, 'PUT', adminDirectivePath(benchId), { directiveBase64: bytes.toString('base64') })).status).toBe(200);
      const enrolled = await outbox.enrol(server.url, await newEnrolmentCode(server.url));
      expect(Buffer.from(enrolled.directive ?? '', 'base64').equals(bytes)).toBe(true);
      const logged = bench.localEntries().find((entry) => entry.type === 'sync.enrolled');
      expect(JSON.parse(logged?.payloadJson ?? '{}')).toMatchObject({ benchId, firstDirectiveSha256: sha256(bytes) });

      // A bench without a directive gets none (and no key an older bench would not know).
      const plain = openTestBench(tempDir());
      try {
        expect((await plain.outbox.enrol(server.url, await newEnrolmentCode(server.url))).directive).toBeUndefined();
      } finally {
        plain.close();
      }
    } finally {
      bench.close();
    }
  });

  it('never serves a pack whose upload was cut off, and keeps no partial file', async () => {
    const pack = makePack(FAMILY, '1.0.0', 1, { files: [{ path: 'calibration.json', bytes: Buffer.from('{}') }, { path: 'big.bin', bytes: Buffer.alloc(2_000_000, 7) }] });
    const packPath = `packs/${FAMILY}/1.0.0.injpack`;
    await new Promise<void>((resolve) => {
      const request = http.request({
        host: '127.0.0.1',
        port: server.port,
        method: 'PUT',
        path: `${RELEASE_PACKS_PREFIX}/${packPath}`,
        headers: { authorization: `Bearer ${TEST_RELEASE_TOKEN}`, 'content-type': 'application/octet-stream', 'content-length': String(pack.bytes.length), [SHA256_HEADER]: sha256(pack.bytes) },
      });
      request.on('error', () => resolve());
      request.write(pack.bytes.subarray(0, 1_000_000), () => {
        // The publisher's connection drops half way.
        setTimeout(() => {
          request.destroy();
          resolve();
        }, 100);
      });
    });
    const deadline = Date.now() + 5000;
    while (readdirSync(path.join(server.blobDir, 'incoming')).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(path.join(server.blobDir, 'incoming'))).toEqual([]);
    expect((await fetch(new URL(packPath, repoUrl))).status).toBe(404);
    expect((await callAs(TEST_RELEASE_TOKEN, server.url, 'GET', RELEASE_STATE_PATH)).body).toEqual({ files: [], packs: [] });
    // Sent again whole, it is stored and served.
    expect((await uploadRaw(packPath, pack.bytes, sha256(pack.bytes))).status).toBe(201);
    expect(Buffer.from(await (await fetch(new URL(packPath, repoUrl))).arrayBuffer()).equals(pack.bytes)).toBe(true);
  });
});
