/**
 * Start-up of the `injbench` command line as it ships (bin/injbench.mjs running the built bundle), against
 * a bare `node -e 0` measured in the same run, interleaved so both see the same machine load. Also times the
 * TypeScript sources through tsx, how the CLI ran before it was bundled, for reference.
 *
 *   npm run build:cli && npx tsx bench/cli-start.ts [--runs 15]
 *
 * Targets (issue 19): --help under 300 ms, --version under 200 ms.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'injbench.mjs');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);

if (!existsSync(path.join(root, 'dist', 'cli', 'main.mjs'))) {
  console.error('Build the CLI first: npm run build:cli');
  process.exit(1);
}

const measured = {
  'node -e 0 (baseline)': [process.execPath, '-e', '0'],
  'injbench --version': [process.execPath, bin, '--version'],
  'injbench --help': [process.execPath, bin, '--help'],
  'tsx cli/main.ts --version (before)': [process.execPath, '--import', 'tsx', path.join(root, 'cli', 'main.ts'), '--version'],
} satisfies Record<string, string[]>;

const times = new Map<string, number[]>(Object.keys(measured).map((name) => [name, []]));
for (let run = 0; run < runs; run += 1) {
  for (const [name, [command, ...args]] of Object.entries(measured)) {
    const start = performance.now();
    execFileSync(command!, args, { cwd: root, stdio: 'ignore' });
    times.get(name)!.push(performance.now() - start);
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const baseline = median(times.get('node -e 0 (baseline)')!);
console.log(`CLI start-up, median of ${runs} runs each, interleaved (node ${process.version}):`);
for (const [name, values] of times) {
  const ms = median(values);
  console.log(`  ${name.padEnd(38)} ${ms.toFixed(0).padStart(5)} ms   ${(ms / baseline).toFixed(2)}× node -e 0`);
}
