/**
 * An answer holding one long array (a support log page: 1,000 entries, 360 kB of JSON), as the UTF-8 bytes of
 * JSON.stringify(answer), built so that the event loop never handles one long string.
 *
 * Why: V8's JSON.stringify returns a long result as a string made of many parts, and the framework then
 * measures it (Buffer.byteLength) and the socket encodes it, each of which first copies it into one new flat
 * string: measured on this server, 2.5 ms for the byte count alone and as much again for the write, per page,
 * more than the page's SELECT. Serialised slice by slice, each slice is a short string encoded on its own,
 * and the concatenated bytes go to the socket as they are, with their length known.
 */

/** Items serialised per slice: a slice's text stays well inside V8's young generation. */
const SLICE_ITEMS = 100;

/** JSON.stringify's text of a plain object, without its braces ('' when it has nothing to show). */
const members = (fields: Record<string, unknown>): string => JSON.stringify(fields).slice(1, -1);

/**
 * The bytes of JSON.stringify(answer), the same byte for byte, for a plain object whose `arrayKey` holds an
 * array of JSON values.
 */
export function jsonBytesWithArray<Answer extends Record<string, unknown>>(answer: Answer, arrayKey: keyof Answer & string): Buffer {
  const items = answer[arrayKey];
  if (!Array.isArray(items)) throw new TypeError(`jsonBytesWithArray: ${arrayKey} is not an array`);
  const keys = Object.keys(answer);
  const at = keys.indexOf(arrayKey);
  const before = members(Object.fromEntries(keys.slice(0, at).map((key) => [key, answer[key]])));
  const after = members(Object.fromEntries(keys.slice(at + 1).map((key) => [key, answer[key]])));
  const parts: Buffer[] = [Buffer.from(`{${before}${before ? ',' : ''}${JSON.stringify(arrayKey)}:[`)];
  for (let from = 0; from < items.length; from += SLICE_ITEMS) {
    const slice = JSON.stringify(items.slice(from, from + SLICE_ITEMS));
    parts.push(Buffer.from(`${from === 0 ? '' : ','}${slice.slice(1, -1)}`));
  }
  parts.push(Buffer.from(`]${after ? ',' : ''}${after}}`));
  return Buffer.concat(parts);
}
