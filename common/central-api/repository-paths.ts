/**
 * The paths of a release repository (trust/repository.ts) as the server serves them under
 * /api/v1/repository/. Only these shapes exist: anything else is "not found" before any lookup, so a
 * request path never reaches the file system or the database as given (no traversal, no odd names).
 */
import { benchIdSchema } from '../../trust/bench-id';
import { featureId, semver } from '../../trust/schemas';


/** The kinds of signed metadata a repository holds (packs are targets, not metadata). */
export type RepositoryFileKind = 'root' | 'timestamp' | 'snapshot' | 'index' | 'directive';

export type RepositoryPath =
  | { kind: 'root'; path: string; version: number }
  | { kind: 'timestamp' | 'snapshot'; path: string }
  | { kind: 'index'; path: string; family: string }
  | { kind: 'directive'; path: string; benchId: string }
  | { kind: 'pack'; path: string; family: string; version: string };

/** The metadata kinds (everything but packs) in the order a publish applies them: timestamp last. */
export const metadataOrder: readonly RepositoryFileKind[] = ['root', 'directive', 'index', 'snapshot', 'timestamp'];

export function parseRepositoryPath(path: string): RepositoryPath | null {
  if (path.length > 256) return null;
  if (path === 'timestamp.json' || path === 'snapshot.json') return { kind: path === 'timestamp.json' ? 'timestamp' : 'snapshot', path };
  const root = /^root\/([1-9]\d{0,8})\.root\.json$/.exec(path);
  if (root?.[1]) return { kind: 'root', path, version: Number(root[1]) };
  const index = /^index\/([^/]+)\.json$/.exec(path);
  if (index?.[1] && featureId.safeParse(index[1]).success) return { kind: 'index', path, family: index[1] };
  const directive = /^directives\/([^/]+)\.json$/.exec(path);
  if (directive?.[1] && benchIdSchema.safeParse(directive[1]).success && !directive[1].includes('..')) return { kind: 'directive', path, benchId: directive[1] };
  const pack = /^packs\/([^/]+)\/([^/]+)\.injpack$/.exec(path);
  if (pack?.[1] && pack[2] && featureId.safeParse(pack[1]).success && semver.safeParse(pack[2]).success) return { kind: 'pack', path, family: pack[1], version: pack[2] };
  return null;
}

export const packPathOf = (family: string, version: string): string => `packs/${family}/${version}.injpack`;
