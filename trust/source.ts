import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { TrustError } from './errors';

/** Where signed metadata and packs come from: a repository directory, a USB bundle, or a server. */
export interface MetadataSource {
  describe(): string;
  /** The file's bytes, null when it does not exist; OVERSIZE before reading more than maxBytes. */
  read(name: string, maxBytes: number): Promise<Uint8Array | null>;
  /** Copies a file into `destination`, aborting with OVERSIZE past maxBytes. */
  download(name: string, maxBytes: number, destination: string): Promise<void>;
}

function safeJoin(root: string, name: string): string {
  const resolved = path.resolve(root, name);
  if (!resolved.startsWith(root + path.sep)) throw new TrustError('MALFORMED', `refusing path ${name} outside the repository.`);
  return resolved;
}

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Counts bytes through a stream and aborts once they exceed the cap (a file may grow while read). */
export function byteCap(maxBytes: number, what: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new TrustError('OVERSIZE', `${what} exceeds its ${maxBytes}-byte cap.`));
      else callback(null, chunk);
    },
  });
}

export function directorySource(directory: string): MetadataSource {
  const root = path.resolve(directory);
  return {
    describe: () => root,
    async read(name, maxBytes) {
      const file = safeJoin(root, name);
      const info = await statOrNull(file);
      if (!info) return null;
      if (info.size > maxBytes) throw new TrustError('OVERSIZE', `${name} is ${info.size} bytes, over the ${maxBytes}-byte cap.`);
      const handle = await open(file, 'r');
      try {
        const buffer = Buffer.alloc(maxBytes + 1 > info.size + 1 ? info.size + 1 : maxBytes + 1);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        if (bytesRead > maxBytes) throw new TrustError('OVERSIZE', `${name} grew past its ${maxBytes}-byte cap while read.`);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    async download(name, maxBytes, destination) {
      const file = safeJoin(root, name);
      const info = await statOrNull(file);
      if (!info) throw new TrustError('NOT_FOUND', `${name} is missing from ${root}.`);
      if (info.size > maxBytes) throw new TrustError('OVERSIZE', `${name} is ${info.size} bytes, over the signed ${maxBytes}-byte length.`);
      await pipeline(createReadStream(file), byteCap(maxBytes, name), createWriteStream(destination, { mode: 0o600 }));
    },
  };
}
