/**
 * App updates over HTTP, beside the pack repository and with the same keys (trust/app-release.ts):
 *
 *   GET  /app-updates/<channel>/release.json           public: the channel's signed app release, exact bytes
 *   GET  /app-updates/<channel>/<installer>            public: an installer the channel's release names
 *                                                      (Range, ETag = SHA-256); anything else is 404
 *   PUT  /api/v1/release/app-updates/files/<name>      release token: installer bytes, x-injbench-sha256
 *   POST /api/v1/release/app-updates/channels/<ch>     release token: a signed app release for that channel
 *
 * A release is stored only if the latest trusted root's release keys signed it for this channel, it has
 * not expired, its sequence moves forward and every installer it names is here whole with that length,
 * SHA-256 and SHA-512: a bench never reads a release naming a file the server lacks. Promotion posts the
 * same files re-signed for the next channel; the bytes are the ones canary benches took.
 */
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { appFileNameSchema, appReleaseLimits, openAppRelease } from '../../trust/app-release';
import { TrustError } from '../../trust/errors';
import { channelName } from '../../trust/schemas';
import { openTrustedRoot, verifyRootRotation } from '../../trust/trust-client';
import type { RootDocument } from '../../trust/schemas';
import { APP_RELEASE_FILE, APP_UPDATES_PREFIX, RELEASE_APP_FILES_PREFIX, SHA256_HEADER, releaseAppChannelPath } from '../../common/central-api/paths';
import { sha256Hex } from '../../trust/crypto';
import { ServerError } from '../server-error';
import { tokenRoleOf, tokenRoute, type RouteContext } from '../route-context';
import type { DistributionRepository } from '../store/distribution-repository';
import type { DistributionOptions } from './routes';
import { actorOf, decodeExact, serveBlob } from './routes';

const releaseBodySchema = z.strictObject({ releaseBase64: z.string().min(1).max(128 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/) });
const channelParams = z.strictObject({ channel: channelName });
const fileParams = z.strictObject({ channel: channelName, name: appFileNameSchema });

/** The latest root the server serves, reached from root 1 by the stored rotations (each checked at publish). */
async function latestRoot(store: DistributionRepository): Promise<RootDocument> {
  const roots = (await store.files()).filter((file) => file.kind === 'root').sort((a, b) => a.version - b.version);
  let root: RootDocument | null = null;
  for (const summary of roots) {
    const file = await store.file(summary.path);
    if (!file) continue;
    const bytes = Buffer.from(file.content_base64, 'base64');
    root = root ? verifyRootRotation(root, bytes) : openTrustedRoot(bytes);
  }
  if (!root) throw new ServerError('METADATA_REFUSED', 'The server holds no root yet: publish the release repository (injbench release publish) before app releases.');
  return root;
}

