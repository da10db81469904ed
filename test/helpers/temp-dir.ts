import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach } from 'vitest';

/**
 * A fresh directory per call, removed after the test that made it ('each') or after the whole file
 * ('all', for directories made in beforeAll).
 */
export function useTempDirs(scope: 'each' | 'all' = 'each', prefix = 'injbench-test-'): () => string {
  const made: string[] = [];
  (scope === 'each' ? afterEach : afterAll)(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
