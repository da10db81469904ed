/**
 * The bench's side of signed app releases, in plain Node: fetch `<central server>/app-updates/<channel>/
 * release.json` (capped), verify it against the bench's trusted root (trust/app-release.ts: release keys,
 * channel, expiry, no replay, no downgrade, platform), and download the installer it names, never a byte
 * past the signed length, checked against the signed length, SHA-256 and SHA-512 before anyone may use it.
 * electron-updater (electron/main/app-updater.ts) only installs what this verified.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { appPlatformOf, appReleaseLimits, verifyAppRelease, type AppPlatform, type AppReleaseFile } from '../../../trust/app-release';
import { writeFileAtomic } from '../../../trust/atomic-file';
import { TrustError } from '../../../trust/errors';
import { httpSource, type HttpSourceOptions } from '../../../trust/http-source';
import { channelNames, type ChannelName, type RootDocument } from '../../../trust/schemas';
import { downloadDeclared } from '../../../trust/source';
import { requireTrustedClock } from '../../../trust/trust-client';
import { APP_RELEASE_FILE } from '../../../common/central-api/paths';
import { appUpdateFeedUrl } from './feed-url';

/** Highest accepted app release sequence per channel, under the app's data directory. */
export const APP_UPDATE_FEED_STATE_FILE = path.join('app-update', 'feed-state.json');

/** A release the bench has verified on its channel: what it offers and the one file for this platform. */
export interface VerifiedAppOffer {
  channel: ChannelName;
  version: string;
  sequence: number;
  releaseDate: string;
  /** false: the channel offers the installed version itself. */
  newer: boolean;
  file: AppReleaseFile;
  /** Where the installer is, under the channel's folder. */
  url: string;
}

export interface TrustedRootState {
  root: RootDocument;
  /** The bench's last trusted time (packs): a clock set back before it is CLOCK_ROLLBACK. */
  lastTrustedTime: string | null;
}

export interface SignedAppFeedOptions {
  serverUrl: string;
  platform: AppPlatform;
  installedVersion: string;
  /** The root the bench trusts now (its pack state), read at every check so a rotation applies at once. */
  trustedRoot: () => TrustedRootState;
  /** Highest accepted sequence per channel, kept across restarts (no replay of an older signed release). */
  stateFile: string;
  now?: () => Date;
  http?: HttpSourceOptions;
}

const feedStateSchema = z.strictObject({
  schema: z.literal(1),
  sequences: z.partialRecord(z.enum(channelNames), z.number().int().min(1)),
});
type FeedState = z.infer<typeof feedStateSchema>;

/**
 * The offer electron-updater may fetch `url` for: only the installer of the release verified last. Anything
 * else (no verified release, another URL) is WRONG_TARGET.
 */
export function requireVerifiedInstaller(offer: VerifiedAppOffer | null, url: string): VerifiedAppOffer {
  if (!offer || url !== offer.url) {
    throw new TrustError('WRONG_TARGET', `${url} is not the installer of the verified app release${offer ? ` (${offer.url})` : ''}.`);
  }
  return offer;
}

export class SignedAppFeed {
  /** The feed for this machine's platform, or null where no installer is built (then the app does not update). */
  static forThisMachine(options: Omit<SignedAppFeedOptions, 'platform'>): SignedAppFeed | null {
    const platform = appPlatformOf();
    return platform ? new SignedAppFeed({ ...options, platform }) : null;
  }

  readonly #options: SignedAppFeedOptions;
  readonly #feedUrl: string;
  readonly #now: () => Date;

  constructor(options: SignedAppFeedOptions) {
    this.#options = options;
    this.#feedUrl = appUpdateFeedUrl(options.serverUrl);
    this.#now = options.now ?? (() => new Date());
  }

  get installedVersion(): string {
    return this.#options.installedVersion;
  }

  channelUrl(channel: ChannelName): string {
    return new URL(`${channel}/`, this.#feedUrl).toString();
  }

  /** Fetches and verifies the channel's signed release; typed TrustError on any failure, nothing downloaded. */
  async check(channel: ChannelName): Promise<VerifiedAppOffer> {
    const source = httpSource(this.channelUrl(channel), this.#options.http);
    const bytes = await source.read(APP_RELEASE_FILE, appReleaseLimits.documentBytes);
    if (!bytes) throw new TrustError('NOT_FOUND', `No app release is published on the ${channel} channel of ${this.#feedUrl}.`);
    const trusted = this.#options.trustedRoot();
    const now = this.#now();
    requireTrustedClock(trusted.lastTrustedTime, now);
    const state = this.#readState();
    const { release, file, newer } = verifyAppRelease(bytes, {
      root: trusted.root,
      channel,
      platform: this.#options.platform,
      installedVersion: this.#options.installedVersion,
      now,
      lastSequence: state.sequences[channel] ?? null,
    });
    if ((state.sequences[channel] ?? 0) < release.sequence) this.#writeState({ ...state, sequences: { ...state.sequences, [channel]: release.sequence } });
    return {
      channel,
      version: release.version,
      sequence: release.sequence,
      releaseDate: release.issued_at,
      newer,
      file,
      url: new URL(file.name, this.channelUrl(channel)).toString(),
    };
  }

  /**
   * Downloads the offer's installer to `destination`: the transfer stops at the signed length (a longer
   * body is OVERSIZE, a longer Content-Length is refused before the body), then length, SHA-256 and
   * SHA-512 must all match the signed release. On any failure the partial file is removed.
   */
  async download(offer: VerifiedAppOffer, destination: string): Promise<void> {
    mkdirSync(path.dirname(destination), { recursive: true });
    const source = httpSource(this.channelUrl(offer.channel), this.#options.http);
    const what = `${offer.file.name} (${offer.version}, ${offer.channel})`;
    try {
      // Bounded by min(signed size, installer cap): a longer body stops at the signed size (LENGTH_MISMATCH).
      await downloadDeclared(source, offer.file.name, offer.file.size, appReleaseLimits.installerBytes, destination);
      const size = statSync(destination).size;
      if (size !== offer.file.size) throw new TrustError('LENGTH_MISMATCH', `${what} is ${size} bytes; the signed release says ${offer.file.size}.`);
      const digests = await digestsOf(destination);
      if (digests.sha256 !== offer.file.sha256 || digests.sha512 !== offer.file.sha512) {
        throw new TrustError('HASH_MISMATCH', `${what} does not match the SHA-256/SHA-512 of the signed release.`);
      }
    } catch (error) {
      rmSync(destination, { force: true });
      throw error;
    }
  }

  #readState(): FeedState {
    const file = this.#options.stateFile;
    if (!existsSync(file)) return { schema: 1, sequences: {} };
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      throw new TrustError('MALFORMED', `${file} is not JSON; the app update state is damaged.`);
    }
    const parsed = feedStateSchema.safeParse(raw);
    if (!parsed.success) throw new TrustError('MALFORMED', `${file} is not an app update state file.`);
    return parsed.data;
  }

  #writeState(state: FeedState): void {
    mkdirSync(path.dirname(this.#options.stateFile), { recursive: true });
    writeFileAtomic(this.#options.stateFile, Buffer.from(JSON.stringify(state)), 0o600);
  }
}

async function digestsOf(file: string): Promise<{ sha256: string; sha512: string }> {
  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  for await (const chunk of createReadStream(file)) {
    sha256.update(chunk as Buffer);
    sha512.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), sha512: sha512.digest('base64') };
}
