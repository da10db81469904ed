/**
 * Where a refresh reads signed metadata and packs from: the central server (its repository route), a
 * repository directory, or an offline bundle file (a tar.gz holding the repository layout, made by
 * `injbench release bundle`). Everything read is verified by trust/verify-release.ts; this module only
 * fetches, and for a bundle unpacks, with caps on names, counts and sizes.
 */
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import path from 'node:path';
import * as tar from 'tar';
import { httpSource } from '../../../trust/http-source';
import { writerIsGone } from '../../../trust/atomic-file';
import { TrustError } from '../../../trust/errors';
import { limits } from '../../../trust/schemas';
import { directorySource, type MetadataSource } from '../../../trust/source';
import { ServiceError } from '../service-error';

export type ReleaseSourceSpec = { kind: 'server'; url: string } | { kind: 'directory'; path: string } | { kind: 'bundle'; path: string };

export interface OpenedSource {
  source: MetadataSource;
  describe: string;
  close(): void;
}

/** The repository route of the central server mirrors the repository directory layout exactly. */
export function serverRepositoryUrl(serverUrl: string): string {
  return new URL('api/v1/repository/', serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`).toString();
}

/**
 * The only names a bundle may hold: the repository layout, nothing else (no keys, no evidence, no links),
 * each with the cap its role has on the bench (trust/schemas.ts limits), checked from the tar header before
 * a byte of the entry is written.
 */
const bundleFiles: ReadonlyArray<{ pattern: RegExp; cap: number }> = [
  { pattern: /^root\/\d{1,6}\.root\.json$/, cap: limits.rootBytes },
  { pattern: /^timestamp\.json$/, cap: limits.timestampBytes },
  { pattern: /^snapshot\.json$/, cap: limits.snapshotBytes },
  { pattern: /^index\/[a-z0-9][a-z0-9-]{0,63}\.json$/, cap: limits.indexBytes },
  { pattern: /^directives\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.json$/, cap: limits.directiveBytes },
  { pattern: /^packs\/[a-z0-9][a-z0-9-]{0,63}\/\d{1,6}\.\d{1,6}\.\d{1,6}\.injpack$/, cap: limits.packBytes },
];
/** The folders of that layout, as other tar tools write them (with or without the trailing slash). */
const bundleDirectory = /^(\.|root|index|directives|packs|packs\/[a-z0-9][a-z0-9-]{0,63})\/?$/;
/** Every entry counts, whatever its type: folders and refused entries included. */
export const bundleLimits = { entries: 10_000, bytes: 2 * 1024 * 1024 * 1024 } as const;

const withoutDotSlash = (name: string): string => name.replace(/^\.\/(?=.)/, '');

/** The cap of a file the layout allows, null for any other name. */
function bundleFileCap(name: string): number | null {
  const relative = withoutDotSlash(name);
  return bundleFiles.find(({ pattern }) => pattern.test(relative))?.cap ?? null;
}

export function isBundleEntry(name: string): boolean {
  return bundleFileCap(name) !== null;
}

/** Why one tar entry is refused, with the typed code; null when it may be unpacked. */
function refuseBundleEntry(name: string, type: string, size: number): TrustError | null {
  if (type === 'Directory') {
    // tar reads a folder's size as 0 whatever its header says: bytes after it are read as the next header.
    return bundleDirectory.test(withoutDotSlash(name)) ? null : new TrustError('MALFORMED', `${name} is a folder outside the repository layout`);
  }
  if (type !== 'File' && type !== 'OldFile') return new TrustError('MALFORMED', `${name} is a ${type}, not a file`);
  const cap = bundleFileCap(name);
  if (cap === null) return new TrustError('MALFORMED', `${name} is not part of the repository layout`);
  if (size > cap) return new TrustError('OVERSIZE', `${name} is ${size} bytes, over its ${cap}-byte cap`);
  return null;
}

/**
 * What the tar stream may hold beyond the bodies its accepted headers declare: the headers themselves (one
 * 512-byte block each, pax records of a long name), the end-of-archive blocks and record padding, plus what
 * the streams between the file and the tar parser buffer ahead of it (a few 16 KiB chunks).
 */
const tarOverhead = { fixed: 256 * 1024, perEntry: 1024, metaEntry: 16 * 1024 } as const;
/** gzip and zstd magic: the tar parser would decompress a nested archive on its own, past every count here. */
const nestedArchiveMagic = [Buffer.from([0x1f, 0x8b]), Buffer.from([0x28, 0xb5, 0x2f, 0xfd])];

/**
 * The accounting of one bundle while it streams: entries and declared bytes from each tar header (before a
 * byte of the entry is written), names once each (case-folded: a case-insensitive disk would merge two), and
 * the decompressed bytes that reach the tar parser, which may never run ahead of what the headers declared
 * (a gzip bomb of zeros, padding after the end of the archive, oversized pax records or entries of a type
 * the parser skips are all bytes no header declared).
 */
class BundleGuard {
  entries = 0;
  private declared = 0;
  private streamed = 0;
  private readonly names = new Map<string, string>();
  private readonly seen = new WeakSet<object>();
  refusal: TrustError | null = null;

  constructor(private readonly abort: (refusal: TrustError) => void) {}

  refuse(refusal: TrustError): void {
    if (this.refusal) return;
    this.refusal = refusal;
    this.abort(refusal);
  }

  /** tar's filter: every entry the parser hands on (all but pax/long-name records and unknown types). */
  admit(name: string, entry: object & { type?: unknown; size?: number }): boolean {
    if (this.refusal) return false;
    this.seen.add(entry);
    const type = 'type' in entry ? String(entry.type) : 'File';
    const size = entry.size ?? 0;
    this.entries += 1;
    this.declared += 512 * Math.ceil(size / 512);
    const refusal =
      this.entries > bundleLimits.entries || this.declared > bundleLimits.bytes
        ? new TrustError('OVERSIZE', `the bundle holds more than ${bundleLimits.entries} entries or ${bundleLimits.bytes} bytes`)
        : (refuseBundleEntry(name, type, size) ?? this.refuseDuplicate(name, type));
    if (refusal) this.refuse(refusal);
    return refusal === null;
  }

  private refuseDuplicate(name: string, type: string): TrustError | null {
    const key = withoutDotSlash(name).replace(/\/+$/, '').toLowerCase();
    const previous = this.names.get(key);
    this.names.set(key, type);
    // The layout's folders may be listed again by some tar tools; a file, or a file and a folder, never.
    if (previous === undefined || (previous === 'Directory' && type === 'Directory')) return null;
    return new TrustError('MALFORMED', `${name} appears twice in the bundle (names compared case-insensitively)`);
  }

  /** An entry the parser skipped without asking the filter: a type it does not know, or an oversized pax record. */
  skipped(entry: object & { path?: string; type?: unknown; size?: number; meta?: boolean }): void {
    if (this.seen.has(entry)) return;
    this.refuse(
      entry.meta
        ? new TrustError('OVERSIZE', `a ${String(entry.type)} record of ${entry.size ?? 0} bytes is over its ${tarOverhead.metaEntry}-byte cap`)
        : new TrustError('MALFORMED', `${entry.path ?? '(no name)'} is an entry of unknown type ${String(entry.type)}`),
    );
  }

  /** Counts the decompressed bytes on their way to the parser; refuses what no header declared. */
  stream(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        if (this.streamed === 0 && nestedArchiveMagic.some((magic) => chunk.subarray(0, magic.length).equals(magic))) {
          return callback(new TrustError('MALFORMED', 'the bundle holds a compressed archive inside the compressed archive'));
        }
        this.streamed += chunk.length;
        const allowed = this.declared + tarOverhead.fixed + this.entries * tarOverhead.perEntry;
        if (this.streamed > allowed) {
          return callback(new TrustError('OVERSIZE', `the bundle decompresses to more than its tar headers declare (${this.streamed} bytes read, ${this.declared} declared)`));
        }
        callback(null, chunk);
      },
    });
  }
}

/** The decompressor for a gzip file, nothing for a plain tar (read as it is, through the same counts). */
async function decompressorFor(file: string): Promise<Transform[]> {
  const handle = await open(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    return bytesRead === 2 && magic.equals(nestedArchiveMagic[0] as Buffer) ? [createGunzip()] : [];
  } finally {
    await handle.close();
  }
}

/**
 * Unpacks a bundle into `into`, refusing anything outside the layout and stopping at the caps. The file is
 * decompressed here, not by tar, so every decompressed byte is counted against what the headers declare
 * before the parser sees it; the first refusal stops the stream (nothing after it is decompressed or
 * written) and is thrown as a TrustError: MALFORMED for a name, a type, a duplicate or an unreadable
 * archive, OVERSIZE for a cap. The caller removes what was written.
 */
export async function unpackBundle(file: string, into: string): Promise<void> {
  const decompress = await decompressorFor(file);
  let guarded: Transform | null = null;
  const guard = new BundleGuard((refusal) => guarded?.destroy(refusal));
  guarded = guard.stream();
  const unpack = new tar.Unpack({
    cwd: into,
    strict: true,
    preservePaths: false,
    maxMetaEntrySize: tarOverhead.metaEntry,
    filter: (name, entry) => guard.admit(name, entry),
  });
  unpack.on('ignoredEntry', (entry: tar.ReadEntry) => guard.skipped(entry));
  // Resolved when every file tar opened is closed, so the caller's clean-up does not race a late write.
  const unpacked = new Promise<void>((resolve) => {
    unpack.once('close', resolve);
    unpack.once('finish', resolve);
    unpack.once('error', () => resolve());
  });
  try {
    await pipeline([createReadStream(file), ...decompress, guarded, unpack]);
  } catch (error) {
    await Promise.race([unpacked, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    throw bundleRefusal(file, guard.refusal ?? error);
  }
  if (guard.refusal) throw bundleRefusal(file, guard.refusal);
}

/** Every way a bundle fails to unpack, typed: a refusal keeps its code; a damaged gzip or tar stream is MALFORMED. */
function bundleRefusal(file: string, error: unknown): TrustError {
  const reason =
    error instanceof TrustError
      ? error
      : new TrustError('MALFORMED', `it is not a readable tar.gz (${error instanceof Error ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}` : String(error)})`, { cause: error });
  return new TrustError(reason.code, `The offline bundle ${file} was refused: ${reason.message}. Make it with injbench release bundle.`, { cause: error });
}

/** Where offline bundles are unpacked while a refresh reads them: <dataDir>/releases/bundle-<pid>-<random>. */
export function bundleScratchDir(dataDir: string): string {
  return path.join(dataDir, 'releases');
}

/** Bundles unpacked by a process that is gone (killed mid-refresh): removed at every start (openBenchCore). */
export function removeBundleLeftovers(dataDir: string): string[] {
  const scratch = bundleScratchDir(dataDir);
  if (!existsSync(scratch)) return [];
  const leftovers = readdirSync(scratch).filter((name) => {
    const pid = /^bundle-(\d+)-/.exec(name)?.[1];
    return pid === undefined ? name.startsWith('bundle-') : writerIsGone(Number(pid));
  });
  for (const name of leftovers) rmSync(path.join(scratch, name), { recursive: true, force: true });
  return leftovers.map((name) => path.join('releases', name));
}

export async function openReleaseSource(spec: ReleaseSourceSpec, scratchDir: string): Promise<OpenedSource> {
  if (spec.kind === 'server') {
    const url = serverRepositoryUrl(spec.url);
    return { source: httpSource(url), describe: url, close: () => undefined };
  }
  let info;
  try {
    info = statSync(spec.path);
  } catch {
    throw new ServiceError('NOT_CONFIGURED', `${spec.path} does not exist: give the path of a release ${spec.kind === 'directory' ? 'directory' : 'bundle file'} on this machine.`);
  }
  if (spec.kind === 'directory') {
    if (!info.isDirectory()) throw new ServiceError('NOT_CONFIGURED', `${spec.path} is not a directory.`);
    return { source: directorySource(spec.path), describe: path.resolve(spec.path), close: () => undefined };
  }
  if (!info.isFile()) throw new ServiceError('NOT_CONFIGURED', `${spec.path} is not a bundle file.`);
  const into = mkdtempSync(path.join(scratchDir, `bundle-${process.pid}-`));
  const close = () => rmSync(into, { recursive: true, force: true });
  try {
    await unpackBundle(spec.path, into);
  } catch (error) {
    close();
    if (error instanceof TrustError) throw error;
    throw new ServiceError('VERIFICATION_FAILED', `The offline bundle ${spec.path} cannot be read (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
  }
  return { source: directorySource(into), describe: `bundle ${path.resolve(spec.path)}`, close };
}

/** Writes a bundle of the repository at `repoDir`: only the layout files, gzip, portable headers. */
export async function writeBundle(repoDir: string, outFile: string, files: readonly string[]): Promise<void> {
  await tar.c({ file: outFile, cwd: repoDir, gzip: true, portable: true, noDirRecurse: true }, [...files]);
}
