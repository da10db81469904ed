/**
 * The bench app's log files: `<dataDir>/logs/bench-app.<n>.log`, rolled by pino-roll at 10 MB and kept
 * to the newest 5 (about 50 MB at most), so a Windows GUI app, whose stderr nobody sees, leaves its logs
 * where the diagnostics archive (diagnostics-archive.ts) and a technician find them. Written in the main
 * thread (pino-roll's stream, not a worker transport), so the bundled, packaged app needs no extra files.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import pinoRoll from 'pino-roll';

export const LOG_DIRECTORY = 'logs';
const LOG_FILE_STEM = 'bench-app';
const LOG_FILE_PATTERN = /^bench-app\.\d+\.log$/;

export interface RotatingLogOptions {
  /** Size at which a file is rolled, in KiB (default 10 MiB). */
  sizeKb?: number;
  /** Files kept, the current one included. */
  keep?: number;
}

export type RotatingLogStream = Awaited<ReturnType<typeof pinoRoll>>;

export function logDirectoryOf(dataDir: string): string {
  return path.join(dataDir, LOG_DIRECTORY);
}

export function openRotatingLogFile(dataDir: string, options: RotatingLogOptions = {}): Promise<RotatingLogStream> {
  return pinoRoll({
    file: path.join(logDirectoryOf(dataDir), LOG_FILE_STEM),
    extension: '.log',
    size: `${options.sizeKb ?? 10 * 1024}k`,
    // Files of earlier runs count too (removeOtherLogFiles), so restarts cannot pile logs up; pino-roll
    // keeps `count` files besides the one it writes.
    limit: { count: Math.max(1, (options.keep ?? 5) - 1), removeOtherLogFiles: true },
    mkdir: true,
  });
}

/** The log files on disk, oldest first. */
export function listLogFiles(dataDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(logDirectoryOf(dataDir));
  } catch {
    return [];
  }
  const number = (name: string): number => Number(name.split('.')[1]);
  return names.filter((name) => LOG_FILE_PATTERN.test(name)).sort((a, b) => number(a) - number(b)).map((name) => path.join(logDirectoryOf(dataDir), name));
}
