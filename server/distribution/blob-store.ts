/**
 * Pack bytes on the server's file system, named by their SHA-256 (content-addressed): 1 GiB packs stay
 * out of the database rows. An upload streams into <blob dir>/incoming/, hashed and capped on the way;
 * only when the whole body has arrived, matches the hash the publisher named and is fsynced does it move
 * by rename to <blob dir>/sha256/<aa>/<sha256>. Served files are looked up by hash from the database, so
 * a half-written upload is never reachable.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncDirectory } from '../../trust/atomic-file';
import { ServerError } from '../server-error';

const hex64 = /^[0-9a-f]{64}$/;

export interface ReceivedBlob {
  sha256: string;
  length: number;
  file: string;
}

export class BlobStore {
  readonly directory: string;
  readonly #incoming: string;

  constructor(directory: string) {
    this.directory = path.resolve(directory);
    this.#incoming = path.join(this.directory, 'incoming');
    mkdirSync(this.#incoming, { recursive: true, mode: 0o750 });
    mkdirSync(path.join(this.directory, 'sha256'), { recursive: true, mode: 0o750 });
  }

  /** Uploads a crash left behind are garbage: nothing ever named them. */
  removeIncomingLeftovers(olderThanMs = 0): number {
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of readdirSync(this.#incoming)) {
      const file = path.join(this.#incoming, name);
      // Another instance sharing the folder may be streaming into a younger one right now.
      const modified = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
      if (olderThanMs > 0 && modified > cutoff) continue;
      rmSync(file, { force: true });
      removed += 1;
    }
    return removed;
  }

  pathOf(sha256: string): string {
    if (!hex64.test(sha256)) throw new ServerError('INVALID_REQUEST', 'A blob is named by 64 lower-case hex digits.');
    return path.join(this.directory, 'sha256', sha256.slice(0, 2), sha256);
  }

  /** The stored blob's size, or null when it is not on disk. */
  sizeOf(sha256: string): number | null {
    try {
      return statSync(this.pathOf(sha256)).size;
    } catch {
      return null;
    }
  }

  /**
   * Streams `body` into the store. HASH_MISMATCH when the bytes are not the ones named, OVERSIZE past
   * `maxBytes`; either way nothing is kept. A body cut short by the client fails the same way.
   */
  async receive(body: Readable, expectedSha256: string, maxBytes: number): Promise<ReceivedBlob> {
    if (!hex64.test(expectedSha256)) throw new ServerError('INVALID_REQUEST', 'The upload must name its SHA-256 (64 lower-case hex digits).');
    const temporary = path.join(this.#incoming, `${randomBytes(12).toString('hex')}.part`);
    const hash = createHash('sha256');
    let length = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        length += chunk.length;
        if (length > maxBytes) return callback(new ServerError('OVERSIZE', `The upload exceeds the ${maxBytes}-byte pack cap.`));
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(temporary, { flags: 'wx', mode: 0o640 }));
      const actual = hash.digest('hex');
      if (actual !== expectedSha256) {
        throw new ServerError('HASH_MISMATCH', `The uploaded bytes hash to ${actual}, not the ${expectedSha256} the publisher named; nothing was stored.`);
      }
      const handle = await open(temporary, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      const target = this.pathOf(actual);
      mkdirSync(path.dirname(target), { recursive: true, mode: 0o750 });
      await rename(temporary, target);
      fsyncDirectory(path.dirname(target));
      return { sha256: actual, length, file: target };
    } catch (error) {
      await rm(temporary, { force: true });
      if (error instanceof ServerError) throw error;
      throw new ServerError('INVALID_REQUEST', `The upload did not arrive whole (${error instanceof Error ? error.message : String(error)}); nothing was stored. Send it again.`, { cause: error });
    }
  }
}
