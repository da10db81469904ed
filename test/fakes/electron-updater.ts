/**
 * A fake of electron-updater's AppUpdater with the one behaviour the adapter must defend against copied
 * from the real class: assigning `channel` turns `allowDowngrade` on.
 */
import { SemVer } from 'semver';
import type { ElectronUpdater } from '../../electron/main/app-updater';

type CheckResult = Awaited<ReturnType<ElectronUpdater['checkForUpdates']>>;

export class FakeAppUpdater {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  allowDowngrade = false;
  allowPrerelease = false;
  disableWebInstaller = false;
  forceDevUpdateConfig = false;
  fullChangelog = false;
  logger: ElectronUpdater['logger'] = null;
  isUserWithinRollout: ElectronUpdater['isUserWithinRollout'] = () => false;
  readonly currentVersion: SemVer;
  feed: unknown = null;
  #channel: string | null = null;
  /** allowDowngrade as it was at each checkForUpdates call. */
  readonly downgradeAllowedAtCheck: boolean[] = [];
  nextCheck: CheckResult = null;
  downloads = 0;
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
  async checkForUpdates(): Promise<CheckResult> {
    this.downgradeAllowedAtCheck.push(this.allowDowngrade);
    return this.nextCheck;
  }
  async downloadUpdate(): Promise<string[]> {
    this.downloads += 1;
    return ['/tmp/injector-bench-1.5.0.AppImage'];
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push({ isSilent, isForceRunAfter });
  }
}
