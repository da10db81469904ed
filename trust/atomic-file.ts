import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether the process that named a temporary file by its pid is gone, so the file is a crash leftover; a
 * live process (another command or the app on the same data directory, or this one) may still be writing it.
 */
export function writerIsGone(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: alive, under another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** fsync a directory so a rename inside it survives power loss (a no-op where directories cannot be opened). */
export function fsyncDirectory(directory: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch (error) {
    if (process.platform !== 'win32') throw error;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Write to a temporary sibling, fsync it, rename it over the target, fsync the directory: a reader (or a
 * restart after kill -9 or power loss) sees the old file or the new one, never a mix.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array, mode = 0o644): void {
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', mode);
  try {
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    // Disk full or I/O error: the target is untouched; do not leave the partial temporary behind.
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDirectory(path.dirname(file));
}
