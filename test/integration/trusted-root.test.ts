/**
 * `injbench server --trusted-root FILE` pins root 1: a release repository whose root 1 is another (other
 * keys, an attacker's or a mistaken repository) is refused with UNTRUSTED_ROOT and nothing is served; the
 * pinned repository publishes; a server whose store already serves another root 1 does not start with the
 * pin; a root other than version 1 cannot be pinned. Without a pin the first root is trusted on first use,
 * as before. SQLite and PostgreSQL.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { publishRepositoryToServer } from '../../common/central-api/release-publish';
import type { CentralServer } from '../../server/central-server';
import { TEST_RELEASE_TOKEN, startTestServer } from '../helpers/central-server';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { createTrustFixture, makePack, type TrustFixture } from '../helpers/trust-fixture';

const FAMILY = 'syn-family';

describeEachDialect('pinned trusted root', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase | null = null;
  let server: CentralServer | null = null;

  afterEach(async () => {
    await server?.close();
    await database?.drop();
    server = null;
    database = null;
  });

  function repository(): TrustFixture {
    const fixture = createTrustFixture(tempDir);
    fixture.clock.now = new Date();
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    return fixture;
  }

  const rootFile = (fixture: TrustFixture): string => {
    const file = path.join(tempDir(), 'trusted-root.json');
    writeFileSync(file, fixture.rootV1);
    return file;
  };

  const publish = (fixture: TrustFixture, url: string) =>
    publishRepositoryToServer({ repoDir: fixture.repo, serverUrl: url, token: TEST_RELEASE_TOKEN, actor: 'alice', reason: 'test', ticket: 'REL-2', print: () => undefined });

  it('refuses a repository with another root 1, publishes the pinned one, and will not start on a store holding another root', async () => {
    const ours = repository();
    const theirs = repository();
    database = await createTestDatabase(dialect, tempDir());
    const blobDir = path.join(tempDir(), 'blobs');
    server = await startTestServer(database.url, { blobDir, trustedRootFile: rootFile(ours) });
    expect(server.trustedRootSha256).toMatch(/^[0-9a-f]{64}$/);

    const refused = await publish(theirs, server.url).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'UNTRUSTED_ROOT' });
    expect((refused as Error).message).toMatch(/root\/1\.root\.json \(SHA-256 [0-9a-f]{64}\) is not the root this server was started with \(--trusted-root, SHA-256 [0-9a-f]{64}\); refused/);
    expect((await fetch(new URL('/api/v1/repository/root/1.root.json', server.url))).status).toBe(404);
    expect((await fetch(new URL('/api/v1/repository/timestamp.json', server.url))).status).toBe(404);

    await publish(ours, server.url);
    const served = await fetch(new URL('/api/v1/repository/root/1.root.json', server.url));
    expect(Buffer.from(await served.arrayBuffer()).equals(ours.rootV1)).toBe(true);
    await server.close();
    server = null;

    // The same store with the other repository's root pinned: the server refuses to start.
    await expect(startTestServer(database.url, { blobDir, trustedRootFile: rootFile(theirs) })).rejects.toMatchObject({ code: 'UNTRUSTED_ROOT' });
    // With its own root pinned it starts and serves as before.
    server = await startTestServer(database.url, { blobDir, trustedRootFile: rootFile(ours) });
    expect((await fetch(new URL('/api/v1/repository/timestamp.json', server.url))).status).toBe(200);
  });

  it('pins only a valid root version 1, and without a pin trusts the first root published', async () => {
    const ours = repository();
    database = await createTestDatabase(dialect, tempDir());
    const notRoot = path.join(tempDir(), 'timestamp.json');
    writeFileSync(notRoot, readFileSync(path.join(ours.repo, 'timestamp.json')));
    await expect(startTestServer(database.url, { trustedRootFile: notRoot })).rejects.toMatchObject({ code: 'METADATA_REFUSED' });
    const rotated = path.join(tempDir(), '2.root.json');
    writeFileSync(rotated, ours.writeRoot((root) => void (root.version = 2), [ours.keys.root]));
    await expect(startTestServer(database.url, { trustedRootFile: rotated })).rejects.toMatchObject({ code: 'UNTRUSTED_ROOT', message: expect.stringContaining('is root version 2; pin root version 1') as unknown });

    server = await startTestServer(database.url);
    expect(server.trustedRootSha256).toBeNull();
    await publish(repository(), server.url);
    expect((await fetch(new URL('/api/v1/repository/root/1.root.json', server.url))).status).toBe(200);
  });
});
