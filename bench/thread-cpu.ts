/**
 * CPU time of the calling thread (Linux /proc/thread-self/stat), in ms; null elsewhere. Wall-clock rates
 * move with whatever else the machine runs; the server event loop's CPU per batch does not, and it bounds
 * what one event loop can do however idle the machine is.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime); `fields` starts at field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
