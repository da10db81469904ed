/**
 * Pack downloads from the central server resume after a cut connection: a streaming proxy in front of the
 * real server destroys the socket part-way through the pack; the bench's next request asks for the
 * remainder only (Range from the bytes it holds, If-Range with the first answer's ETag), the pack is
 * verified whole and activated. A 200 to the resumption (the server's file changed) restarts from zero;
 * attempts are bounded. SQLite and PostgreSQL (the pack record comes from the store).
 */
import { benchTrustProfile } from '../../trust/bench-trust';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { publishRepositoryToServer } from '../../common/central-api/release-publish';
import { PackManager } from '../../electron/services/packs/pack-manager';
import type { CentralServer } from '../../server/central-server';
import { httpSource } from '../../trust/http-source';
import { TEST_RELEASE_TOKEN, startTestServer } from '../helpers/central-server';
import { startCuttingProxy, type CuttingProxy } from '../helpers/cutting-proxy';
import { createTestDatabase, describeEachDialect, type TestDatabase } from '../helpers/server-db';
import { useTempDirs } from '../helpers/temp-dir';
import { createTrustFixture, makePack, type TrustFixture } from '../helpers/trust-fixture';

const FAMILY = 'syn-family';
const PACK = `packs/${FAMILY}/1.0.0.injpack`;
const CUT_AT = 100_000;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describeEachDialect('resumable pack downloads', (dialect) => {
  const tempDir = useTempDirs();
  let database: TestDatabase;
  let server: CentralServer;
  let fixture: TrustFixture;
  let proxy: CuttingProxy | null = null;
  let whole: Buffer;

  beforeEach(async () => {
    database = await createTestDatabase(dialect, tempDir());
    fixture = createTrustFixture(tempDir);
    fixture.clock.now = new Date();
    server = await startTestServer(database.url, { blobDir: path.join(tempDir(), 'blobs') });
    const big = Buffer.from(Array.from({ length: 400_000 }, (_, i) => (i * 7 + (i >> 9)) % 251));
    fixture.publish(makePack(FAMILY, '1.0.0', 1, { files: [{ path: 'calibration.json', bytes: Buffer.from('{}') }, { path: 'big.bin', bytes: big }] }));
    await publishRepositoryToServer({ repoDir: fixture.repo, serverUrl: server.url, token: TEST_RELEASE_TOKEN, actor: 'alice', reason: 'test', ticket: 'REL-1', print: () => undefined });
    whole = readFileSync(path.join(fixture.repo, PACK));
  });

  afterEach(async () => {
    await proxy?.close();
    proxy = null;
    await server.close();
    await database.drop();
  });

  const benchOn = () =>
    new PackManager({
      dataDir: tempDir(),
      bundledRoot: fixture.rootV1,
      bench: benchTrustProfile({ benchId: 'bench-0123456789abcdef', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'canary', production: true }),
    });

  it('resumes a pack cut mid-transfer with Range + If-Range, asks only for the remainder, then verifies and activates it', async () => {
    proxy = await startCuttingProxy(server.url, PACK, [{ cutAfterBytes: CUT_AT }]);
    const asked: { attempt: number; range: string | null; status: number }[] = [];
    const source = httpSource(`${proxy.url}/api/v1/repository/`, { retryDelayMs: 10, onDownloadRequest: (event) => asked.push({ attempt: event.attempt, range: event.range, status: event.status }) });
    const activated = await benchOn().update(source, FAMILY);
    expect(activated).toMatchObject({ family: FAMILY, version: '1.0.0', changed: true });

    const [first, second, ...more] = proxy.requests;
    expect(more).toEqual([]);
    expect(first).toMatchObject({ range: null, ifRange: null, status: 200, cut: true, bytesSent: CUT_AT });
    // The second request names the bytes the bench already holds and the first answer's validator.
    const held = Number(/^bytes=(\d+)-$/.exec(second?.range ?? '')?.[1]);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(CUT_AT);
    expect(second).toMatchObject({ ifRange: `"${sha256(whole)}"`, status: 206, cut: false });
    // Only the remainder crossed the wire the second time.
    expect(second?.bytesSent).toBe(whole.length - held);
    expect(asked).toEqual([
      { attempt: 1, range: null, status: 200 },
      { attempt: 2, range: `bytes=${held}-`, status: 206 },
    ]);
  });

  it('starts again from zero when the server answers the resumption with 200 (its file changed), and ends with the right bytes', async () => {
    // The proxy swaps the If-Range of the resumption: to the server the bench's partial copy is of other bytes.
    proxy = await startCuttingProxy(server.url, PACK, [{ cutAfterBytes: CUT_AT }, { ifRange: '"0000"' }]);
    const destination = path.join(tempDir(), 'pack.part');
    await httpSource(`${proxy.url}/api/v1/repository/`, { retryDelayMs: 10 }).download(PACK, whole.length, destination);
    expect(proxy.requests.map((r) => [r.status, r.range !== null, r.bytesSent])).toEqual([
      [200, false, CUT_AT],
      [200, true, whole.length],
    ]);
    expect(sha256(readFileSync(destination))).toBe(sha256(whole));
  });

  it('gives up after a bounded number of attempts when every request is cut, with UNREACHABLE', async () => {
    proxy = await startCuttingProxy(server.url, PACK, [{ cutAfterBytes: 50_000 }, { cutAfterBytes: 20_000 }, { cutAfterBytes: 20_000 }]);
    const destination = path.join(tempDir(), 'pack.part');
    await expect(httpSource(`${proxy.url}/api/v1/repository/`, { retryDelayMs: 10, downloadAttempts: 3 }).download(PACK, whole.length, destination)).rejects.toMatchObject({ code: 'UNREACHABLE' });
    expect(proxy.requests).toHaveLength(3);
    expect(proxy.requests.slice(1).every((r) => r.range !== null && r.status === 206)).toBe(true);
    // A bench never activates such a copy: the pack manager verifies the whole pack's hash first.
  });
});
