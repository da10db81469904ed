/**
 * The electron-updater adapter with a fake AppUpdater and startAppUpdates with the fake electron module:
 * electron-updater's automatic behaviours off, its feed replaced by the signed app release, its own
 * download never used. The end-to-end path against the real central server is app-update-central.test.ts.
 */
import path from 'node:path';
import * as electron from 'electron';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_UPDATE_EVIDENCE_FILE, createElectronUpdaterPort, startAppUpdates, type ElectronUpdater } from '../../../electron/main/app-updater';
import { SignedAppFeed, type VerifiedAppOffer } from '../../../electron/services/app-update/signed-app-feed';
import { readEvidenceFile } from '../../../electron/services/evidence/json-lines-evidence-sink';
import { MemoryEvidenceSink } from '../../../electron/services/evidence/evidence-sink';
import { openTrustedRoot } from '../../../trust/trust-client';
import { app } from '../../fakes/electron';
import { FakeAppUpdater } from '../../fakes/electron-updater';
import { FakeAdminHold, FakeCodingSessions, FakeReleaseChannel } from '../../fakes/app-update-ports';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';
import { createTrustFixture } from '../../helpers/trust-fixture';

const logger = silentLogger();

/** A feed whose check answers without a network, to drive the adapter alone. */
class ScriptedFeed extends SignedAppFeed {
  offer: VerifiedAppOffer | null = null;
  readonly downloads: string[] = [];
  override async check(): Promise<VerifiedAppOffer> {
    if (!this.offer) throw new Error('no offer scripted');
    return this.offer;
  }
  override async download(offer: VerifiedAppOffer, destination: string): Promise<void> {
    this.downloads.push(`${offer.url} -> ${destination}`);
  }
}

function offer(version: string, newer: boolean): VerifiedAppOffer {
  const name = `injector-bench-${version}-linux-x86_64.AppImage`;
  return {
    channel: 'canary',
    version,
    sequence: 3,
    releaseDate: '2026-11-20T10:00:00.000Z',
    newer,
    file: { platform: 'linux-x64', name, size: 1024, sha256: '0'.repeat(64), sha512: `${'A'.repeat(86)}==` },
    url: `https://central.workshop.example/app-updates/canary/${name}`,
  };
}

describe('electron-updater adapter (fake AppUpdater)', () => {
  const tempDir = useTempDirs('all');
  const feed = (): ScriptedFeed =>
    new ScriptedFeed({ serverUrl: 'https://central.workshop.example', platform: 'linux-x64', installedVersion: '1.4.0', trustedRoot: () => ({ root: openTrustedRoot(createTrustFixture(tempDir).rootV1), lastTrustedTime: null }), stateFile: path.join(tempDir(), 'state.json') });

  it('leaves every automatic behaviour off and replaces the feed by the signed app release', () => {
    const fake = new FakeAppUpdater();
    createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feed: feed(), logger });
    expect(fake).toMatchObject({ autoDownload: false, autoInstallOnAppQuit: false, allowDowngrade: false, allowPrerelease: false, disableWebInstaller: true, disableDifferentialDownload: true, forceDevUpdateConfig: false });
    expect(fake.feed).toMatchObject({ provider: 'custom' });
    expect(fake.logger).not.toBeNull();
  });

  it('never checks with downgrades allowed, even if something turned them on', async () => {
    const fake = new FakeAppUpdater();
    const scripted = feed();
    scripted.offer = offer('1.5.0', true);
    const port = createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feed: scripted, logger });
    fake.channel = 'canary';
    port.useChannel('canary');
    await port.check();
    expect(fake.downgradeAllowedAtCheck).toEqual([false]);
  });

  it('offers only a newer verified release, and downloads it through the feed, never through electron-updater', async () => {
    const fake = new FakeAppUpdater();
    const scripted = feed();
    const port = createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feed: scripted, logger });
    scripted.offer = offer('1.4.0', false);
    await expect(port.check()).resolves.toBeNull();
    scripted.offer = offer('1.5.0', true);
    await expect(port.check()).resolves.toEqual({ version: '1.5.0', releaseDate: '2026-11-20T10:00:00.000Z' });
    await port.download();
    expect(scripted.downloads).toEqual([`${offer('1.5.0', true).url} -> /tmp/injector-bench-update.AppImage`]);
    expect(fake.executorDownloads).toEqual([]);
    port.install();
    expect(fake.installs).toEqual([{ isSilent: false, isForceRunAfter: true }]);
    expect(port.currentVersion).toBe('1.4.0');
  });

  it('refuses a download of anything but the installer of the release it verified', async () => {
    const fake = new FakeAppUpdater();
    const scripted = feed();
    createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feed: scripted, logger });
    await expect(fake.httpExecutor.download(new URL('https://elsewhere.example/evil.AppImage'), '/tmp/x')).rejects.toMatchObject({ code: 'WRONG_TARGET' });
    expect(scripted.downloads).toEqual([]);
  });

  it('lets every bench on a channel take what the channel offers (no editable rollout id)', () => {
    const fake = new FakeAppUpdater();
    createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feed: feed(), logger });
    expect(fake.isUserWithinRollout({} as never)).toBe(true);
  });
});