async function sha512Base64Of(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

/** Registered inside the distribution scope, which parses application/octet-stream uploads as raw streams. */
export function registerAppUpdateRoutes(scope: FastifyInstance, context: RouteContext, options: DistributionOptions): void {
  const { store, blobs } = options;

  scope.get(`${APP_UPDATES_PREFIX}/:channel/:name`, async (request, reply) => {
    const parsed = fileParams.safeParse(request.params);
    if (!parsed.success) throw new ServerError('NOT_FOUND', `${request.url} is not an app update path.`);
    const { channel, name } = parsed.data;
    const release = await store.appRelease(channel);
    if (!release) throw new ServerError('NOT_FOUND', `No app release is published on the ${channel} channel.`);
    if (name === APP_RELEASE_FILE) {
      const bytes = Buffer.from(release.content_base64, 'base64');
      const etag = `"${release.sha256}"`;
      reply.header('etag', etag).header('cache-control', 'no-cache').type('application/json');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(bytes);
    }
    // Only what the channel's signed release names is served under the channel.
    const named = openAppReleaseUnchecked(release.content_base64).files.some((file) => file.name === name);
    const file = named ? await store.appUpdateFile(name) : null;
    if (!file) throw new ServerError('NOT_FOUND', `${name} is not an installer of the ${channel} app release.`);
    return serveBlob(request, reply, blobs, { what: name, sha256: file.sha256, length: file.length });
  });

  scope.put(`${RELEASE_APP_FILES_PREFIX}/:name`, tokenRoute('release'), async (request, reply) => {
    try {
      const role = tokenRoleOf(request);
      const { name } = context.parse(z.strictObject({ name: appFileNameSchema }), request.params, 'installer name');
      const sha256 = request.headers[SHA256_HEADER];
      if (typeof sha256 !== 'string') throw new ServerError('INVALID_REQUEST', `An installer upload names its SHA-256 in the ${SHA256_HEADER} header.`);
      if (request.headers['content-type'] !== 'application/octet-stream') throw new ServerError('INVALID_REQUEST', 'An installer upload is sent as application/octet-stream.');
      const existing = await store.appUpdateFile(name);
      if (existing && existing.sha256 !== sha256) {
        throw new ServerError('CONFLICT', `${name} is already uploaded with other bytes (SHA-256 ${existing.sha256}); an installer never changes: build a new version.`);
      }
      const received = await blobs.receive(request.raw, sha256, appReleaseLimits.installerBytes);
      const sha512 = await sha512Base64Of(received.file);
      const at = context.now().toISOString();
      let added: boolean;
      try {
        ({ added } = await store.addAppUpdateFile(
          { name, sha256: received.sha256, sha512, length: received.length, uploaded_at: at },
          { at, role, actor: actorOf(request, 'release-manager'), action: 'release.app_file_uploaded', detail: { name, sha256: received.sha256, sha512, length: received.length } },
        ));
      } catch (error) {
        if (!(await store.hasBlob(received.sha256))) await rm(received.file, { force: true });
        throw error;
      }
      context.logger.info({ name, sha256: received.sha256, added }, 'app installer uploaded');
      return await reply.code(added ? 201 : 200).send({ name, sha256: received.sha256, sha512, length: received.length, added });
    } catch (error) {
      // Refused before the body was read: discard the rest and close, as for pack uploads.
      if (!request.raw.complete && !request.raw.destroyed) {
        reply.header('connection', 'close');
        request.raw.resume();
      }
      throw error;
    }
  });

  scope.post(releaseAppChannelPath(':channel'), tokenRoute('release'), async (request) => {
    const role = tokenRoleOf(request);
    const { channel } = context.parse(channelParams, request.params, 'channel');
    const { releaseBase64 } = context.parse(releaseBodySchema, request.body, 'app release');
    const bytes = decodeExact(releaseBase64, 'app release');
    const root = await latestRoot(store);
    let release;
    try {
      release = openAppRelease(bytes, root, `app release for ${channel}`);
    } catch (error) {
      if (error instanceof TrustError) throw new ServerError(error.code === 'OVERSIZE' ? 'OVERSIZE' : 'METADATA_REFUSED', `app release refused (${error.code}): ${error.message}`);
      throw error;
    }
    if (release.channel !== channel) throw new ServerError('METADATA_REFUSED', `The app release is signed for ${release.channel}, not ${channel}.`);
    if (Date.parse(release.expires) <= context.now().getTime()) throw new ServerError('METADATA_REFUSED', `The app release expired at ${release.expires}.`);
    for (const file of release.files) {
      const stored = await store.appUpdateFile(file.name);
      if (!stored) throw new ServerError('MISSING_PACK', `The app release names ${file.name}, which the server does not hold: upload the installer first.`);
      if (stored.length !== file.size || stored.sha256 !== file.sha256 || stored.sha512 !== file.sha512) {
        throw new ServerError('METADATA_REFUSED', `The app release names ${file.name} with other bytes than the server holds (length, SHA-256 or SHA-512 differ).`);
      }
    }
    const at = context.now().toISOString();
    const sha256 = sha256Hex(bytes);
    const action = release.promoted_from ? 'release.app_promoted' : 'release.app_published';
    await store.putAppRelease(
      { channel, sequence: release.sequence, version: release.version, sha256, content_base64: bytes.toString('base64'), published_at: at },
      {
        at,
        role,
        actor: actorOf(request, release.actor),
        action,
        detail: { channel, version: release.version, sequence: release.sequence, sha256, promotedFrom: release.promoted_from, files: release.files.map((file) => file.name), reason: release.reason, ticket: release.ticket },
      },
    );
    context.logger.info({ channel, version: release.version, sequence: release.sequence }, action);
    return { channel, version: release.version, sequence: release.sequence, sha256, promotedFrom: release.promoted_from };
  });
}

/** A stored release was verified when it was published; serving only reads its file names. */
function openAppReleaseUnchecked(contentBase64: string): { files: { name: string }[] } {
  const envelope = JSON.parse(Buffer.from(contentBase64, 'base64').toString('utf8')) as { signed: string };
  return JSON.parse(Buffer.from(envelope.signed, 'base64').toString('utf8')) as { files: { name: string }[] };
}
