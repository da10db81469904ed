/** trust/strict-json.ts: the same values as JSON.parse for strict JSON; MALFORMED for what readers could disagree on. */
import { describe, expect, it } from 'vitest';
import { parseStrictJson } from '../../../trust/strict-json';

const parse = (text: string | Buffer) => parseStrictJson(Buffer.from(text), 'test document');
const malformed = expect.objectContaining({ name: 'TrustError', code: 'MALFORMED' }) as Error;

describe('parseStrictJson', () => {
  it('reads strict JSON exactly as JSON.parse does', () => {
    for (const text of ['{"a":[1,-2.5,3e2,0,-0],"b":{"c":null,"d":true,"e":false},"s":"x\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00é"}', ' [ ] ', '{}', '"\\u0000"', '{"__proto__":{"polluted":1}}']) {
      expect(parse(text)).toEqual(JSON.parse(text));
    }
    const proto = parse('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(['__proto__']);
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
  });

  it('refuses other deviations from the grammar', () => {
    for (const text of ['', '{"a":1}x', "{'a':1}", '{"a":1,}', '{a:1}', '"tab\there"', '"\\x41"', '"\\u12"', 'tru', '[' .repeat(100) + ']'.repeat(100)]) {
      expect(() => parse(text), text).toThrow(malformed);
    }
  });
});
