/**
 * A support log page is sent as bytes built slice by slice (server/json-bytes.ts): they must be exactly the
 * bytes of JSON.stringify of the same answer, whatever the array's length and place, and whatever its text.
 */
import { describe, expect, it } from 'vitest';
import { jsonBytesWithArray } from '../../../server/json-bytes';

const entry = (seq: number) => ({ seq, payloadJson: JSON.stringify({ note: `n° ${seq} "quoted" \\ é 💉 \u2028` }), integrity: seq % 3 === 0 ? 'broken' : 'sealed', missing: undefined });

describe('jsonBytesWithArray', () => {
  it.each([0, 1, 99, 100, 101, 250, 1000])('gives the bytes of JSON.stringify for an array of %i items', (count) => {
    const answer = { benchId: 'bench-0123456789abcdef', integrity: { ok: true, entries: count }, gone: undefined, entries: Array.from({ length: count }, (_, i) => entry(i + 1)), nextFromSeq: count > 5 ? null : 7 };
    const bytes = jsonBytesWithArray(answer, 'entries');
    expect(bytes.equals(Buffer.from(JSON.stringify(answer)))).toBe(true);
    expect(JSON.parse(bytes.toString('utf8'))).toEqual(JSON.parse(JSON.stringify(answer)));
  });

  it('places the array first, last or alone as JSON.stringify does', () => {
    const items = [1, null, 'two', { three: [3] }];
    for (const answer of [{ items }, { items, after: 'x' }, { before: 'x', items }, { before: undefined, items, after: undefined }]) {
      expect(jsonBytesWithArray(answer, 'items').toString('utf8')).toBe(JSON.stringify(answer));
    }
  });

  it('refuses a key that does not hold an array', () => {
    expect(() => jsonBytesWithArray({ items: 'no' }, 'items')).toThrow(TypeError);
  });
});
