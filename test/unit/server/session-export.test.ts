import { describe, expect, it } from 'vitest';
import { csvField } from '../../../server/sessions/session-export';

describe('CSV export cells', () => {
  it('prefixes text a spreadsheet would run as a formula with a single quote (OWASP CSV injection)', () => {
    expect(csvField('=HYPERLINK("http://evil.example/?x","open")')).toBe(`"'=HYPERLINK(""http://evil.example/?x"",""open"")"`);
    expect(csvField('@SUM(1+1)')).toBe("'@SUM(1+1)");
    expect(csvField('+1-2')).toBe("'+1-2");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('\t=1+1')).toBe("'\t=1+1");
    expect(csvField('\r=1+1')).toBe(`"'\r=1+1"`);
  });

  it('leaves ordinary text, JSON payloads and numbers as they are', () => {
    expect(csvField('INJ-W-0001')).toBe('INJ-W-0001');
    expect(csvField('a=b, c')).toBe('"a=b, c"');
    expect(csvField('{"n":-1}')).toBe('"{""n"":-1}"');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
  });
});
