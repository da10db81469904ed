/** trust/strict-json.ts: the same values as JSON.parse for strict JSON; MALFORMED for what readers could disagree on. */
import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../../../trust/strict-json';

const parse = (text: string | Buffer) => parseStrictJson(Buffer.from(text), 'test document');
const malformed = expect.objectContaining({ name: 'TrustError', code: 'MALFORMED' }) as Error;

describe('parseStrictJson', () => {
  it('reads strict JSON exactly as JSON.parse does', () => {
    for (const text of ['{"a":[1,-2.5,300,0,1e+21,1.5e-7],"b":{"c":null,"d":true,"e":false},"s":"x\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00é"}', ' [ ] ', '{}', '"\\u0000"', '{"constructor":{"prototype":1}}']) {
      expect(parse(text)).toEqual(JSON.parse(text));
    }
    const parsed = parse('{"constructor":{"prototype":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('refuses a member named __proto__, at any depth and however it is spelled (zod drops it silently, JSON.parse keeps it)', () => {
    for (const text of ['{"__proto__":{"polluted":1}}', '{"a":[{"__proto__":1}]}', '{"\\u005f_proto__":1}']) expect(() => parse(text), text).toThrow(malformed);
  });

  it('refuses duplicate members, at any depth', () => {
    expect(() => parse('{"a":1,"a":1}')).toThrow(malformed);
    expect(() => parse('{"x":[{"b":1,"c":2,"b":3}]}')).toThrow(malformed);
    // The same name spelled with an escape is the same member.
    expect(() => parse('{"a":1,"\\u0061":2}')).toThrow(malformed);
  });

  it('refuses lone surrogates and invalid UTF-8', () => {
    for (const text of ['"\\ud800"', '"\\udc00"', '"\\ud800x"', '"\\ude00\\ud83d"']) expect(() => parse(text)).toThrow(malformed);
    expect(() => parse(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))).toThrow(malformed);
    expect(() => parse(Buffer.from([0x22, 0xff, 0x22]))).toThrow(malformed);
    expect(() => parse(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toThrow(malformed);
  });

  it('refuses numbers that are not JSON or not representable', () => {
    for (const text of ['NaN', 'Infinity', '-Infinity', '+1', '01', '.5', '1.', '0x10', '1e400', '-1e400', '9007199254740993', '[1,]', '-']) {
      expect(() => parse(text), text).toThrow(malformed);
    }
    expect(parse('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    // One spelling per value: what JSON.stringify writes.
    for (const text of ['1.0', '1e0', '3e2', '-0', '0.1e1', '1E+21', '1.00000000000000001', '2.50']) expect(() => parse(text), text).toThrow(malformed);
  });

  it('refuses other deviations from the grammar', () => {
    for (const text of ['', '{"a":1}x', "{'a':1}", '{"a":1,}', '{a:1}', '"tab\there"', '"\\x41"', '"\\u12"', 'tru', '[' .repeat(100) + ']'.repeat(100)]) {
      expect(() => parse(text), text).toThrow(malformed);
    }
  });
});
