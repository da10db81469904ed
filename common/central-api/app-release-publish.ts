/**
 * `injbench release app-publish | app-promote | app-status`: signed app releases on the central server
 * (trust/app-release.ts, server/distribution/app-update-routes.ts). A publish uploads the installers
 * first (streamed, SHA-256 checked by the server), then posts the release signed with the release
 * (`index`) key; a promotion re-signs the release a channel serves, same files and bytes, for the next
 * channel. Sequences come from what the server serves, so they only move forward.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  appFileNameSchema,
  appReleaseLimits,
  appReleaseSchema,
  openAppRelease,
  promotedAppRelease,
  signAppRelease,
  type AppPlatform,
  type AppReleaseDocument,
  type AppReleaseFile,
} from '../../trust/app-release';
import type { KeyPair } from '../../trust/crypto';
import { SPEC, channelNames, parseOrMalformed, type ChannelName, type RootDocument } from '../../trust/schemas';
import { SyncError } from './client';
import { callServer, syncErrorOf } from './token-client';
import { fetchWithinBounds } from '../../trust/http-source';
import { uploadReleaseFile } from './release-publish';
import { APP_RELEASE_FILE, RELEASE_APP_FILES_PREFIX, appUpdatesChannelPath, releaseAppChannelPath } from './paths';

/** How long a signed app release stays valid unless told otherwise: a bench refuses it once expired. */
export const DEFAULT_APP_RELEASE_DAYS = 30;

export interface AppReleaseAudit {
  actor: string;
  reason: string;
  ticket: string;
}

export interface ServerAccess {
  serverUrl: string;
  token: string;
}

const publishAnswerSchema = z.object({ channel: z.string(), version: z.string(), sequence: z.number(), sha256: z.string(), promotedFrom: z.string().nullable() });

async function digestsOf(file: string): Promise<{ sha256: string; sha512: string; size: number }> {
  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  for await (const chunk of createReadStream(file)) {
    sha256.update(chunk as Buffer);
    sha512.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), sha512: sha512.digest('base64'), size: statSync(file).size };
}

/** The signed release a channel serves now (bytes and document), or null when none is published. */
export async function servedAppRelease(serverUrl: string, channel: ChannelName, root: RootDocument): Promise<{ bytes: Buffer; release: AppReleaseDocument } | null> {
  const url = new URL(`${appUpdatesChannelPath(channel)}${APP_RELEASE_FILE}`, serverUrl);
  let response: { status: number; ok: boolean; bytes: Buffer };
  try {
    response = await fetchWithinBounds(url, { redirect: 'error' }, { maxBytes: appReleaseLimits.documentBytes, timeoutMs: 30_000 });
  } catch (error) {
    throw syncErrorOf(error, url);
  }
  if (response.status === 404) return null;
  if (!response.ok) throw new SyncError('BAD_RESPONSE', `The server answered ${response.status} for ${url.pathname}.`, false, response.status);
  const { bytes } = response;
  return { bytes, release: openAppRelease(bytes, root, `the ${channel} app release the server serves`) };
}

async function postRelease(access: ServerAccess, channel: ChannelName, bytes: Uint8Array): Promise<z.infer<typeof publishAnswerSchema>> {
  return publishAnswerSchema.parse(await callServer(access.serverUrl, 'POST', releaseAppChannelPath(channel), { releaseBase64: Buffer.from(bytes).toString('base64') }, { token: access.token }));
}

/** What signing an app release needs, whether it is published or promoted. */
export interface AppReleaseSigning {
  releaseKey: KeyPair;
  root: RootDocument;
  audit: AppReleaseAudit;
  now: Date;
  validDays?: number;
  print: (line: string) => void;
}

export interface AppPublishInput extends AppReleaseSigning {
  channel: ChannelName;
  version: string;
  installers: { platform: AppPlatform; file: string }[];
}

