import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const resultsFile = process.env.INJBENCH_TEST_RESULTS;

export default defineConfig({
  test: {
    // CI reads pass/fail counts from the JSON report; people read the default one.
    reporters: resultsFile ? ['default', ['json', { outputFile: resultsFile }]] : ['default'],
    projects: [
      {
        extends: true,
        resolve: {
          // Importing the real 'electron' under plain Node yields no API: main and preload are tested against a fake.
          alias: { electron: fileURLToPath(new URL('./test/fakes/electron.ts', import.meta.url)) },
        },
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          // Real parts in one process tree: pseudo-terminals, TCP sockets, SQLite files, HTTP servers.
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/global-setup-cli.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/e2e/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A UI change that shows within a second on a quiet machine took longer while CI ran the other
          // projects beside it (the language switch, once): polls wait up to 10 s, still failing a UI that never changes.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
