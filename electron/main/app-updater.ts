/**
 * The electron-updater adapter: turns electron-updater's AppUpdater into the policy's UpdaterPort and
 * starts the policy in the packaged app. The updater object is passed in (tests use a fake or a real
 * AppUpdater built with a fake app); only electron/main loads electron-updater itself.
 */
import type { AppUpdater } from 'electron-updater';
import path from 'node:path';
import { AppUpdatePolicy } from '../services/app-update/app-update-policy';
import type { UpdaterChannel } from '../services/app-update/channel-mapping';
import { appUpdateFeedUrl } from '../services/app-update/feed-url';
import type { AdminHoldSource, CodingSessionActivity, ReleaseChannelSource, UpdaterPort } from '../services/app-update/ports';
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
  | 'forceDevUpdateConfig'
  | 'fullChangelog'
  | 'channel'
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

export function createElectronUpdaterPort(updater: ElectronUpdater, options: { feedUrl: string; logger: Logger }): UpdaterPort {
  const { logger } = options;
  // The policy decides when to download and install; electron-updater must not do either by itself.
  updater.autoDownload = false;
  // A quit during a coding session, or while an admin holds the app, must not install anything.
  updater.autoInstallOnAppQuit = false;
  updater.allowPrerelease = false;
  updater.allowDowngrade = false;
  updater.forceDevUpdateConfig = false;
  // Web installers download their payload later without the channel file's sha512 check.
  updater.disableWebInstaller = true;
  updater.fullChangelog = false;
  // electron-updater's staged rollout draws the cohort from an id file in userData that anyone can edit;
  // the bench's cohort is its release channel, so every bench on a channel takes what the channel offers.
  updater.isUserWithinRollout = () => true;
  updater.logger = {
    info: (message?: unknown) => logger.info({ updater: true }, String(message)),
    warn: (message?: unknown) => logger.warn({ updater: true }, String(message)),
    error: (message?: unknown) => logger.error({ updater: true }, String(message)),
  };
  updater.setFeedURL({ provider: 'generic', url: options.feedUrl });

  return {
    get currentVersion() {
      return updater.currentVersion.version;
    },
    useChannel(channel: UpdaterChannel) {
      updater.channel = channel;
      // electron-updater's channel setter turns allowDowngrade on; a bench never downgrades itself.
      updater.allowDowngrade = false;
    },
    async check() {
      updater.allowDowngrade = false;
      const result = await updater.checkForUpdates();
      if (!result || !result.isUpdateAvailable) return null;
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
  let feedUrl: string;
  try {
    feedUrl = appUpdateFeedUrl(options.serverUrl);
  } catch (error) {
    logger.warn({ err: error }, 'app updates off: the central server URL cannot serve updates');
    return null;
  }
  const evidence = options.evidence ?? new JsonLinesEvidenceSink(path.join(app.getPath('userData'), APP_UPDATE_EVIDENCE_FILE));
  let policy: AppUpdatePolicy;
  try {
    policy = new AppUpdatePolicy(
      {
        updater: createElectronUpdaterPort(options.updater(), { feedUrl, logger }),
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
