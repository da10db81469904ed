/**
 * `injbench release publish --repo DIR --server URL`: uploads what changed in a release repository to
 * the central server with the release-manager token. Packs go first, each streamed and checked by hash
 * on the server; then the changed metadata in one request, which the server stores in one transaction
 * with the timestamp last: a bench never sees metadata naming a pack the server lacks.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { errorEnvelopeSchema } from './protocol';
import { SyncError } from './client';
import { parseRepositoryPath } from './repository-paths';
import { readCappedBody } from '../../trust/http-source';
import { callServer } from './token-client';
import { ACTOR_HEADER, RELEASE_METADATA_PATH, RELEASE_PACKS_PREFIX, RELEASE_STATE_PATH, SHA256_HEADER } from './paths';

export const RELEASE_TOKEN_ENV = 'INJBENCH_RELEASE_TOKEN';

const stateSchema = z.object({
  files: z.array(z.object({ path: z.string(), sha256: z.string() })),
  packs: z.array(z.object({ path: z.string(), sha256: z.string() })),
});
const publishAnswerSchema = z.object({
  publishId: z.string(),
  written: z.array(z.object({ path: z.string(), kind: z.string(), version: z.number(), sha256: z.string() })),
  unchanged: z.array(z.string()),
});

export function releaseTokenFromEnv(): string {
  const token = process.env[RELEASE_TOKEN_ENV];
  if (!token) throw new SyncError('UNAUTHORIZED', `Set ${RELEASE_TOKEN_ENV} to the server's release-manager token.`, false);
  return token;
}

/** Every file of the repository layout under `repoDir`, as repository paths (evidence.jsonl and strays are not published). */
export function repositoryFiles(repoDir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string, depth: number): void => {
    const directory = path.join(repoDir, relative);
    if (depth > 2 || !existsSync(directory)) return;
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(name, depth + 1);
      else if (entry.isFile() && parseRepositoryPath(name)) found.push(name);
    }
  };
  walk('', 0);
  return found.sort();
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const UPLOAD_ANSWER_MAX_BYTES = 64 * 1024;

/** Streams one file to a release-token upload route (packs, app installers); the server checks the SHA-256 as it arrives. */
export async function uploadReleaseFile(serverUrl: string, token: string, uploadPath: string, file: string, sha256: string, actor: string): Promise<{ added: boolean; length: number }> {
  const what = path.basename(file);
  const url = new URL(uploadPath, serverUrl);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', 'content-length': String(statSync(file).size), [SHA256_HEADER]: sha256, [ACTOR_HEADER]: actor },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      duplex: 'half',
      signal: AbortSignal.timeout(30 * 60_000),
    } as RequestInit & { duplex: 'half' });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new SyncError('NETWORK_ERROR', `Cannot upload ${what} to ${url.origin}: ${cause}.`, true);
  }
  // The answer is a few fields or an error envelope: read at most UPLOAD_ANSWER_MAX_BYTES of it, never a whole body.
  const payload: unknown = await readCappedBody(response, UPLOAD_ANSWER_MAX_BYTES, `The answer to the upload of ${what}`)
    .then((bytes) => JSON.parse(bytes.toString('utf8')) as unknown)
    .catch(() => null);
  if (!response.ok) {
    const envelope = errorEnvelopeSchema.safeParse(payload);
    if (envelope.success) throw new SyncError(envelope.data.error.code, envelope.data.error.message, false, response.status);
    throw new SyncError('BAD_RESPONSE', `The server answered ${response.status} to the upload of ${what}.`, false, response.status);
  }
  const answer = z.object({ added: z.boolean(), length: z.number() }).safeParse(payload);
  if (!answer.success) throw new SyncError('BAD_RESPONSE', `The server's answer to the upload of ${what} is not the upload's answer.`, false, response.status);
  return answer.data;
}

export interface PublishOptions {
  repoDir: string;
  serverUrl: string;
  token: string;
  actor: string;
  reason?: string;
  ticket?: string;
  print: (line: string) => void;
}

export async function publishRepositoryToServer(options: PublishOptions): Promise<{ packsUploaded: number; metadataWritten: number }> {
  const { repoDir, serverUrl, token, print } = options;
  const local = repositoryFiles(repoDir);
  if (!local.some((name) => name === 'root/1.root.json')) throw new SyncError('INVALID_REQUEST', `${repoDir} is not a release repository (no root/1.root.json).`, false);
  const state = stateSchema.parse(await callServer(serverUrl, 'GET', RELEASE_STATE_PATH, undefined, { token }));
  const served = new Map([...state.files, ...state.packs].map((file) => [file.path, file.sha256]));

  // 1. Packs first: each must be whole on the server before any index may name it.
  let packsUploaded = 0;
  for (const name of local.filter((n) => parseRepositoryPath(n)?.kind === 'pack')) {
    const sha256 = await sha256OfFile(path.join(repoDir, name));
    if (served.get(name) === sha256) continue;
    const result = await uploadReleaseFile(serverUrl, token, `${RELEASE_PACKS_PREFIX}/${name}`, path.join(repoDir, name), sha256, options.actor);
    packsUploaded += 1;
    print(`uploaded ${name} ${sha256} (${result.length} bytes)`);
  }

  // 2. Changed metadata in one request; the server writes roots, directives, indexes, snapshot, then the timestamp.
  const changed = local
    .filter((n) => parseRepositoryPath(n)?.kind !== 'pack')
    .map((name) => ({ name, bytes: readFileSync(path.join(repoDir, name)) }))
    .filter(({ name, bytes }) => served.get(name) !== createHash('sha256').update(bytes).digest('hex'));
  if (changed.length === 0) {
    print(packsUploaded === 0 ? 'nothing to publish: the server already serves this repository' : 'metadata unchanged');
    return { packsUploaded, metadataWritten: 0 };
  }
  const answer = publishAnswerSchema.parse(
    await callServer(
      serverUrl,
      'POST',
      RELEASE_METADATA_PATH,
      { actor: options.actor, reason: options.reason, ticket: options.ticket, files: changed.map(({ name, bytes }) => ({ path: name, contentBase64: bytes.toString('base64') })) },
      { token },
    ),
  );
  for (const file of answer.written) print(`published ${file.path} ${file.kind} ${file.version} ${file.sha256}`);
  print(`publish ${answer.publishId}: ${packsUploaded} packs uploaded, ${answer.written.length} metadata files published`);
  return { packsUploaded, metadataWritten: answer.written.length };
}
