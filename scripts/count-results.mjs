// Prints "N passed, N failed" from Vitest's JSON reports, summed: `count-results.mjs REPORT STATUS [REPORT
// STATUS]…`, one pair per run (the full suite, the server suite on the Node LTS). A suite that failed outside
// any test (an error in beforeAll, an import that throws) counts as one failure, and so does a missing report
// or a run that exited non-zero without a failed test.
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let passed = 0;
let failed = 0;
for (let at = 0; at < Math.max(args.length, 1); at += 2) {
  const file = args[at];
  const exitStatus = args[at + 1] ?? '0';
  if (!file || !existsSync(file)) {
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  let runFailed = 0;
  for (const suite of report.testResults ?? []) {
    const tests = suite.assertionResults ?? [];
    passed += tests.filter((test) => test.status === 'passed').length;
    const failedTests = tests.filter((test) => test.status === 'failed').length;
    runFailed += failedTests;
    if (suite.status === 'failed' && failedTests === 0) runFailed += 1;
  }
  if (runFailed === 0 && exitStatus !== '0') runFailed = 1;
  failed += runFailed;
}
console.log(`${passed} passed, ${failed} failed`);
