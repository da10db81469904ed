/**
 * How a correction code reads to a person: in groups of four or five characters, like a licence key, on
 * screen, on the label and in the reports. The bare code (no spaces) is what is written, stored and put
 * in the QR code; grouping is only for reading it aloud or typing it into a scan tool by hand.
 */

/** Codes up to this long read well unbroken; longer ones are grouped. */
const UNGROUPED_MAX = 8;

/** The group size that splits a code most evenly: 4 or 5 characters, the last group never shorter than 3. */
export function codeGroupSize(length: number): 4 | 5 {
  const rest = (size: number) => (length % size === 0 ? size : length % size);
  // Prefer the size whose last group is the fullest; ties go to 4 (easier to read aloud).
  return rest(5) > rest(4) && rest(5) >= 3 ? 5 : 4;
}

/** The code in groups ("1A2B 3C4D 5E6F"); short codes stay as they are. */
export function groupCode(code: string, separator = ' '): string {
  const bare = code.replace(/\s+/g, '');
  if (bare.length <= UNGROUPED_MAX) return bare;
  const size = codeGroupSize(bare.length);
  const groups: string[] = [];
  for (let index = 0; index < bare.length; index += size) groups.push(bare.slice(index, index + size));
  return groups.join(separator);
}
