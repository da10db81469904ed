/**
 * The electron-updater adapter: electron-updater is only the installer. What to install comes from the
 * bench's signed app release (electron/services/app-update/signed-app-feed.ts, plain Node: release keys,
 * channel, expiry, no replay, no downgrade), through a custom provider instead of an unsigned latest.yml,
 * and the installer is fetched by the same feed (never past the signed length, hashes checked) instead of
 * electron-updater's own download. On Windows electron-updater checks Authenticode on top. The updater
 * object is passed in (tests use a fake or a real AppUpdater built with a fake app); only electron/main
 * loads electron-updater itself.
 */
import { Provider, type AppUpdater, type ResolvedUpdateFileInfo, type UpdateInfo } from 'electron-updater';
import type { ProviderRuntimeOptions } from 'electron-updater/out/providers/Provider';
import path from 'node:path';
import { AppUpdatePolicy } from '../services/app-update/app-update-policy';
import type { BenchReleaseChannel } from '../services/app-update/release-channel';
import type { AdminHoldSource, CodingSessionActivity, ReleaseChannelSource, UpdaterPort } from '../services/app-update/ports';
import { APP_UPDATE_FEED_STATE_FILE, SignedAppFeed, requireVerifiedInstaller, type TrustedRootState, type VerifiedAppOffer } from '../services/app-update/signed-app-feed';
import type { EvidenceSink } from '../services/evidence/evidence-sink';
import { JsonLinesEvidenceSink } from '../services/evidence/json-lines-evidence-sink';
import type { Logger } from '../../common/logger';
import type { ElectronModule } from './bench-app';

export type ElectronUpdater = Pick<
  AppUpdater,
  | 'autoDownload'
  | 'autoInstallOnAppQuit'
  | 'allowDowngrade'
  | 'allowPrerelease'
  | 'disableWebInstaller'
  | 'disableDifferentialDownload'
  | 'forceDevUpdateConfig'
  | 'fullChangelog'
  | 'currentVersion'
  | 'logger'
  | 'isUserWithinRollout'
  | 'setFeedURL'
  | 'checkForUpdates'
  | 'downloadUpdate'
  | 'quitAndInstall'
>;

export const APP_UPDATE_EVIDENCE_FILE = path.join('evidence', 'app-updates.jsonl');
const FOUR_HOURS_MS = 4 * 60 * 60 * 1000;

/** What electron-updater's download executor is asked; electron-updater keeps it in a protected field. */
interface DownloadExecutor {
  download(url: URL, destination: string, options: unknown): Promise<string>;
}

/**
 * electron-updater's own download trusts whatever length the server sends and checks only the SHA-512 it
 * was given at the end; the bench's feed stops at the signed length and checks length, SHA-256 and
 * SHA-512. Every installer download goes through the feed, for the offer it verified last.
 */
function routeDownloadsThroughFeed(updater: ElectronUpdater, feed: SignedAppFeed, verifiedOffer: () => VerifiedAppOffer | null): void {
  const executor = Reflect.get(updater, 'httpExecutor') as DownloadExecutor | undefined;
  if (!executor || typeof executor.download !== 'function') throw new Error('electron-updater has no download executor to route through the signed app feed.');
  executor.download = async (url: URL, destination: string) => {
    await feed.download(requireVerifiedInstaller(verifiedOffer(), url.href), destination);
    return destination;
  };
}

function updateInfoOf(offer: VerifiedAppOffer): UpdateInfo {
  const file = { url: offer.file.name, sha512: offer.file.sha512, size: offer.file.size };
  return { version: offer.version, files: [file], path: file.url, sha512: file.sha512, releaseDate: offer.releaseDate };
}

