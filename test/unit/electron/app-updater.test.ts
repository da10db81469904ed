import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as electron from 'electron';
import { AppImageUpdater } from 'electron-updater';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_UPDATE_EVIDENCE_FILE, createElectronUpdaterPort, startAppUpdates, type ElectronUpdater } from '../../../electron/main/app-updater';
import { updaterChannelFor } from '../../../electron/services/app-update/release-channel';
import { noAdminHold, noCodingSessions, fixedReleaseChannel } from '../../../electron/services/app-update/standalone-ports';
import { MemoryEvidenceSink } from '../../../electron/services/evidence/evidence-sink';
import { readEvidenceFile } from '../../../electron/services/evidence/json-lines-evidence-sink';
import { app } from '../../fakes/electron';
import { FakeAppUpdater } from '../../fakes/electron-updater';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';

const logger = silentLogger();
const feedUrl = 'https://central.workshop.example/app-updates/';

function checkResult(version: string, isUpdateAvailable = true) {
  const updateInfo = { version, files: [], path: `injector-bench-${version}.AppImage`, sha512: 'x', releaseDate: '2026-11-20T10:00:00.000Z' };
  return { isUpdateAvailable, updateInfo, versionInfo: updateInfo } as never;
}

describe('electron-updater adapter (fake AppUpdater)', () => {
  it('leaves every automatic behaviour off and points the generic provider at the central server', () => {
    const fake = new FakeAppUpdater();
    createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feedUrl, logger });
    expect(fake).toMatchObject({
      autoDownload: false,
      autoInstallOnAppQuit: false,
      allowDowngrade: false,
      allowPrerelease: false,
      disableWebInstaller: true,
      forceDevUpdateConfig: false,
    });
    expect(fake.feed).toEqual({ provider: 'generic', url: feedUrl });
    expect(fake.logger).not.toBeNull();
  });

  it('turns allowDowngrade back off after every channel change (the real setter turns it on)', () => {
    const fake = new FakeAppUpdater();
    const port = createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feedUrl, logger });
    for (const channel of ['canary', 'staged', 'stable', 'lts'] as const) {
      fake.allowDowngrade = false;
      port.useChannel(updaterChannelFor(channel));
      expect(fake.channel).toBe(updaterChannelFor(channel));
      expect(fake.allowDowngrade).toBe(false);
    }
  });

  it('never checks with downgrades allowed, even if something turned them on', async () => {
    const fake = new FakeAppUpdater();
    const port = createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feedUrl, logger });
    fake.channel = 'canary';
    await port.check();
    expect(fake.downgradeAllowedAtCheck).toEqual([false]);
  });

  it('reports an offer only when electron-updater says an update is available', async () => {
    const fake = new FakeAppUpdater();
    const port = createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feedUrl, logger });
    fake.nextCheck = checkResult('1.5.0');
    await expect(port.check()).resolves.toEqual({ version: '1.5.0', releaseDate: '2026-11-20T10:00:00.000Z' });
    fake.nextCheck = checkResult('1.3.0', false);
    await expect(port.check()).resolves.toBeNull();
    fake.nextCheck = null;
    await expect(port.check()).resolves.toBeNull();
  });

  it('downloads on request and installs visibly, restarting the app', async () => {
    const fake = new FakeAppUpdater();
    const port = createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feedUrl, logger });
    await port.download();
    port.install();
    expect(fake.downloads).toBe(1);
    expect(fake.installs).toEqual([{ isSilent: false, isForceRunAfter: true }]);
    expect(port.currentVersion).toBe('1.4.0');
  });

  it('lets every bench on a channel take what the channel offers (no editable rollout id)', async () => {
    const fake = new FakeAppUpdater();
    createElectronUpdaterPort(fake as unknown as ElectronUpdater, { feedUrl, logger });
    await expect(fake.isUserWithinRollout(checkResult('1.5.0'))).toBe(true);
  });
});

