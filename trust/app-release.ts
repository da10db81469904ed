/**
 * Signed app releases: what a central server offers on one release channel for the bench app itself (the
 * installer per platform, its exact length, SHA-512 and SHA-256), signed by the release (`index`) keys of
 * the bench's trusted root under its own signature role, `app_release`, so a pack index can never be
 * replayed as an app release or the other way round. It replaces electron-updater's unsigned latest.yml:
 * the bench verifies it here, in plain Node, before it trusts a byte of any installer, on every platform
 * (Authenticode on Windows comes on top, in electron-updater).
 *
 * Promotion re-signs the same file entries for the next channel (same bytes, new channel and sequence);
 * a rollback is a newer version published forward, never an older one.
 */
import semverLib from 'semver';
import { z } from 'zod';
import type { KeyPair } from './crypto';
import { openEnvelope, parsePayload, requireThreshold, signDocument } from './envelope';
import { TrustError } from './errors';
import { SPEC, channelName, hex64, timestamp, type ChannelName, type RootDocument } from './schemas';

export const appPlatforms = ['linux-x64', 'win-x64'] as const;
export const appPlatformSchema = z.enum(appPlatforms);
export type AppPlatform = z.infer<typeof appPlatformSchema>;

/** The platform this process runs on, as app releases name it; null where no installer is built. */
export function appPlatformOf(platform: NodeJS.Platform = process.platform, arch: string = process.arch): AppPlatform | null {
  if (arch !== 'x64') return null;
  if (platform === 'linux') return 'linux-x64';
  if (platform === 'win32') return 'win-x64';
  return null;
}

export const appReleaseLimits = {
  /** The signed document itself. */
  documentBytes: 64 * 1024,
  /** One installer: the AppImage is ~120 MB; anything over this is refused before a byte is read. */
  installerBytes: 1024 * 1024 * 1024,
} as const;

/** A plain file name: no directories, no leading dot, the shapes electron-builder writes. */
export const appFileNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a plain file name (letters, digits, . _ -)');

/** Versions as electron-builder stamps them; a release a bench may install is never a pre-release. */
const appVersionSchema = z.string().regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/, 'expected a version like 1.5.0');
const sha512Base64 = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'expected a base64 SHA-512');
const auditText = z.string().min(1).max(2000);

export const appReleaseFileSchema = z.strictObject({
  platform: appPlatformSchema,
  name: appFileNameSchema,
  size: z.number().int().min(1).max(appReleaseLimits.installerBytes),
  sha256: hex64,
  sha512: sha512Base64,
});
export type AppReleaseFile = z.infer<typeof appReleaseFileSchema>;

export const appReleaseSchema = z
  .object({
    type: z.literal('app_release'),
    spec: z.literal(SPEC),
    channel: channelName,
    /** Per channel, strictly increasing: a bench refuses a replay of an older signed document. */
    sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    version: appVersionSchema,
    issued_at: timestamp,
    expires: timestamp,
    /** The channel these exact files were promoted from, or null for a first publish. */
    promoted_from: channelName.nullable(),
    files: z.array(appReleaseFileSchema).min(1).max(appPlatforms.length),
    actor: auditText,
    reason: auditText,
    ticket: auditText,
  })
  .superRefine((release, context) => {
    const seen = new Set<string>();
    for (const file of release.files) {
      if (seen.has(file.platform)) context.addIssue({ code: 'custom', message: `platform ${file.platform} listed twice` });
      seen.add(file.platform);
    }
  });
export type AppReleaseDocument = z.infer<typeof appReleaseSchema>;

/** Signs with every given release key; the root's `index` role names which keys count and how many. */
export function signAppRelease(document: AppReleaseDocument, releaseKeys: readonly KeyPair[]): Uint8Array {
  return signDocument('app_release', appReleaseSchema.parse(document), releaseKeys);
}

/** Opens and checks the signature of an app release; no policy (channel, expiry, version) yet. */
export function openAppRelease(bytes: Uint8Array, root: RootDocument, what = 'app release'): AppReleaseDocument {
  const envelope = openEnvelope(bytes, appReleaseLimits.documentBytes, what);
  requireThreshold('app_release', envelope, root.roles.index, root.keys, what);
  return parsePayload(envelope, appReleaseSchema, what);
}

export interface AppReleaseExpectations {
  root: RootDocument;
  /** The channel the bench asked for: a document signed for another channel is WRONG_TARGET. */
  channel: ChannelName;
  platform: AppPlatform;
  installedVersion: string;
  now: Date;
  /** The highest sequence this bench has accepted on this channel, if any. */
  lastSequence: number | null;
}

export interface VerifiedAppRelease {
  release: AppReleaseDocument;
  file: AppReleaseFile;
  /** false when the channel offers the installed version itself: nothing to do. */
  newer: boolean;
}

/**
 * The bench's check of an app release, in order: size cap, signature threshold of the trusted root's
 * release keys, strict payload, channel, expiry, sequence (no replay), version (no downgrade), platform.
 * Every failure is a typed TrustError; nothing is downloaded before this returns.
 */
export function verifyAppRelease(bytes: Uint8Array, expected: AppReleaseExpectations): VerifiedAppRelease {
  const what = `app release for ${expected.channel}`;
  const release = openAppRelease(bytes, expected.root, what);
  if (release.channel !== expected.channel) {
    throw new TrustError('WRONG_TARGET', `${what} is signed for the ${release.channel} channel; this bench follows ${expected.channel}.`);
  }
  if (Date.parse(release.expires) <= expected.now.getTime()) throw new TrustError('EXPIRED', `${what} (sequence ${release.sequence}) expired at ${release.expires}.`);
  if (expected.lastSequence !== null && release.sequence < expected.lastSequence) {
    throw new TrustError('ROLLBACK', `${what} has sequence ${release.sequence}, older than the ${expected.lastSequence} this bench already accepted.`);
  }
  const installed = semverLib.valid(expected.installedVersion);
  if (!installed) throw new TrustError('MALFORMED', `the installed app version ${expected.installedVersion} is not a version.`);
  if (semverLib.lt(release.version, installed)) {
    throw new TrustError('DOWNGRADE_REFUSED', `${what} offers ${release.version}, older than the installed ${installed}; the bench never downgrades itself.`);
  }
  const file = release.files.find((candidate) => candidate.platform === expected.platform);
  if (!file) throw new TrustError('NOT_FOUND', `${what} ${release.version} has no installer for ${expected.platform}.`);
  return { release, file, newer: semverLib.gt(release.version, installed) };
}

/** The document a promotion signs: the same files and version, for the next channel. */
export function promotedAppRelease(
  from: AppReleaseDocument,
  to: { channel: ChannelName; sequence: number; now: Date; validDays: number; actor: string; reason: string; ticket: string },
): AppReleaseDocument {
  return {
    ...from,
    channel: to.channel,
    sequence: to.sequence,
    issued_at: to.now.toISOString(),
    expires: new Date(to.now.getTime() + to.validDays * 86_400_000).toISOString(),
    promoted_from: from.channel,
    actor: to.actor,
    reason: to.reason,
    ticket: to.ticket,
  };
}
