/**
 * The central server's /app-updates/ routes on 127.0.0.1, against SQLite and PostgreSQL: what a release
 * manager uploads and signs is served byte for byte; unsigned, foreign-key, expired, wrong-channel,
 * replayed and dangling releases are refused with nothing stored; only installers the channel's release
 * names are served; the release token is needed to write; every publish leaves server evidence.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { publishAppRelease, servedAppRelease } from '../../common/central-api/app-release-publish';
import { publishRepositoryToServer } from '../../common/central-api/release-publish';
import { ADMIN_EVIDENCE_PATH, RELEASE_APP_FILES_PREFIX, SHA256_HEADER, releaseAppChannelPath } from '../../common/central-api/paths';
import type { CentralServer } from '../../server/central-server';
import { appReleaseSchema, signAppRelease, type AppReleaseDocument } from '../../trust/app-release';
import { generateKeyPair, type KeyPair } from '../../trust/crypto';
import { SPEC } from '../../trust/schemas';
import { openTrustedRoot } from '../../trust/trust-client';
import { TEST_ADMIN_TOKEN, TEST_RELEASE_TOKEN, callAs, startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { createTrustFixture, type TrustFixture } from '../helpers/trust-fixture';

const audit = { actor: 'Rita Release', reason: 'app 1.5.0', ticket: 'REL-15' };
const NAME = 'injector-bench-1.5.0-linux-x86_64.AppImage';

describeEachDialect('central server app updates', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase;
  let server: CentralServer;
  let fixture: TrustFixture;
  let installer: Buffer;

  beforeEach(async () => {
    database = await createTestDatabase(dialect, tempDir());
    fixture = createTrustFixture(tempDir);
    fixture.clock.now = new Date();
    fixture.refresh();
    server = await startTestServer(database.url, { blobDir: path.join(tempDir(), 'blobs') });
    await publishRepositoryToServer({ repoDir: fixture.repo, serverUrl: server.url, token: TEST_RELEASE_TOKEN, actor: 'rita', print: () => undefined });
    installer = randomBytes(100 * 1024);
  });

  afterEach(async () => {
    await server.close();
    await database.drop();
  });

  async function upload(bytes: Buffer, name = NAME, token = TEST_RELEASE_TOKEN): Promise<number> {
    const response = await fetch(new URL(`${RELEASE_APP_FILES_PREFIX}/${name}`, server.url), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', [SHA256_HEADER]: createHash('sha256').update(bytes).digest('hex') },
      body: new Uint8Array(bytes),
    });
    await response.body?.cancel();
    return response.status;
  }

  function release(change: Partial<AppReleaseDocument> = {}): AppReleaseDocument {
    const now = Date.now();
    return appReleaseSchema.parse({
      type: 'app_release',
      spec: SPEC,
      channel: 'canary',
      sequence: 1,
      version: '1.5.0',
      issued_at: new Date(now).toISOString(),
      expires: new Date(now + 86_400_000).toISOString(),
      promoted_from: null,
      files: [{ platform: 'linux-x64', name: NAME, size: installer.length, sha256: createHash('sha256').update(installer).digest('hex'), sha512: createHash('sha512').update(installer).digest('base64') }],
      ...audit,
      ...change,
    });
  }

  const post = (document: AppReleaseDocument, signers: KeyPair[], channel = document.channel, token = TEST_RELEASE_TOKEN) =>
    callAs(token, server.url, 'POST', releaseAppChannelPath(channel), { releaseBase64: Buffer.from(signAppRelease(document, signers)).toString('base64') });

  const get = (urlPath: string) => fetch(new URL(urlPath, server.url));

  it('serves what app-publish uploaded and signed, byte for byte, and records the publish', async () => {
    const file = path.join(tempDir(), NAME);
    writeFileSync(file, installer);
    await publishAppRelease(
      { serverUrl: server.url, token: TEST_RELEASE_TOKEN },
      { channel: 'canary', version: '1.5.0', installers: [{ platform: 'linux-x64', file }], releaseKey: fixture.keys.index, root: openTrustedRoot(fixture.rootV1), audit, now: new Date(), print: () => undefined },
    );
    const served = await servedAppRelease(server.url, 'canary', openTrustedRoot(fixture.rootV1));
    expect(served?.release).toMatchObject({ channel: 'canary', version: '1.5.0', sequence: 1 });
    const download = await get(`/app-updates/canary/${NAME}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(installer)).toBe(true);
    const ranged = await fetch(new URL(`/app-updates/canary/${NAME}`, server.url), { headers: { range: 'bytes=10-19' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(installer.subarray(10, 20))).toBe(true);
    // Not named by the stable channel's release (there is none): not served there.
    expect((await get(`/app-updates/stable/${NAME}`)).status).toBe(404);
    const evidence = await callAs(TEST_ADMIN_TOKEN, server.url, 'GET', `${ADMIN_EVIDENCE_PATH}?limit=10`);
    expect((evidence.body as { action: string }[]).map((entry) => entry.action)).toEqual(expect.arrayContaining(['release.app_file_uploaded', 'release.app_published']));
  });

  it.each([
    ['signed by a key the root does not name', () => [release(), [generateKeyPair()]] as const, 'METADATA_REFUSED'],
    ['signed by the director key', () => [release(), [fixture.keys.director]] as const, 'METADATA_REFUSED'],
    ['expired', () => [release({ issued_at: '2026-01-01T00:00:00.000Z', expires: '2026-01-02T00:00:00.000Z' }), [fixture.keys.index]] as const, 'METADATA_REFUSED'],
    ['naming an installer the server lacks', () => [release({ files: [{ ...release().files[0]!, name: 'injector-bench-1.5.0-missing.AppImage' }] }), [fixture.keys.index]] as const, 'MISSING_PACK'],
    ['naming other bytes than the server holds', () => [release({ files: [{ ...release().files[0]!, size: 5 }] }), [fixture.keys.index]] as const, 'METADATA_REFUSED'],
  ])('refuses a release %s, and serves nothing', async (_case, make, code) => {
    expect(await upload(installer)).toBe(201);
    const [document, signers] = make();
    const answer = await post(document, [...signers]);
    expect(answer.body).toMatchObject({ ok: false, error: { code } });
    expect((await get('/app-updates/canary/release.json')).status).toBe(404);
  });

  it('refuses a release posted under another channel, a replayed sequence, and writes without the release token', async () => {
    expect(await upload(installer, NAME, TEST_ADMIN_TOKEN)).toBe(403);
    expect(await upload(installer)).toBe(201);
    expect((await post(release(), [fixture.keys.index], 'canary', TEST_ADMIN_TOKEN)).status).toBe(403);
    expect((await post(release(), [fixture.keys.index], 'stable')).body).toMatchObject({ error: { code: 'METADATA_REFUSED' } });
    expect((await post(release({ sequence: 2 }), [fixture.keys.index])).status).toBe(200);
    expect((await post(release({ sequence: 2, version: '1.5.1' }), [fixture.keys.index])).body).toMatchObject({ error: { code: 'ROLLBACK' } });
    expect(await upload(randomBytes(10))).toBe(409);
    const served = await servedAppRelease(server.url, 'canary', openTrustedRoot(fixture.rootV1));
    expect(served?.release).toMatchObject({ sequence: 2, version: '1.5.0' });
  });

  it('answers 404 for odd names and channels, never touching the file system', async () => {
    for (const url of ['/app-updates/beta/release.json', '/app-updates/canary/..%2Fetc', '/app-updates/canary/.hidden', '/app-updates/canary/release.json']) {
      expect((await get(url)).status, url).toBe(404);
    }
  });
});
