import { expect, it } from 'vitest';
import { fuzzDecoder } from '../../../bench/fuzz-decoder';

it('survives a short fuzz run (the full 1,000,000-input run: npx tsx bench/fuzz-decoder.ts)', () => {
  const report = fuzzDecoder({ iterations: 20_000, seed: 7, timeLimitMs: 15_000 });
  expect(report.iterations).toBe(20_000);
  expect(report.framesDecoded).toBeGreaterThan(1000);
});
