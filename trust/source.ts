import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { TrustError, isTrustError } from './errors';

/**
 * Where signed metadata and packs come from: a repository directory, a USB bundle, or a server. Every
 * implementation streams and never holds more than maxBytes (plus one read chunk) of a file.
 */
export interface MetadataSource {
  describe(): string;
  /** The file's bytes, null when it does not exist; OVERSIZE before reading more than maxBytes. */
  read(name: string, maxBytes: number): Promise<Uint8Array | null>;
  /** Copies a file into `destination`, aborting with OVERSIZE past maxBytes. */
  download(name: string, maxBytes: number, destination: string): Promise<void>;
}

/**
 * Caps before reads, for a file whose length signed metadata declares (the snapshot in the timestamp, an
 * index in the snapshot, a pack in the index): a declared length over the role's or the pack's cap is
 * OVERSIZE before the first byte is fetched, and the source is then asked for at most the declared length,
 * so a body longer than declared stops there as LENGTH_MISMATCH instead of being read on.
 */
function boundByDeclaredLength(name: string, declared: number, cap: number): number {
  if (declared > cap) throw new TrustError('OVERSIZE', `${name} is declared as ${declared} bytes, over its ${cap}-byte cap; not fetched.`);
  return declared;
}

async function stoppingAtDeclaredLength<T>(name: string, declared: number, fetch: () => Promise<T>): Promise<T> {
  try {
    return await fetch();
  } catch (error) {
    // The source refused to go past the bound it was given, which is the declared length: the file is longer.
    if (isTrustError(error, 'OVERSIZE')) throw new TrustError('LENGTH_MISMATCH', `${name} is longer than its signed ${declared} bytes; stopped reading there.`, { cause: error });
    throw error;
  }
}

/** Reads a file of declared length (null when missing), bounded by min(declared, cap). */
export function readDeclared(source: MetadataSource, name: string, declared: number, cap: number): Promise<Uint8Array | null> {
  const bound = boundByDeclaredLength(name, declared, cap);
  return stoppingAtDeclaredLength(name, declared, () => source.read(name, bound));
}

/** Downloads a file of declared length into `destination`, bounded by min(declared, cap). */
export function downloadDeclared(source: MetadataSource, name: string, declared: number, cap: number, destination: string): Promise<void> {
  const bound = boundByDeclaredLength(name, declared, cap);
  return stoppingAtDeclaredLength(name, declared, () => source.download(name, bound, destination));
}

function safeJoin(root: string, name: string): string {
  const resolved = path.resolve(root, name);
  if (!resolved.startsWith(root + path.sep)) throw new TrustError('MALFORMED', `refusing path ${name} outside the repository.`);
  return resolved;
}

/** The file's metadata, null when missing; anything but a regular file (a directory named timestamp.json) is MALFORMED. */
async function statOrNull(file: string, name: string): Promise<Stats | null> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!info.isFile()) throw new TrustError('MALFORMED', `${name} is not a regular file.`);
  return info;
}

/**
 * A file's bytes, null when it does not exist, never more than maxBytes of it: a regular file only (a
 * folder, a FIFO or a device under the expected name is MALFORMED, not EISDIR or a read that never ends),
 * OVERSIZE from its size before a byte is read, and at most maxBytes + 1 read in case it grows meanwhile.
 */
export async function readCappedFile(file: string, name: string, maxBytes: number): Promise<Uint8Array | null> {
  const info = await statOrNull(file, name);
  if (!info) return null;
  if (info.size > maxBytes) throw new TrustError('OVERSIZE', `${name} is ${info.size} bytes, over the ${maxBytes}-byte cap.`);
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) throw new TrustError('OVERSIZE', `${name} grew past its ${maxBytes}-byte cap while read.`);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Counts bytes through a stream and aborts once they exceed the cap (a file may grow while read). */
export function byteCap(maxBytes: number, what: string, onChunk?: () => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onChunk?.();
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
    read: (name, maxBytes) => readCappedFile(safeJoin(root, name), name, maxBytes),
    async download(name, maxBytes, destination) {
      const file = safeJoin(root, name);
      const info = await statOrNull(file, name);
      if (!info) throw new TrustError('NOT_FOUND', `${name} is missing from ${root}.`);
      if (info.size > maxBytes) throw new TrustError('OVERSIZE', `${name} is ${info.size} bytes, over the signed ${maxBytes}-byte length.`);
      await pipeline(createReadStream(file), byteCap(maxBytes, name), createWriteStream(destination, { mode: 0o600 }));
    },
  };
}
