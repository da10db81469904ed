/**
 * Strict JSON for signed documents (docs/trust-packs.md, "Signing rules"). JSON.parse accepts documents two
 * readers can disagree on: with a duplicate member the last one wins silently (another parser may take the
 * first), invalid UTF-8 becomes U+FFFD, a lone surrogate escape survives into a string, and 1e400 becomes
 * Infinity while 9007199254740993 becomes ...992. A signature covers the bytes, so every byte must have exactly
 * one meaning: any of these is MALFORMED before a field is used.
 *
 * RFC 8259 grammar, plus: UTF-8 only (no BOM), no duplicate member names, no lone surrogates, every number
 * finite, every integer literal exactly representable and every number spelled as JSON.stringify spells its
 * value (no 1.0, 1e0 or -0), no member named __proto__, nesting capped.
 */
import { TrustError } from './errors';

const MAX_DEPTH = 64;
const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const escapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Parses `bytes` as strict JSON; any deviation is a TrustError MALFORMED naming `what`. */
export function parseStrictJson(bytes: Uint8Array, what: string): unknown {
  let text: string;
  try {
    // ignoreBOM keeps a byte-order mark in the text, where the grammar refuses it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new TrustError('MALFORMED', `${what} is not valid UTF-8.`);
  }
  return new StrictJsonParser(text, what).parseDocument();
}

class StrictJsonParser {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly what: string,
  ) {}

  parseDocument(): unknown {
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.position !== this.text.length) this.fail('has trailing characters');
    return value;
  }

  private fail(reason: string): never {
    throw new TrustError('MALFORMED', `${this.what} is not strict JSON: ${reason} at offset ${this.position}.`);
  }

  private skipWhitespace(): void {
    while (this.position < this.text.length) {
      const char = this.text[this.position];
      if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') return;
      this.position += 1;
    }
  }

  private expect(char: string): void {
    if (this.text[this.position] !== char) this.fail(`expected "${char}"`);
    this.position += 1;
  }

  private parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nests deeper than ${MAX_DEPTH}`);
    this.skipWhitespace();
    const char = this.text[this.position];
    if (char === '{') return this.parseObject(depth);
    if (char === '[') return this.parseArray(depth);
    if (char === '"') return this.parseString();
    if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) return this.parseNumber();
    for (const [literal, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(literal, this.position)) {
        this.position += literal.length;
        return value;
      }
    }
    return this.fail(char === undefined ? 'ends early' : 'has an unexpected character');
  }

  private parseObject(depth: number): Record<string, unknown> {
    this.expect('{');
    // Own data properties only (defineProperty), so no member name can reach the prototype chain.
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.skipWhitespace();
    if (this.text[this.position] === '}') {
      this.position += 1;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.position] !== '"') this.fail('expected a member name');
      const name = this.parseString();
      if (seen.has(name)) this.fail(`repeats member "${name.slice(0, 40)}"`);
      // No signed document names a member __proto__, and readers disagree on one: JSON.parse keeps it as data,
      // zod drops it from records and objects without a word, an object spread or assignment sets a prototype.
      if (name === '__proto__') this.fail('has a member named "__proto__"');
      seen.add(name);
      this.skipWhitespace();
      this.expect(':');
      const value = this.parseValue(depth + 1);
      Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      if (this.text[this.position] === ',') {
        this.position += 1;
        continue;
      }
      this.expect('}');
      return result;
    }
  }

  private parseArray(depth: number): unknown[] {
    this.expect('[');
    const result: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.position] === ']') {
      this.position += 1;
      return result;
    }
    for (;;) {
      result.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      if (this.text[this.position] === ',') {
        this.position += 1;
        continue;
      }
      this.expect(']');
      return result;
    }
  }

  private parseString(): string {
    const start = this.position;
    this.expect('"');
    let result = '';
    let segmentStart = this.position;
    for (;;) {
      const code = this.text.charCodeAt(this.position);
      if (Number.isNaN(code)) this.fail('has an unterminated string');
      if (code === 0x22 /* " */) {
        result += this.text.slice(segmentStart, this.position);
        this.position += 1;
        break;
      }
      if (code < 0x20) this.fail('has a control character in a string');
      if (code !== 0x5c /* \ */) {
        this.position += 1;
        continue;
      }
      result += this.text.slice(segmentStart, this.position);
      const escape = this.text[this.position + 1];
      this.position += 2;
      if (escape === 'u') {
        const hex = this.text.slice(this.position, this.position + 4);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('has a bad \\u escape');
        result += String.fromCharCode(Number.parseInt(hex, 16));
        this.position += 4;
      } else {
        const replacement = escape === undefined ? undefined : escapes[escape];
        if (replacement === undefined) this.fail('has a bad escape');
        result += replacement;
      }
      segmentStart = this.position;
    }
    if (loneSurrogate.test(result)) {
      this.position = start;
      this.fail('has a lone surrogate in a string');
    }
    return result;
  }

  private parseNumber(): number {
    numberPattern.lastIndex = this.position;
    const match = numberPattern.exec(this.text);
    if (!match) this.fail('has a number that is not JSON');
    const literal = match[0];
    const value = Number(literal);
    if (!Number.isFinite(value)) this.fail(`has a number out of range (${literal.slice(0, 40)})`);
    if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(value)) this.fail(`has an integer that cannot be represented exactly (${literal.slice(0, 40)})`);
    // One spelling per value, the one every signer writes (JSON.stringify): 1.0, 1e0, -0 or 1.00000000000000001
    // mean 1 (or 0) here but may mean something else to a reader with decimal or big-number arithmetic.
    if (JSON.stringify(value) !== literal) this.fail(`has a number not in its one canonical spelling (${literal.slice(0, 40)}, written ${JSON.stringify(value)})`);
    this.position += literal.length;
    return value;
  }
}
