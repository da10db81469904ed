/**
 * Where a refresh reads signed metadata and packs from: the central server (its repository route), a
 * repository directory, or an offline bundle file (a tar.gz holding the repository layout, made by
 * `injbench release bundle`). Everything read is verified by trust/verify-release.ts; this module only
 * fetches, and for a bundle unpacks, with caps on names, counts and sizes.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { httpSource } from '../../../trust/http-source';
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

/** The only names a bundle may hold: the repository layout, nothing else (no keys, no evidence, no links). */
const bundleEntry = /^(root\/\d{1,6}\.root\.json|timestamp\.json|snapshot\.json|index\/[a-z0-9][a-z0-9-]{0,63}\.json|directives\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.json|packs\/[a-z0-9][a-z0-9-]{0,63}\/\d{1,6}\.\d{1,6}\.\d{1,6}\.injpack)$/;
export const bundleLimits = { entries: 10_000, bytes: 2 * 1024 * 1024 * 1024 } as const;

export function isBundleEntry(name: string): boolean {
  return bundleEntry.test(name.replace(/^\.\//, ''));
}

/** Unpacks a bundle into `into`, refusing anything outside the layout and stopping at the caps. */
export async function unpackBundle(file: string, into: string): Promise<void> {
  let entries = 0;
  let bytes = 0;
  let refusal: string | null = null;
  await tar.x({
    file,
    cwd: into,
    strict: true,
    preservePaths: false,
    filter: (name, entry) => {
      const type = 'type' in entry ? entry.type : 'File';
      if (type === 'Directory') return true;
      if (type !== 'File' && type !== 'OldFile') {
        refusal ??= `${name} is a ${String(type)}, not a file`;
        return false;
      }
      if (!isBundleEntry(name)) {
        refusal ??= `${name} is not part of the repository layout`;
        return false;
      }
      entries += 1;
      bytes += entry.size ?? 0;
      if (entries > bundleLimits.entries || bytes > bundleLimits.bytes) {
        refusal ??= `the bundle holds more than ${bundleLimits.entries} files or ${bundleLimits.bytes} bytes`;
        return false;
      }
      return true;
    },
  });
  if (refusal) throw new ServiceError('VERIFICATION_FAILED', `The offline bundle ${file} was refused: ${refusal}. Make it with injbench release bundle.`);
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
  const into = mkdtempSync(path.join(scratchDir, 'bundle-'));
  const close = () => rmSync(into, { recursive: true, force: true });
  try {
    await unpackBundle(spec.path, into);
  } catch (error) {
    close();
    if (error instanceof ServiceError) throw error;
    throw new ServiceError('VERIFICATION_FAILED', `The offline bundle ${spec.path} cannot be read (${error instanceof Error ? error.message : String(error)}).`, { cause: error });
  }
  return { source: directorySource(into), describe: `bundle ${path.resolve(spec.path)}`, close };
}

/** Writes a bundle of the repository at `repoDir`: only the layout files, gzip, portable headers. */
export async function writeBundle(repoDir: string, outFile: string, files: readonly string[]): Promise<void> {
  await tar.c({ file: outFile, cwd: repoDir, gzip: true, portable: true, noDirRecurse: true }, [...files]);
}