describe('startAppUpdates with the fake electron module', () => {
  const tempDir = useTempDirs('all');
  const trustedRoot = () => ({ root: openTrustedRoot(createTrustFixture(tempDir).rootV1), lastTrustedTime: null });
  const common = () => ({ channel: new FakeReleaseChannel('staged'), sessions: new FakeCodingSessions(), hold: new FakeAdminHold(), logger, checkEveryMs: 0, trustedRoot });

  afterAll(() => {
    app.isPackaged = false;
    app.version = '0.0.0-fake';
  });

  it('stays off in a development run and never creates the updater', async () => {
    app.isPackaged = false;
    const policy = await startAppUpdates(electron as never, {
      ...common(),
      serverUrl: 'https://central.workshop.example',
      updater: () => {
        throw new Error('must not be created');
      },
    });
    expect(policy).toBeNull();
  });

  it.each([null, 'http://central.workshop.example'])('stays off without a usable central server (%s)', async (serverUrl) => {
    app.isPackaged = true;
    const fake = new FakeAppUpdater();
    const policy = await startAppUpdates(electron as never, { ...common(), serverUrl, updater: () => fake as unknown as ElectronUpdater });
    expect(policy).toBeNull();
    expect(fake.feed).toBeNull();
  });

  it('stays off, and lets the app start, when the evidence log cannot be written', async () => {
    app.isPackaged = true;
    const fake = new FakeAppUpdater();
    const policy = await startAppUpdates(electron as never, {
      ...common(),
      serverUrl: 'https://central.workshop.example',
      updater: () => fake as unknown as ElectronUpdater,
      evidence: { append: () => Promise.reject(new Error('read-only file system')) },
    });
    expect(policy).toBeNull();
    expect(fake.downgradeAllowedAtCheck).toEqual([]);
  });

  it('in the packaged app, follows the bench channel and records evidence in userData (an unreachable server is a failed check)', async () => {
    if (process.platform !== 'linux' && process.platform !== 'win32') return console.log(`skipped: no installer is built for ${process.platform}`);
    app.isPackaged = true;
    app.version = '1.4.0';
    app.userDataPath = tempDir();
    const fake = new FakeAppUpdater();
    const policy = await startAppUpdates(electron as never, { ...common(), serverUrl: 'http://127.0.0.1:9/', updater: () => fake as unknown as ElectronUpdater });
    expect(policy?.state()).toMatchObject({ releaseChannel: 'staged', currentVersion: '1.4.0' });
    const file = path.join(app.userDataPath, APP_UPDATE_EVIDENCE_FILE);
    await expect.poll(async () => (await readEvidenceFile(file)).entries.map((entry) => entry.kind), { timeout: 20_000 }).toEqual(['app-update.channel.applied', 'app-update.check.failed']);
    policy?.stop();
  });

  it('uses the evidence sink it is given', async () => {
    app.isPackaged = true;
    app.version = '1.4.0';
    const evidence = new MemoryEvidenceSink();
    const policy = await startAppUpdates(electron as never, { ...common(), evidence, serverUrl: 'http://127.0.0.1:9/', updater: () => new FakeAppUpdater() as unknown as ElectronUpdater });
    await expect.poll(() => evidence.kinds(), { timeout: 20_000 }).toEqual(['app-update.channel.applied', 'app-update.check.failed']);
    expect(evidence.entries()[1]?.details).toMatchObject({ releaseChannel: 'staged', trigger: 'start', code: 'UNREACHABLE' });
    policy?.stop();
  });
});