export function createElectronUpdaterPort(updater: ElectronUpdater, options: { feed: SignedAppFeed; logger: Logger }): UpdaterPort {
  const { feed, logger } = options;
  // The policy decides when to download and install; electron-updater must not do either by itself.
  updater.autoDownload = false;
  // A quit during a coding session, or while an admin holds the app, must not install anything.
  updater.autoInstallOnAppQuit = false;
  updater.allowPrerelease = false;
  updater.allowDowngrade = false;
  updater.forceDevUpdateConfig = false;
  // Web installers download their payload later without the signed length and hash checks.
  updater.disableWebInstaller = true;
  // Block-map downloads assemble the installer from ranges of the old one, outside the feed's checks.
  updater.disableDifferentialDownload = true;
  updater.fullChangelog = false;
  // electron-updater's staged rollout draws the cohort from an id file in userData that anyone can edit;
  // the bench's cohort is its release channel, so every bench on a channel takes what the channel offers.
  updater.isUserWithinRollout = () => true;
  updater.logger = {
    info: (message?: unknown) => logger.info({ updater: true }, String(message)),
    warn: (message?: unknown) => logger.warn({ updater: true }, String(message)),
    error: (message?: unknown) => logger.error({ updater: true }, String(message)),
  };

  let channel: BenchReleaseChannel = 'stable';
  let verified: VerifiedAppOffer | null = null;
  class SignedAppReleaseProvider extends Provider<UpdateInfo> {
    constructor(_configuration: unknown, _updater: unknown, runtimeOptions: ProviderRuntimeOptions) {
      super(runtimeOptions);
    }
    async getLatestVersion(): Promise<UpdateInfo> {
      verified = null;
      const offer = await feed.check(channel);
      verified = offer;
      return updateInfoOf(offer);
    }
    resolveFiles(updateInfo: UpdateInfo): ResolvedUpdateFileInfo[] {
      // Only the release this check verified: an older updateInfo names nothing.
      const offer = requireVerifiedInstaller(verified?.version === updateInfo.version ? verified : null, verified?.url ?? updateInfo.path);
      return [{ url: new URL(offer.url), info: { url: offer.file.name, sha512: offer.file.sha512, size: offer.file.size } }];
    }
  }
  updater.setFeedURL({ provider: 'custom', updateProvider: SignedAppReleaseProvider });
  routeDownloadsThroughFeed(updater, feed, () => verified);

  return {
    get currentVersion() {
      return updater.currentVersion.version;
    },
    useChannel(next: BenchReleaseChannel) {
      channel = next;
      verified = null;
      updater.allowDowngrade = false;
    },
    async check() {
      updater.allowDowngrade = false;
      const result = await updater.checkForUpdates();
      if (!result || !result.isUpdateAvailable || !verified?.newer) return null;
      const { version, releaseDate } = result.updateInfo;
      return releaseDate ? { version, releaseDate } : { version };
    },
    async download() {
      await updater.downloadUpdate();
    },
    install() {
      // Not silent (the technician sees the installer on Windows), and the app starts again afterwards.
      updater.quitAndInstall(false, true);
    },
  };
}

export interface AppUpdatesOptions {
  /** Read only in the packaged app: electron-updater is not created for a development run. */
  updater: () => ElectronUpdater;
  serverUrl: string | null;
  channel: ReleaseChannelSource;
  sessions: CodingSessionActivity;
  hold: AdminHoldSource;
  /** The root the bench trusts now and its last trusted time (the pack state). */
  trustedRoot: () => TrustedRootState;
  logger: Logger;
  evidence?: EvidenceSink;
  checkEveryMs?: number;
}

/** Starts the update policy when it can work; returns null (and says why in the log) when it cannot. */
export async function startAppUpdates(electron: Pick<ElectronModule, 'app'>, options: AppUpdatesOptions): Promise<AppUpdatePolicy | null> {
  const { app } = electron;
  const { logger } = options;
  if (!app.isPackaged) {
    logger.info('app updates off: this is a development run, not a packaged app');
    return null;
  }
  if (!options.serverUrl) {
    logger.info('app updates off: no central server is configured');
    return null;
  }
  let feed: SignedAppFeed | null;
  try {
    feed = SignedAppFeed.forThisMachine({
      serverUrl: options.serverUrl,
      installedVersion: app.getVersion(),
      trustedRoot: options.trustedRoot,
      stateFile: path.join(app.getPath('userData'), APP_UPDATE_FEED_STATE_FILE),
    });
  } catch (error) {
    logger.warn({ err: error }, 'app updates off: the central server URL cannot serve updates');
    return null;
  }
  if (!feed) {
    logger.info(`app updates off: no installer is built for ${process.platform}-${process.arch}`);
    return null;
  }
  const evidence = options.evidence ?? new JsonLinesEvidenceSink(path.join(app.getPath('userData'), APP_UPDATE_EVIDENCE_FILE));
  let policy: AppUpdatePolicy;
  try {
    policy = new AppUpdatePolicy(
      {
        updater: createElectronUpdaterPort(options.updater(), { feed, logger }),
        channel: options.channel,
        sessions: options.sessions,
        hold: options.hold,
        evidence,
      },
      logger,
    );
    await policy.start({ checkEveryMs: options.checkEveryMs ?? FOUR_HOURS_MS });
  } catch (error) {
    // The bench must still start for the technician; without evidence it simply does not update.
    logger.error({ err: error }, 'app updates off: the updater or its evidence log could not start');
    return null;
  }
  void policy.check('start');
  return policy;
}
