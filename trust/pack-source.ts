import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { TrustError } from './errors';
import { buildPack, type BuiltPack, type PackInputFile } from './pack';
import { calibrationSchema, packSourceSchema } from './pack-content';

export interface Provenance {
  source_commit: string;
  dirty: boolean;
  build_id: string;
  build_time: string;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TrustError('MALFORMED', `${file} is not readable JSON: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

function listFiles(directory: string, prefix = ''): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    // Dot entries (.git, editor files) are tooling, not pack data.
    .filter((entry) => !entry.name.startsWith('.'))
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return listFiles(path.join(directory, entry.name), relative);
      return entry.isFile() ? [relative] : [];
    });
}

/**
 * Validates a pack source directory (pack.json, calibration.json, any further data files) and builds the
 * pack. `overrides` lets the demo build successive versions from one source.
 */
export function buildPackFromSource(
  sourceDir: string,
  provenance: Provenance,
  overrides: { version?: string; release_counter?: number; extraFiles?: PackInputFile[]; calibrationPatch?: (calibration: Record<string, unknown>) => void } = {},
): BuiltPack {
  if (!statSync(sourceDir, { throwIfNoEntry: false })?.isDirectory()) throw new TrustError('NOT_FOUND', `${sourceDir} is not a directory.`);
  const sourceParse = packSourceSchema.safeParse(readJson(path.join(sourceDir, 'pack.json')));
  if (!sourceParse.success) throw new TrustError('MALFORMED', `pack.json: ${sourceParse.error.issues[0]?.path.join('.')}: ${sourceParse.error.issues[0]?.message}.`);
  const source = { ...sourceParse.data, ...(overrides.version ? { version: overrides.version } : {}), ...(overrides.release_counter !== undefined ? { release_counter: overrides.release_counter } : {}) };
  const calibrationRaw = readJson(path.join(sourceDir, 'calibration.json')) as Record<string, unknown>;
  overrides.calibrationPatch?.(calibrationRaw);
  const calibration = calibrationSchema.safeParse(calibrationRaw);
  if (!calibration.success) {
    throw new TrustError('MALFORMED', `calibration.json: ${calibration.error.issues[0]?.path.join('.')}: ${calibration.error.issues[0]?.message}.`);
  }
  if (calibration.data.family !== source.feature_id) throw new TrustError('MALFORMED', `calibration.json is for ${calibration.data.family}, pack.json for ${source.feature_id}.`);
  if (calibration.data.synthetic !== source.synthetic) throw new TrustError('MALFORMED', 'pack.json and calibration.json disagree on synthetic.');

  const files: PackInputFile[] = listFiles(sourceDir)
    .filter((name) => name !== 'pack.json')
    .map((name) => ({ path: name, bytes: name === 'calibration.json' ? Buffer.from(`${JSON.stringify(calibration.data, null, 2)}\n`) : readFileSync(path.join(sourceDir, name)) }));
  files.push(...(overrides.extraFiles ?? []));
  return buildPack({ ...source, provenance }, files);
}