/** Uploads the installers, then signs and posts the release for `channel`. */
export async function publishAppRelease(access: ServerAccess, input: AppPublishInput): Promise<AppReleaseDocument> {
  const files: AppReleaseFile[] = [];
  for (const installer of input.installers) {
    const name = parseOrMalformed(appFileNameSchema, path.basename(installer.file), 'installer file name');
    const digests = await digestsOf(installer.file);
    const uploaded = await uploadReleaseFile(access.serverUrl, access.token, `${RELEASE_APP_FILES_PREFIX}/${name}`, installer.file, digests.sha256, input.audit.actor);
    input.print(`${uploaded.added ? 'uploaded' : 'already on the server'} ${name} ${installer.platform} ${digests.size} bytes sha256 ${digests.sha256}`);
    files.push({ platform: installer.platform, name, size: digests.size, sha256: digests.sha256, sha512: digests.sha512 });
  }
  const served = await servedAppRelease(access.serverUrl, input.channel, input.root);
  const document = parseOrMalformed(
    appReleaseSchema,
    {
      type: 'app_release',
      spec: SPEC,
      channel: input.channel,
      sequence: (served?.release.sequence ?? 0) + 1,
      version: input.version,
      issued_at: input.now.toISOString(),
      expires: new Date(input.now.getTime() + (input.validDays ?? DEFAULT_APP_RELEASE_DAYS) * 86_400_000).toISOString(),
      promoted_from: null,
      files,
      ...input.audit,
    },
    'app release',
  );
  const answer = await postRelease(access, input.channel, signAppRelease(document, [input.releaseKey]));
  input.print(`published app ${answer.version} on ${answer.channel} (sequence ${answer.sequence}, sha256 ${answer.sha256})`);
  return document;
}

export interface AppPromoteInput extends AppReleaseSigning {
  from: ChannelName;
  to: ChannelName;
}

/** Re-signs what `from` serves for `to`: the same installers (names, lengths, hashes), never rebuilt. */
export async function promoteAppRelease(access: ServerAccess, input: AppPromoteInput): Promise<AppReleaseDocument> {
  if (channelNames.indexOf(input.to) <= channelNames.indexOf(input.from)) {
    throw new SyncError('INVALID_REQUEST', `An app release is promoted forward (${channelNames.join(' → ')}); ${input.from} → ${input.to} is not.`, false);
  }
  const source = await servedAppRelease(access.serverUrl, input.from, input.root);
  if (!source) throw new SyncError('NOT_FOUND', `No app release is published on ${input.from}; nothing to promote.`, false);
  const target = await servedAppRelease(access.serverUrl, input.to, input.root);
  const document = promotedAppRelease(source.release, {
    channel: input.to,
    sequence: (target?.release.sequence ?? 0) + 1,
    now: input.now,
    validDays: input.validDays ?? DEFAULT_APP_RELEASE_DAYS,
    ...input.audit,
  });
  const answer = await postRelease(access, input.to, signAppRelease(document, [input.releaseKey]));
  input.print(`promoted app ${answer.version} ${input.from} → ${answer.channel} (sequence ${answer.sequence}, same files: ${document.files.map((file) => `${file.name} ${file.sha256}`).join(', ')})`);
  return document;
}

/** What one channel serves: the verified app release, or null. */
export interface AppChannelStatus {
  channel: ChannelName;
  release: AppReleaseDocument | null;
}

/** Per channel, the app release the server serves (verified against the root). */
export async function appReleaseStatus(serverUrl: string, root: RootDocument): Promise<AppChannelStatus[]> {
  const statuses: AppChannelStatus[] = [];
  for (const channel of channelNames) statuses.push({ channel, release: (await servedAppRelease(serverUrl, channel, root))?.release ?? null });
  return statuses;
}

/** One line per channel: what it serves, its sequence and expiry. */
export function appReleaseStatusLine({ channel, release }: AppChannelStatus): string {
  if (!release) return `${channel.padEnd(7)} none`;
  const from = release.promoted_from ? ` promoted from ${release.promoted_from}` : '';
  return `${channel.padEnd(7)} ${release.version} sequence ${release.sequence} expires ${release.expires}${from}: ${release.files.map((file) => `${file.platform} ${file.name}`).join(', ')}`;
}
