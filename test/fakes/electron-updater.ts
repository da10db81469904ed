/**
 * A fake of electron-updater's AppUpdater with the behaviours the adapter must handle copied from the real
 * class: assigning `channel` turns `allowDowngrade` on; a custom provider is constructed by the updater
 * and asked for the latest version at each check; downloads go through `httpExecutor.download`.
 */
import { SemVer } from 'semver';
import type { ElectronUpdater } from '../../electron/main/app-updater';

type CheckResult = Awaited<ReturnType<ElectronUpdater['checkForUpdates']>>;
interface CustomFeed {
  provider: 'custom';
  updateProvider: new (configuration: unknown, updater: unknown, runtime: unknown) => {
    getLatestVersion(): Promise<{ version: string; releaseDate?: string; files: unknown[] }>;
    resolveFiles(info: unknown): Array<{ url: URL }>;
  };
}

export class FakeAppUpdater {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  allowDowngrade = false;
  allowPrerelease = false;
  disableWebInstaller = false;
  disableDifferentialDownload = false;
  forceDevUpdateConfig = false;
  fullChangelog = false;
  logger: ElectronUpdater['logger'] = null;
  isUserWithinRollout: ElectronUpdater['isUserWithinRollout'] = () => false;
  readonly currentVersion: SemVer;
  feed: unknown = null;
  #channel: string | null = null;
  /** allowDowngrade as it was at each checkForUpdates call. */
  readonly downgradeAllowedAtCheck: boolean[] = [];
  /** What electron-updater's own executor was asked to download (the adapter replaces it). */
  readonly executorDownloads: string[] = [];
  httpExecutor = {
    download: async (url: URL, destination: string): Promise<string> => {
      this.executorDownloads.push(url.href);
      return destination;
    },
  };
  #lastInfo: unknown = null;
  readonly installs: Array<{ isSilent: boolean | undefined; isForceRunAfter: boolean | undefined }> = [];

  constructor(version = '1.4.0') {
    this.currentVersion = new SemVer(version);
  }
  get channel(): string | null {
    return this.#channel;
  }
  set channel(value: string | null) {
    this.#channel = value;
    this.allowDowngrade = true;
  }
  setFeedURL(options: unknown): void {
    this.feed = options;
  }
  #provider() {
    const feed = this.feed as CustomFeed;
    return new feed.updateProvider(feed, this, {});
  }
  async checkForUpdates(): Promise<CheckResult> {
    this.downgradeAllowedAtCheck.push(this.allowDowngrade);
    const info = await this.#provider().getLatestVersion();
    this.#lastInfo = info;
    const isUpdateAvailable = this.allowDowngrade ? info.version !== this.currentVersion.version : new SemVer(info.version).compare(this.currentVersion) > 0;
    return { isUpdateAvailable, updateInfo: info, versionInfo: info } as never;
  }
  async downloadUpdate(): Promise<string[]> {
    const [file] = this.#provider().resolveFiles(this.#lastInfo);
    if (!file) throw new Error('no file');
    return [await this.httpExecutor.download(file.url, '/tmp/injector-bench-update.AppImage')];
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push({ isSilent, isForceRunAfter });
  }
}
