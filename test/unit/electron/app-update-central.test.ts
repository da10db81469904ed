/**
 * App updates as shipped: startAppUpdates (electron/main, with the fake electron module) driving the real
 * electron-updater (AppImageUpdater, a fake app adapter, Node's http), fed by the real central server on
 * 127.0.0.1 with app releases published by the code `injbench release app-publish` runs. A tampering
 * proxy in front of the server plays the attacker for the refusals.
 */
import { once } from 'node:events';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as electron from 'electron';
import { AppImageUpdater } from 'electron-updater';
import { ElectronHttpExecutor } from 'electron-updater/out/electronHttpExecutor';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAppUpdates, type ElectronUpdater } from '../../../electron/main/app-updater';
import { AppHoldService } from '../../../electron/services/app-update/app-hold-service';
import { AppHoldStore, benchAppHold, benchReleaseChannel } from '../../../electron/services/app-update/bench-ports';
import type { AppUpdatePolicy } from '../../../electron/services/app-update/app-update-policy';
import type { AdminHoldSource, CodingSessionActivity, ReleaseChannelSource } from '../../../electron/services/app-update/ports';
import { MemoryEvidenceSink } from '../../../electron/services/evidence/evidence-sink';
import { publishAppRelease, promoteAppRelease } from '../../../common/central-api/app-release-publish';
import { publishRepositoryToServer } from '../../../common/central-api/release-publish';
import { SPEC, type ChannelName, type DirectiveDocument } from '../../../trust/schemas';
import { appReleaseSchema, signAppRelease, verifyAppRelease, type AppReleaseDocument } from '../../../trust/app-release';
import { generateKeyPair } from '../../../trust/crypto';
import { isTrustError } from '../../../trust/errors';
import { nextDirective } from '../../../trust/repository';
import { openTrustedRoot } from '../../../trust/trust-client';
import type { CentralServer } from '../../../server/central-server';
import { app } from '../../fakes/electron';
import { FakeAdminHold, FakeCodingSessions, FakeReleaseChannel } from '../../fakes/app-update-ports';
import { TEST_RELEASE_TOKEN, startTestServer } from '../../helpers/central-server';
import { createTemporaryDatabase, type TestDatabase } from '../../helpers/temporary-database';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';
import { createTrustFixture, type TrustFixture } from '../../helpers/trust-fixture';

const logger = process.env.DEBUG_APP_UPDATES ? (await import('../../../common/logger')).createLogger('t') : silentLogger();
const INSTALLED = '1.4.0';
const BENCH_ID = 'bench-00000000000000a1';
const audit = { actor: 'Rita Release', reason: 'app 1.5.0 for canary benches', ticket: 'REL-15' };

/** A proxy on 127.0.0.1 that passes requests to the central server, records them and can tamper. */
interface TamperingProxy {
  url: string;
  requests: string[];
  /** Replaces the body of release.json answers. */
  releaseBody: Buffer | null;
  /** Adds bytes after an installer; `declare` also states them in Content-Length. */
  installerExtra: { bytes: number; declare: boolean } | null;
  /** Set when the proxy wrote a tampered installer body to its end. */
  lastInstallerWrittenWhole: boolean | null;
  close(): Promise<void>;
}

