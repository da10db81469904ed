/**
 * Tools from Debian's packages that some tests read their results with (pdftotext, zbarimg, cupsd).
 * .ci/run installs them: under CI a missing tool fails the test; elsewhere the test says loudly what it
 * skips and why, and how to install the tool.
 */
import { execFileSync } from 'node:child_process';

function which(tool: string): string | null {
  for (const dir of ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/bin', '/sbin']) {
    try {
      execFileSync('test', ['-x', `${dir}/${tool}`]);
      return `${dir}/${tool}`;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/** The tool's path; null (after printing why) outside CI when it is missing; throws under CI=true. */
export function requireTool(tool: string, debianPackage: string): string | null {
  const found = which(tool);
  if (found) return found;
  const reason = `${tool} is missing (Debian package ${debianPackage}; .ci/run installs it)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: under CI this test must run.`);
  console.warn(`\n*** SKIPPED PART OF A TEST: ${reason}. Install it with apt-get install ${debianPackage} to run it here. ***\n`);
  return null;
}