describe('startAppUpdates with the fake electron module', () => {
  const tempDir = useTempDirs('all');
  const common = { channel: fixedReleaseChannel('staged'), sessions: noCodingSessions, hold: noAdminHold, logger, checkEveryMs: 0 };

  afterAll(() => {
    app.isPackaged = false;
  });

  it('stays off in a development run and never creates the updater', async () => {
    app.isPackaged = false;
    const policy = await startAppUpdates(electron as never, {
      ...common,
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
    const policy = await startAppUpdates(electron as never, { ...common, serverUrl, updater: () => fake as unknown as ElectronUpdater });
    expect(policy).toBeNull();
    expect(fake.feed).toBeNull();
  });

  it('stays off, and lets the app start, when the evidence log cannot be written', async () => {
    app.isPackaged = true;
    const fake = new FakeAppUpdater();
    const policy = await startAppUpdates(electron as never, {
      ...common,
      serverUrl: 'https://central.workshop.example',
      updater: () => fake as unknown as ElectronUpdater,
      evidence: { append: () => Promise.reject(new Error('read-only file system')) },
    });
    expect(policy).toBeNull();
    expect(fake.downgradeAllowedAtCheck).toEqual([]);
  });

  it('in the packaged app, follows the bench channel and records evidence in userData', async () => {
    app.isPackaged = true;
    app.userDataPath = tempDir();
    const fake = new FakeAppUpdater();
    fake.nextCheck = checkResult('1.4.0', false);
    const policy = await startAppUpdates(electron as never, {
      ...common,
      serverUrl: 'https://central.workshop.example/',
      updater: () => fake as unknown as ElectronUpdater,
    });
    expect(policy?.state()).toMatchObject({ releaseChannel: 'staged', updaterChannel: 'staged' });
    expect(fake.channel).toBe('staged');
    expect(fake.allowDowngrade).toBe(false);
    expect(fake.feed).toEqual({ provider: 'generic', url: 'https://central.workshop.example/app-updates/' });
    const file = path.join(app.userDataPath, APP_UPDATE_EVIDENCE_FILE);
    await expect.poll(async () => (await readEvidenceFile(file)).entries.map((entry) => entry.kind)).toEqual([
      'app-update.channel.applied',
      'app-update.check.completed',
    ]);
    policy?.stop();
  });
});

/**
 * The real electron-updater, built with a fake app adapter instead of Electron's app, checking a real
 * HTTP server on 127.0.0.1: proves the channel files it fetches and that it refuses older builds once the
 * adapter has set the channel.
 */
describe('real electron-updater against a local update folder', () => {
  const tempDir = useTempDirs('all');
  let server: Server;
  let baseUrl: string;
  const requested: string[] = [];
  const published: Record<string, string> = {
    'canary-linux.yml': '1.6.0-canary.1',
    'latest-linux.yml': '1.5.0',
    'lts-linux.yml': '1.2.0',
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const name = (req.url ?? '').split('?')[0]?.replace('/app-updates/', '') ?? '';
      requested.push(name);
      const version = published[name];
      if (!version) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/yaml' });
      res.end(
        `version: ${version}\nfiles:\n  - url: injector-bench-${version}.AppImage\n    sha512: ${'A'.repeat(86)}==\n    size: 1024\npath: injector-bench-${version}.AppImage\nsha512: ${'A'.repeat(86)}==\nreleaseDate: '2026-11-20T10:00:00.000Z'\n`,
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/app-updates/`;
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  function realUpdater(version: string): AppImageUpdater {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'cache'), { recursive: true });
    const appAdapter = {
      version,
      name: 'Injector Bench',
      isPackaged: true,
      appUpdateConfigPath: path.join(dir, 'app-update.yml'),
      userDataPath: dir,
      baseCachePath: path.join(dir, 'cache'),
      whenReady: () => Promise.resolve(),
      relaunch: () => undefined,
      quit: () => undefined,
      onQuit: () => undefined,
    };
    const updater = new AppImageUpdater(null, appAdapter);
    // Electron's net module is not here: use Node's http through electron-updater's own executor base class.
    const runtime = createRequire(createRequire(import.meta.url).resolve('electron-updater'))('builder-util-runtime') as {
      HttpExecutor: new () => object;
    };
    class NodeHttpExecutor extends runtime.HttpExecutor {
      createRequest(options: object, callback: (response: unknown) => void) {
        return request(options, callback);
      }
    }
    Reflect.set(updater, 'httpExecutor', new NodeHttpExecutor());
    return updater;
  }

  it('sets allowDowngrade on whenever its channel is assigned: the behaviour the adapter undoes', () => {
    const updater = realUpdater('1.4.0');
    expect(updater.allowDowngrade).toBe(false);
    updater.channel = 'lts';
    expect(updater.allowDowngrade).toBe(true);
  });

  it('fetches <channel>-linux.yml for each bench channel and offers only newer builds', async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      console.log(`skipped: the channel file names checked here are those of linux-x64 (this is ${process.platform}-${process.arch})`);
      return;
    }
    process.env.APPIMAGE = '/opt/injector-bench/Injector_Bench.AppImage';
    try {
      const updater = realUpdater('1.4.0');
      const port = createElectronUpdaterPort(updater as unknown as ElectronUpdater, { feedUrl: baseUrl, logger });

      port.useChannel(updaterChannelFor('stable'));
      expect(updater.allowDowngrade).toBe(false);
      await expect(port.check()).resolves.toMatchObject({ version: '1.5.0' });

      port.useChannel(updaterChannelFor('canary'));
      await expect(port.check()).resolves.toMatchObject({ version: '1.6.0-canary.1' });

      // lts offers 1.2.0, older than the installed 1.4.0: moving to lts must not downgrade the bench.
      port.useChannel(updaterChannelFor('lts'));
      expect(updater.allowDowngrade).toBe(false);
      await expect(port.check()).resolves.toBeNull();

      expect(requested).toEqual(['latest-linux.yml', 'canary-linux.yml', 'lts-linux.yml']);
    } finally {
      delete process.env.APPIMAGE;
    }
  });

  it('would have downgraded without the adapter: same server, allowDowngrade left as the setter made it', async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      console.log(`skipped: linux-x64 channel file names only (this is ${process.platform}-${process.arch})`);
      return;
    }
    process.env.APPIMAGE = '/opt/injector-bench/Injector_Bench.AppImage';
    try {
      const updater = realUpdater('1.4.0');
      updater.setFeedURL({ provider: 'generic', url: baseUrl });
      updater.autoDownload = false;
      updater.isUserWithinRollout = () => true;
      updater.logger = null;
      updater.channel = 'lts';
      const result = await updater.checkForUpdates();
      expect(result?.isUpdateAvailable).toBe(true);
      expect(result?.updateInfo.version).toBe('1.2.0');
    } finally {
      delete process.env.APPIMAGE;
    }
  });
});

describe('evidence sink used by the adapter', () => {
  it('is the memory sink in tests when passed explicitly', async () => {
    app.isPackaged = true;
    const evidence = new MemoryEvidenceSink();
    const fake = new FakeAppUpdater();
    const policy = await startAppUpdates(electron as never, {
      channel: fixedReleaseChannel('lts'),
      sessions: noCodingSessions,
      hold: noAdminHold,
      logger,
      checkEveryMs: 0,
      evidence,
      serverUrl: 'https://central.workshop.example',
      updater: () => fake as unknown as ElectronUpdater,
    });
    await expect.poll(() => evidence.kinds()).toEqual(['app-update.channel.applied', 'app-update.check.completed']);
    expect(evidence.entries()[1]?.details).toMatchObject({ releaseChannel: 'lts', updaterChannel: 'lts', outcome: 'up-to-date' });
    policy?.stop();
    app.isPackaged = false;
  });
});
