/**
 * Readiness (`GET /readyz`; the version, `GET /version`, is common/package-version.ts). /healthz says the process answers;
 * /readyz says it can do its work: the database answers a trivial query and the blob folder (pack uploads)
 * is writable. A load balancer takes an instance that is not ready out of rotation without restarting it.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

/** A database that does not answer within this long is not ready (a pool waiting on a dead host would hang). */
export const READINESS_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** What keeps this server from being ready; empty when it is. Messages name the part, for the operator. */
export async function readinessProblems(check: { pingDatabase: () => Promise<void>; blobDir: string; timeoutMs?: number }): Promise<string[]> {
  const timeoutMs = check.timeoutMs ?? READINESS_TIMEOUT_MS;
  const problems: string[] = [];
  const database = withTimeout(check.pingDatabase(), timeoutMs, 'the database').then(
    () => null,
    (error: unknown) => `database: ${reasonOf(error)}`,
  );
  // Uploads land in incoming/ and are renamed into sha256/: both must be writable.
  const blobs = Promise.all([check.blobDir, path.join(check.blobDir, 'incoming'), path.join(check.blobDir, 'sha256')].map((dir) => access(dir, constants.W_OK))).then(
    () => null,
    (error: unknown) => `blob folder: ${reasonOf(error)}`,
  );
  for (const problem of await Promise.all([database, blobs])) if (problem) problems.push(problem);
  return problems;
}
