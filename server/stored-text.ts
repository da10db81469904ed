/**
 * Text the databases agree on. PostgreSQL refuses NUL in text ("invalid byte sequence for encoding UTF8:
 * 0x00") and in jsonb, while SQLite stores it; a lone UTF-16 surrogate is not Unicode at all, and each
 * driver turns it into something else (U+FFFD), so what is read back differs from what was hashed or sent.
 * Every string the server stores is checked here, at the HTTP boundary, and refused the same on both stores.
 */
import { z } from 'zod';

const NUL = '\u0000';
/** A high surrogate not followed by a low one, or a low one not preceded by a high one (UTF-16 code units). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `text` cannot be stored alike on SQLite and PostgreSQL, or null when it can. */
export function unstorableTextReason(text: string): string | null {
  if (text.includes(NUL)) return 'contains a NUL character (U+0000), which cannot be stored';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate, which is not Unicode text';
  return null;
}

/** A string schema for text the server stores (or queries with): NUL and lone surrogates are refused. */
export function storedText(): z.ZodString {
  return z.string().check((context) => {
    const reason = unstorableTextReason(context.value);
    if (reason) context.issues.push({ code: 'custom', message: reason, input: context.value });
  });
}

/** Every string inside a JSON value, keys included. */
function firstUnstorableIn(value: unknown): string | null {
  if (typeof value === 'string') return unstorableTextReason(value);
  if (Array.isArray(value)) {
    for (const item of value) {
      const reason = firstUnstorableIn(item);
      if (reason) return reason;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const reason = unstorableTextReason(key) ?? firstUnstorableIn(item);
      if (reason) return reason;
    }
  }
  return null;
}

/**
 * Why a JSON text (a bench's log payload) cannot be stored alike, or null. Its raw characters are checked,
 * and the strings it decodes to as well (the session index stores those: `"\u0000"` is six harmless
 * characters in the text and a NUL once parsed). Only a text with a `\u` escape is parsed: JSON.stringify
 * writes one only for control characters and lone surrogates, so the usual payload costs a scan.
 */
export function unstorableJsonTextReason(jsonText: string): string | null {
  const raw = unstorableTextReason(jsonText);
  if (raw || !jsonText.includes('\\u')) return raw;
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch {
    // Not JSON: stored as the text it is, which the raw check passed.
    return null;
  }
  return firstUnstorableIn(value);
}
