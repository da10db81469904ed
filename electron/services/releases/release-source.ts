/**
 * Where a refresh reads signed metadata and packs from: the central server (its repository route), a
 * repository directory, or an offline bundle file (a tar.gz holding the repository layout, made by
 * `injbench release bundle`). Everything read is verified by trust/verify-release.ts; this module only
 * fetches, and for a bundle unpacks, with caps on names, counts and sizes.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
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
    return bundleDirectory.test(withoutDotSlash(name)) ? null : new TrustError('MALFORMED', `${name} is a folder outside the repository layout`);
  }
  if (type !== 'File' && type !== 'OldFile') return new TrustError('MALFORMED', `${name} is a ${type}, not a file`);
  const cap = bundleFileCap(name);
  if (cap === null) return new TrustError('MALFORMED', `${name} is not part of the repository layout`);
  if (size > cap) return new TrustError('OVERSIZE', `${name} is ${size} bytes, over its ${cap}-byte cap`);
  return null;
}

/**
 * Unpacks a bundle into `into`, refusing anything outside the layout and stopping at the caps. Throws the
 * first refusal as a TrustError (MALFORMED for a name or type, OVERSIZE for a cap); nothing after it is
 * written, and the caller removes what was.
 */
export async function unpackBundle(file: string, into: string): Promise<void> {
  let entries = 0;
  let bytes = 0;
  let refusal: TrustError | null = null;
  await tar.x({
    file,
    cwd: into,
    strict: true,
    preservePaths: false,
    filter: (name, entry) => {
      if (refusal) return false;
      const type = 'type' in entry ? String(entry.type) : 'File';
      entries += 1;
      bytes += entry.size ?? 0;
      refusal =
        entries > bundleLimits.entries || bytes > bundleLimits.bytes
          ? new TrustError('OVERSIZE', `the bundle holds more than ${bundleLimits.entries} entries or ${bundleLimits.bytes} bytes`)
          : refuseBundleEntry(name, type, entry.size ?? 0);
      return refusal === null;
    },
  });
  const refused = refusal as TrustError | null;
  if (refused) throw new TrustError(refused.code, `The offline bundle ${file} was refused: ${refused.message}. Make it with injbench release bundle.`);
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
