// Prints "N passed, N failed" from Vitest's JSON report. A suite that failed outside any test (an
// error in beforeAll, an import that throws) counts as one failure, and so does a missing report.
import { existsSync, readFileSync } from 'node:fs';

const [file, exitStatus = '0'] = process.argv.slice(2);
if (!file || !existsSync(file)) {
  console.log(`0 passed, 1 failed`);
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
let passed = 0;
let failed = 0;
for (const suite of report.testResults ?? []) {
  const tests = suite.assertionResults ?? [];
  passed += tests.filter((test) => test.status === 'passed').length;
  const failedTests = tests.filter((test) => test.status === 'failed').length;
  failed += failedTests;
  if (suite.status === 'failed' && failedTests === 0) failed += 1;
}
if (failed === 0 && exitStatus !== '0') failed = 1;
console.log(`${passed} passed, ${failed} failed`);
