/**
 * Distribution over HTTP:
 *
 *   GET  /api/v1/repository/<path>            public: the repository layout of trust/repository.ts, exact bytes;
 *                                             packs resumable (Range, 206), ETag = SHA-256; 404 when missing
 *   GET  /api/v1/release/state                release/admin token: what the server serves (paths and hashes)
 *   PUT  /api/v1/release/repository/packs/<family>/<version>.injpack
 *                                             release token: pack bytes, x-injbench-sha256 names their hash
 *   POST /api/v1/release/metadata             release token: signed metadata, stored in one transaction
 *   PUT  /api/v1/admin/directives/<benchId>   admin token: one signed directive
 *   GET  /api/v1/admin/evidence               admin/support token: publish, directive and grant evidence
 *   GET  /app-updates/<channel>/…             public: signed app releases and installers (app-update-routes.ts)
 *
 * Everything served is signed (the bench verifies it), so reading needs no token.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import rangeParser from 'range-parser';
import { z } from 'zod';
import { storedText } from '../stored-text';
import { openEnvelope } from '../../trust/envelope';
import { limits } from '../../trust/schemas';
import { ServerError } from '../server-error';
import { tokenRoleOf, tokenRoute, type RouteContext, type ServerInstance } from '../route-context';
import type { DistributionRepository } from '../store/distribution-repository';
import type { BlobStore } from './blob-store';
import { publishMetadata, type TrustedRootPin } from './metadata-publish';
import { acceptPackUpload } from './pack-upload';
import { registerAppUpdateRoutes } from './app-update-routes';
import { parseRepositoryPath } from '../../common/central-api/repository-paths';
import { REPOSITORY_PREFIX } from '../../common/central-api/paths';
import { benchIdSchema } from '../../trust/bench-id';
import { ACTOR_HEADER, ADMIN_EVIDENCE_PATH, RELEASE_METADATA_PATH, RELEASE_PACKS_PREFIX, RELEASE_STATE_PATH, SHA256_HEADER } from '../../common/central-api/paths';


/** Metadata publishes carry several indexes (each capped at 4 MiB by trust/schemas.ts). */
const METADATA_BODY_LIMIT = 64 * 1024 * 1024;

export interface DistributionOptions {
  store: DistributionRepository;
  blobs: BlobStore;
  /** Root 1 pinned at start (--trusted-root); without it the first published root is trusted on first use. */
  trustedRoot?: TrustedRootPin;
}

const auditText = storedText().min(1).max(2000);
const metadataPublishSchema = z.strictObject({
  actor: auditText.optional(),
  reason: auditText.optional(),
  ticket: auditText.optional(),
  files: z
    .array(z.strictObject({ path: z.string().min(1).max(256), contentBase64: z.string().max(8 * 1024 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/) }))
    .min(1)
    .max(1000),
});
const directivePublishSchema = z.strictObject({ directiveBase64: z.string().min(1).max(128 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/) });
const evidenceQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100), action: storedText().max(100).optional() });

function etagOf(sha256: string): string {
  return `"${sha256}"`;
}

function notFound(path: string): ServerError {
  return new ServerError('NOT_FOUND', `${path} is not in the repository this server serves.`);
}

export function decodeExact(base64: string, what: string): Buffer {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.toString('base64') !== base64) throw new ServerError('INVALID_REQUEST', `${what} is not canonical base64.`);
  return bytes;
}

/** The actor a directive names, read without trust (publishMetadata verifies the directive before anything is stored). */
function directiveActor(bytes: Buffer): string | null {
  try {
    const payload = JSON.parse(Buffer.from(openEnvelope(bytes, limits.directiveBytes, 'directive').payload).toString('utf8')) as { actor?: unknown };
    return typeof payload.actor === 'string' ? payload.actor.slice(0, 200) : null;
  } catch {
    return null;
  }
}

export function actorOf(request: FastifyRequest, fallback: string): string {
  const header = request.headers[ACTOR_HEADER];
  return typeof header === 'string' && header.length > 0 && header.length <= 200 ? header : fallback;
}

/** The repository path of a request: only exact, unencoded names are served (no %2e%2e, no backslashes). */
function repositoryPathOf(url: string): string | null {
  const pathOnly = url.split('?')[0] ?? '';
  if (!pathOnly.startsWith(`${REPOSITORY_PREFIX}/`)) return null;
  const rest = pathOnly.slice(REPOSITORY_PREFIX.length + 1);
  if (/[%\\]/.test(rest)) return null;
  return rest;
}

async function servePack(request: FastifyRequest, reply: FastifyReply, options: DistributionOptions, path: string): Promise<FastifyReply> {
  const pack = await options.store.pack(path);
  if (!pack) throw notFound(path);
  return serveBlob(request, reply, options.blobs, { what: path, sha256: pack.sha256, length: pack.length });
}

/**
 * One whole blob (a pack or an app installer), resumable: Range (206) against a strong ETag = SHA-256,
 * If-Range with another validator sends the whole file.
 */
