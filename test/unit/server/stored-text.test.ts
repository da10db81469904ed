import { describe, expect, it } from 'vitest';
import { storedText, unstorableJsonTextReason, unstorableTextReason } from '../../../server/stored-text';

describe('stored text', () => {
  it('accepts Unicode text, surrogate pairs (emoji) included, and refuses NUL and lone surrogates', () => {
    expect(unstorableTextReason('Düse 🙂 ok\ttab')).toBeNull();
    expect(unstorableTextReason('a\u0000b')).toMatch(/NUL/);
    expect(unstorableTextReason('a\ud800b')).toMatch(/lone UTF-16 surrogate/);
    expect(unstorableTextReason('a\udc00')).toMatch(/lone UTF-16 surrogate/);
    expect(unstorableTextReason('\ud83d')).toMatch(/lone UTF-16 surrogate/);
  });

  it('checks the strings a JSON text decodes to, keys included, not only its characters', () => {
    expect(unstorableJsonTextReason(JSON.stringify({ note: 'a\u0000b' }))).toMatch(/NUL/);
    expect(unstorableJsonTextReason(JSON.stringify({ ['k\ud800']: 1 }))).toMatch(/surrogate/);
    expect(unstorableJsonTextReason(JSON.stringify({ note: 'a literal \\u0000, escaped', emoji: '🙂', line: '\n' }))).toBeNull();
    expect(unstorableJsonTextReason('not json \\u0000')).toBeNull();
  });

  it('is a zod string schema that keeps its other rules', () => {
    const schema = storedText().trim().max(5);
    expect(schema.parse(' ok ')).toBe('ok');
    expect(schema.safeParse('a\u0000').error?.issues[0]?.message).toMatch(/NUL/);
    expect(schema.safeParse('toolong').success).toBe(false);
  });
});