async function startTamperingProxy(upstream: string): Promise<TamperingProxy> {
  const proxy: TamperingProxy = { url: '', requests: [], releaseBody: null, installerExtra: null, lastInstallerWrittenWhole: null, close: async () => undefined };
  const server: Server = createServer((request, response) => {
    const url = request.url ?? '/';
    proxy.requests.push(url);
    const upstreamRequest = httpRequest(new URL(url, upstream), { method: request.method, headers: { ...request.headers, host: new URL(upstream).host } }, (answer) => {
      const isRelease = url.endsWith('/release.json');
      const isInstaller = url.startsWith('/app-updates/') && !isRelease;
      if (isRelease && proxy.releaseBody && answer.statusCode === 200) {
        answer.resume();
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': proxy.releaseBody.length });
        response.end(proxy.releaseBody);
        return;
      }
      if (isInstaller && proxy.installerExtra && answer.statusCode === 200) {
        const extra = proxy.installerExtra;
        const length = Number(answer.headers['content-length']);
        const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream' };
        if (extra.declare) headers['content-length'] = length + extra.bytes;
        response.writeHead(200, headers);
        proxy.lastInstallerWrittenWhole = false;
        answer.pipe(response, { end: false });
        answer.on('end', () => {
          // A large tail in 64 KiB pieces, honouring back-pressure: a client that stops reading stops it.
          let left = extra.bytes;
          const piece = Buffer.alloc(64 * 1024, 0x41);
          const writeMore = (): void => {
            while (left > 0) {
              const chunk = piece.subarray(0, Math.min(piece.length, left));
              left -= chunk.length;
              if (!response.write(chunk)) {
                response.once('drain', writeMore);
                return;
              }
            }
            response.end(() => (proxy.lastInstallerWrittenWhole = true));
          };
          writeMore();
        });
        return;
      }
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstreamRequest.on('error', () => response.destroy());
    request.pipe(upstreamRequest);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

describe('app updates from the central server (fake electron, real electron-updater, real server)', () => {
  const tempDir = useTempDirs('all');
  let database: TestDatabase;
  let server: CentralServer;
  let proxy: TamperingProxy;
  let fixture: TrustFixture;
  let installer150: Buffer;
  let stable140: Buffer;
  const policies: AppUpdatePolicy[] = [];

  beforeAll(async () => {
    fixture = createTrustFixture(tempDir);
    fixture.clock.now = new Date();
    fixture.refresh();
    database = await createTemporaryDatabase('sqlite', tempDir(), undefined);
    server = await startTestServer(database.url, { blobDir: path.join(tempDir(), 'blobs') });
    await publishRepositoryToServer({ repoDir: fixture.repo, serverUrl: server.url, token: TEST_RELEASE_TOKEN, actor: 'rita', print: () => undefined });
    const builds = tempDir();
    installer150 = randomBytes(300 * 1024);
    stable140 = randomBytes(200 * 1024);
    writeFileSync(path.join(builds, 'injector-bench-1.5.0-linux-x86_64.AppImage'), installer150);
    writeFileSync(path.join(builds, 'injector-bench-1.4.0-linux-x86_64.AppImage'), stable140);
    const access = { serverUrl: server.url, token: TEST_RELEASE_TOKEN };
    const root = openTrustedRoot(fixture.rootV1);
    const common = { releaseKey: fixture.keys.index, root, audit, now: new Date(), print: () => undefined };
    // stable serves the installed version (1.4.0); canary offers 1.5.0.
    await publishAppRelease(access, { ...common, channel: 'stable', version: '1.4.0', installers: [{ platform: 'linux-x64', file: path.join(builds, 'injector-bench-1.4.0-linux-x86_64.AppImage') }] });
    await publishAppRelease(access, { ...common, channel: 'canary', version: '1.5.0', installers: [{ platform: 'linux-x64', file: path.join(builds, 'injector-bench-1.5.0-linux-x86_64.AppImage') }] });
    proxy = await startTamperingProxy(server.url);
    process.env.APPIMAGE = '/opt/injector-bench/Injector_Bench.AppImage';
  });

  afterEach(() => {
    for (const policy of policies.splice(0)) policy.stop();
    proxy.requests.length = 0;
    proxy.releaseBody = null;
    proxy.installerExtra = null;
    proxy.lastInstallerWrittenWhole = null;
  });

  afterAll(async () => {
    delete process.env.APPIMAGE;
    app.isPackaged = false;
    app.version = '0.0.0-fake';
    await proxy.close();
    await server.close();
    await database.drop();
  });

  interface Bench {
    policy: AppUpdatePolicy;
    evidence: MemoryEvidenceSink;
    installs: number[];
    cacheDir: string;
    kinds(): string[];
  }

  /** A bench app as main-process.ts starts it, with the real AppImageUpdater behind the fake electron app. */
  async function startBench(ports: { channel: ReleaseChannelSource; hold?: AdminHoldSource; sessions?: CodingSessionActivity }): Promise<Bench> {
    if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('these checks use the linux-x64 installer');
    app.isPackaged = true;
    app.version = INSTALLED;
    app.userDataPath = tempDir();
    const cacheBase = path.join(app.userDataPath, 'cache');
    mkdirSync(cacheBase, { recursive: true });
    // What electron-builder writes into the package; electron-updater reads its cache folder name from it.
    writeFileSync(path.join(app.userDataPath, 'app-update.yml'), 'provider: generic\nurl: https://central.example/app-updates/\nupdaterCacheDirName: injector-bench-updater\n');
    const updater = new AppImageUpdater(null, {
      version: INSTALLED,
      name: 'Injector Bench',
      isPackaged: true,
      appUpdateConfigPath: path.join(app.userDataPath, 'app-update.yml'),
      userDataPath: app.userDataPath,
      baseCachePath: cacheBase,
      whenReady: () => Promise.resolve(),
      relaunch: () => undefined,
      quit: () => undefined,
      onQuit: () => undefined,
    });
    // With a custom app adapter electron-updater makes no executor; give it the one it makes in Electron. Its
    // transport (Electron's net) is absent here, so every byte must come through the bench's feed.
    Reflect.set(updater, 'httpExecutor', new ElectronHttpExecutor());
    const installs: number[] = [];
    updater.quitAndInstall = () => void installs.push(Date.now());
    const evidence = new MemoryEvidenceSink();
    const policy = await startAppUpdates(electron as never, {
      updater: () => updater as unknown as ElectronUpdater,
      serverUrl: proxy.url,
      channel: ports.channel,
      hold: ports.hold ?? new FakeAdminHold(),
      sessions: ports.sessions ?? new FakeCodingSessions(),
      trustedRoot: () => ({ root: openTrustedRoot(fixture.rootV1), lastTrustedTime: null }),
      evidence,
      logger,
      checkEveryMs: 0,
    });
    if (!policy) throw new Error('app updates did not start');
    policies.push(policy);
    return { policy, evidence, installs, cacheDir: path.join(cacheBase, 'injector-bench-updater'), kinds: () => evidence.entries().map((entry) => entry.kind) };
  }

  const installerRequests = (): string[] => proxy.requests.filter((url) => url.startsWith('/app-updates/') && !url.endsWith('/release.json'));

  function pendingFiles(cacheDir: string): string[] {
    try {
      return readdirSync(path.join(cacheDir, 'pending')).filter((name) => name !== 'update-info.json');
    } catch {
      return [];
    }
  }

  it('a bench on canary gets the canary update: verified, downloaded whole, installed', async () => {
    const bench = await startBench({ channel: new FakeReleaseChannel('canary') });
    await expect(bench.policy.check('admin')).resolves.toEqual({ outcome: 'installing', version: '1.5.0' });
    expect(bench.installs).toHaveLength(1);
    const [file] = pendingFiles(bench.cacheDir);
    expect(file).toBeDefined();
    expect(readFileSync(path.join(bench.cacheDir, 'pending', file ?? '')).equals(installer150)).toBe(true);
    expect(installerRequests()).toEqual(['/app-updates/canary/injector-bench-1.5.0-linux-x86_64.AppImage']);
    expect(bench.kinds()).toEqual(['app-update.channel.applied', 'app-update.check.completed', 'app-update.download.started', 'app-update.download.completed', 'app-update.install.started']);
    expect(bench.evidence.entries()[1]?.details).toMatchObject({ releaseChannel: 'canary', offeredVersion: '1.5.0', currentVersion: INSTALLED });
  });

  it('a bench on stable, where the installed version is offered, gets nothing', async () => {
    const bench = await startBench({ channel: new FakeReleaseChannel('stable') });
    await expect(bench.policy.check('admin')).resolves.toEqual({ outcome: 'up-to-date' });
    expect(installerRequests()).toEqual([]);
    expect(bench.installs).toEqual([]);
  });

  it('a canary bench held by its admin in the app gets nothing, not even a check', async () => {
    const holds = new AppHoldStore(tempDir());
    const now = Date.now();
    holds.write({ actor: 'Ana Admin', reason: 'audit week', ticket: 'OPS-3', since: new Date(now).toISOString(), until: new Date(now + 3_600_000).toISOString() });
    const inputs = { settingsChannel: () => 'canary' as const, directive: () => null, holds };
    const bench = await startBench({ channel: benchReleaseChannel(inputs), hold: benchAppHold(inputs) });
    await expect(bench.policy.check('admin')).resolves.toMatchObject({ outcome: 'held' });
    expect(proxy.requests).toEqual([]);
    expect(bench.kinds()).toContain('app-update.check.skipped');
    expect(bench.evidence.entries().at(-1)?.details).toMatchObject({ holdActor: 'Ana Admin', holdTicket: 'OPS-3' });
  });

  /** The directive in force, as PackManager.directiveInForce gives it (the pack manager's tests verify that). */
  function signedDirective(appUpdate: { channel?: ChannelName; hold_until?: string }): DirectiveDocument {
    return nextDirective({ root: openTrustedRoot(fixture.rootV1), previousBytes: null, benchId: BENCH_ID, appUpdate, audit: { actor: 'Dora Director', reason: 'fleet freeze', ticket: 'CHG-9' }, now: new Date() });
  }

  it('a bench pinned by a signed directive (hold) gets nothing; a directive channel moves a stable bench to canary', async () => {
    const holds = new AppHoldStore(tempDir());
    const held = { settingsChannel: () => 'canary' as const, directive: () => signedDirective({ hold_until: new Date(Date.now() + 3_600_000).toISOString() }), holds };
    const heldBench = await startBench({ channel: benchReleaseChannel(held), hold: benchAppHold(held) });
    await expect(heldBench.policy.check('admin')).resolves.toMatchObject({ outcome: 'held' });
    expect(proxy.requests).toEqual([]);
    expect(heldBench.evidence.entries().at(-1)?.details).toMatchObject({ holdActor: 'Dora Director (directive seq 1)', holdTicket: 'CHG-9' });
    // The admin's view (getAppUpdateHold) shows the directive's hold beside the app's own, which is none.
    const directiveBytes = held.directive();
    expect(new AppHoldService(holds, { append: () => { throw new Error('a view writes no evidence'); } }, () => new Date(), () => directiveBytes).view()).toMatchObject({
      hold: null,
      directiveHold: { actor: 'Dora Director (directive seq 1)', reason: 'fleet freeze', ticket: 'CHG-9' },
    });

    const moved = { settingsChannel: () => 'stable' as const, directive: () => signedDirective({ channel: 'canary' }), holds };
    const movedBench = await startBench({ channel: benchReleaseChannel(moved), hold: benchAppHold(moved) });
    await expect(movedBench.policy.check('admin')).resolves.toEqual({ outcome: 'installing', version: '1.5.0' });
  });

  /** A release document signed now for canary, as an attacker or a stale mirror might serve it. */
  function releaseDocument(change: Partial<AppReleaseDocument>): AppReleaseDocument {
    const now = Date.now();
    return appReleaseSchema.parse({
      type: 'app_release',
      spec: SPEC,
      channel: 'canary',
      sequence: 50,
      version: '1.6.0',
      issued_at: new Date(now).toISOString(),
      expires: new Date(now + 86_400_000).toISOString(),
      promoted_from: null,
      files: [{ platform: 'linux-x64', name: 'injector-bench-1.5.0-linux-x86_64.AppImage', size: installer150.length, sha256: '0'.repeat(64), sha512: `${'A'.repeat(86)}==` }],
      ...audit,
      ...change,
    });
  }

  function tampered(): Buffer {
    const served = signAppRelease(releaseDocument({}), [fixture.keys.index]);
    const envelope = JSON.parse(Buffer.from(served).toString('utf8')) as { signed: string; signatures: unknown[] };
    const payload = JSON.parse(Buffer.from(envelope.signed, 'base64').toString('utf8')) as Record<string, unknown>;
    payload.version = '9.9.9';
    return Buffer.from(JSON.stringify({ ...envelope, signed: Buffer.from(JSON.stringify(payload, null, 1)).toString('base64') }));
  }

  it.each([
    ['tampered (payload changed after signing)', () => tampered(), 'BAD_SIGNATURE'],
    ['unsigned', () => Buffer.from(JSON.stringify({ signed: Buffer.from(JSON.stringify(releaseDocument({}), null, 1)).toString('base64'), signatures: [] })), 'BAD_SIGNATURE'],
    ['signed by a key the root does not name', () => Buffer.from(signAppRelease(releaseDocument({}), [generateKeyPair()])), 'BAD_SIGNATURE'],
    ['signed by the directive key, not the release key', () => Buffer.from(signAppRelease(releaseDocument({}), [fixture.keys.director])), 'BAD_SIGNATURE'],
    ['expired', () => Buffer.from(signAppRelease(releaseDocument({ issued_at: '2026-01-01T00:00:00.000Z', expires: '2026-01-31T00:00:00.000Z' }), [fixture.keys.index])), 'EXPIRED'],
    ['a downgrade', () => Buffer.from(signAppRelease(releaseDocument({ version: '1.3.0' }), [fixture.keys.index])), 'DOWNGRADE_REFUSED'],
    ['signed for stable, served on canary', () => Buffer.from(signAppRelease(releaseDocument({ channel: 'stable' }), [fixture.keys.index])), 'WRONG_TARGET'],
    ['an older sequence than the bench accepted', () => Buffer.from(signAppRelease(releaseDocument({ sequence: 1 }), [fixture.keys.index])), 'ROLLBACK'],
  ] as const)('refuses %s update metadata with a typed error and downloads nothing', async (_case, body, code) => {
    const bench = await startBench({ channel: new FakeReleaseChannel('canary') });
    if (code === 'ROLLBACK') {
      // The bench first accepts the real release (sequence 1 on this server) and a newer one (sequence 50).
      proxy.releaseBody = Buffer.from(signAppRelease(releaseDocument({ version: INSTALLED }), [fixture.keys.index]));
      await expect(bench.policy.check('admin')).resolves.toEqual({ outcome: 'up-to-date' });
    }
    proxy.releaseBody = (body as () => Buffer)();
    const outcome = await bench.policy.check('admin');
    expect(outcome).toMatchObject({ outcome: 'refused', code });
    expect(installerRequests()).toEqual([]);
    expect(pendingFiles(bench.cacheDir)).toEqual([]);
    expect(bench.installs).toEqual([]);
    expect(bench.evidence.entries().at(-1)).toMatchObject({ kind: 'app-update.check.refused', details: { code } });
  });

  it.each([
    ['in the Content-Length', true],
    ['in the body, without a length', false],
  ])('stops an installer longer than signed (%s): nothing past the signed length, nothing kept, nothing installed', async (_case, declare) => {
    const bench = await startBench({ channel: new FakeReleaseChannel('canary') });
    // 64 MiB more than signed: far more than socket buffers hold, so the proxy finishes only if the bench reads on.
    proxy.installerExtra = { bytes: 64 * 1024 * 1024, declare };
    const outcome = await bench.policy.check('admin');
    expect(outcome).toMatchObject({ outcome: 'failed' });
    // As for a pack (downloadDeclared): the body is read up to the signed length, and one byte more is a length mismatch.
    expect(bench.evidence.entries().at(-1)).toMatchObject({ kind: 'app-update.download.failed', details: { code: 'LENGTH_MISMATCH' } });
    expect(installerRequests()).toHaveLength(1);
    expect(pendingFiles(bench.cacheDir)).toEqual([]);
    expect(bench.installs).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(proxy.lastInstallerWrittenWhole).not.toBe(true);
  });

  it('an update offered during a coding session is downloaded but installs only when the session ends', async () => {
    const sessions = new FakeCodingSessions();
    sessions.begin();
    const bench = await startBench({ channel: new FakeReleaseChannel('canary'), sessions });
    await expect(bench.policy.check('admin')).resolves.toEqual({ outcome: 'install-deferred', version: '1.5.0' });
    expect(bench.installs).toEqual([]);
    expect(pendingFiles(bench.cacheDir)).toHaveLength(1);
    sessions.end();
    await expect.poll(() => bench.installs.length).toBe(1);
    expect(bench.kinds().slice(-2)).toEqual(['app-update.install.deferred', 'app-update.install.started']);
  });

  it('promotion re-signs the same installer for staged: a staged bench installs the bytes canary benches took', async () => {
    await promoteAppRelease(
      { serverUrl: server.url, token: TEST_RELEASE_TOKEN },
      { from: 'canary', to: 'staged', releaseKey: fixture.keys.index, root: openTrustedRoot(fixture.rootV1), audit: { ...audit, reason: 'canary healthy' }, now: new Date(), print: () => undefined },
    );
    const bench = await startBench({ channel: new FakeReleaseChannel('staged') });
    await expect(bench.policy.check('admin')).resolves.toEqual({ outcome: 'installing', version: '1.5.0' });
    expect(installerRequests()).toEqual(['/app-updates/staged/injector-bench-1.5.0-linux-x86_64.AppImage']);
    const [file] = pendingFiles(bench.cacheDir);
    expect(statSync(path.join(bench.cacheDir, 'pending', file ?? '')).size).toBe(installer150.length);
    expect(readFileSync(path.join(bench.cacheDir, 'pending', file ?? '')).equals(installer150)).toBe(true);
  });

  it('verifyAppRelease names a missing platform NOT_FOUND', () => {
    const bytes = signAppRelease(releaseDocument({}), [fixture.keys.index]);
    try {
      verifyAppRelease(bytes, { root: openTrustedRoot(fixture.rootV1), channel: 'canary', platform: 'win-x64', installedVersion: INSTALLED, now: new Date(), lastSequence: null });
      expect.unreachable();
    } catch (error) {
      expect(isTrustError(error, 'NOT_FOUND')).toBe(true);
    }
  });
});