export async function serveBlob(request: FastifyRequest, reply: FastifyReply, blobs: BlobStore, blob: { what: string; sha256: string; length: number }): Promise<FastifyReply> {
  const file = blobs.pathOf(blob.sha256);
  const size = blobs.sizeOf(blob.sha256);
  // The database names only whole blobs; a blob missing or of another size on disk is the server's fault.
  if (size !== blob.length) throw new ServerError('INTERNAL', `The blob of ${blob.what} is missing or damaged on the server.`);
  const etag = etagOf(blob.sha256);
  reply.header('etag', etag).header('accept-ranges', 'bytes').header('cache-control', 'public, max-age=31536000, immutable').type('application/octet-stream');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  const rangeHeader = request.headers.range;
  const ifRange = request.headers['if-range'];
  // If-Range with another validator: the client's partial copy is of other bytes; send the whole file.
  if (typeof rangeHeader === 'string' && (ifRange === undefined || ifRange === etag)) {
    const ranges = rangeParser(size, rangeHeader, { combine: true });
    if (ranges === -1) return reply.code(416).header('content-range', `bytes */${size}`).send();
    if (Array.isArray(ranges) && ranges.length === 1 && ranges.type === 'bytes') {
      const [range] = ranges;
      if (range) {
        reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1);
        return reply.send(createReadStream(file, { start: range.start, end: range.end }));
      }
    }
    // Malformed or multiple ranges: the whole file (RFC 9110 lets a server ignore Range).
  }
  reply.code(200).header('content-length', size);
  return reply.send(createReadStream(file));
}

export async function registerDistributionRoutes(app: ServerInstance, context: RouteContext, options: DistributionOptions): Promise<void> {
  await app.register(async (scope) => {
    // Pack uploads stream to the blob store; the handler reads the raw request itself.
    scope.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null, undefined));

    scope.get(`${REPOSITORY_PREFIX}/*`, async (request, reply) => {
      const path = repositoryPathOf(request.url);
      const parsed = path === null ? null : parseRepositoryPath(path);
      if (!parsed || path === null) throw notFound(path ?? request.url);
      if (parsed.kind === 'pack') return servePack(request, reply, options, parsed.path);
      const file = await options.store.file(parsed.path);
      if (!file) throw notFound(parsed.path);
      const etag = etagOf(file.sha256);
      reply.header('etag', etag).header('cache-control', 'no-cache').type('application/json');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.send(Buffer.from(file.content_base64, 'base64'));
    });

    scope.get(RELEASE_STATE_PATH, tokenRoute('release', 'admin'), async () => {
      const [files, packs] = await Promise.all([options.store.files(), options.store.packs()]);
      return {
        files: files.map((f) => ({ path: f.path, kind: f.kind, version: f.version, sha256: f.sha256, length: f.length })),
        packs: packs.map((p) => ({ path: p.path, sha256: p.sha256, length: p.length, manifestSha256: p.manifest_sha256 })),
      };
    });

    scope.put(`${RELEASE_PACKS_PREFIX}/packs/:family/:file`, tokenRoute('release'), async (request, reply) => {
      try {
        const role = tokenRoleOf(request);
        const sha256 = request.headers[SHA256_HEADER];
        if (typeof sha256 !== 'string') throw new ServerError('INVALID_REQUEST', `A pack upload names its SHA-256 in the ${SHA256_HEADER} header.`);
        if (request.headers['content-type'] !== 'application/octet-stream') throw new ServerError('INVALID_REQUEST', 'A pack upload is sent as application/octet-stream.');
        const path = (request.url.split('?')[0] ?? '').slice(RELEASE_PACKS_PREFIX.length + 1);
        const result = await acceptPackUpload(
          { store: options.store, blobs: options.blobs, now: context.now },
          { path, sha256, body: request.raw, actor: { role, actor: actorOf(request, 'release-manager') } },
        );
        context.logger.info({ path: result.path, sha256: result.sha256, added: result.added }, 'pack uploaded');
        return await reply.code(result.added ? 201 : 200).send(result);
      } catch (error) {
        // Refused before the body was read (headers, conflict): discard the rest and close the
        // connection after the answer, or a large upload would hold the connection (and a shutdown) open.
        if (!request.raw.complete && !request.raw.destroyed) {
          reply.header('connection', 'close');
          request.raw.resume();
        }
        throw error;
      }
    });

    // The large limit applies only once the release token has passed (onRequest, before any byte is read).
    scope.post(RELEASE_METADATA_PATH, { ...tokenRoute('release'), bodyLimit: METADATA_BODY_LIMIT }, async (request) => {
      const role = tokenRoleOf(request);
      const input = context.parse(metadataPublishSchema, request.body, 'metadata publish');
      const files = input.files.map((file) => ({ path: file.path, bytes: decodeExact(file.contentBase64, file.path) }));
      const result = await publishMetadata(options.store, files, { role, actor: input.actor ?? 'release-manager', reason: input.reason, ticket: input.ticket }, context.now(), { trustedRoot: options.trustedRoot });
      context.logger.info({ publishId: result.publishId, written: result.written.length }, 'metadata published');
      return result;
    });

    scope.put('/api/v1/admin/directives/:benchId', tokenRoute('admin'), async (request) => {
      const role = tokenRoleOf(request);
      const { benchId } = context.parse(z.strictObject({ benchId: benchIdSchema }), request.params, 'bench id');
      const { directiveBase64 } = context.parse(directivePublishSchema, request.body, 'directive');
      const bytes = decodeExact(directiveBase64, 'directive');
      // The evidence names who signed the pin (the directive's own actor), once the publish has verified it.
      const result = await publishMetadata(options.store, [{ path: `directives/${benchId}.json`, bytes }], { role, actor: actorOf(request, directiveActor(bytes) ?? 'admin') }, context.now(), { trustedRoot: options.trustedRoot });
      return { benchId, ...result };
    });

    registerAppUpdateRoutes(scope, context, options);

    scope.get(ADMIN_EVIDENCE_PATH, tokenRoute('admin', 'support'), async (request) => {
      const query = context.parse(evidenceQuerySchema, request.query, 'query');
      return options.store.evidence(query);
    });
  });
}
