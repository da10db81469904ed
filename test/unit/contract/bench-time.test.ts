import { describe, expect, it } from 'vitest';
import { benchDay, formatBenchClock, formatBenchDate, formatBenchTime, isKnownTimeZone } from '../../../electron/contract/bench-time';

// 23:30 UTC: already the next day in Berlin, still the same evening in New York.
const instant = '2026-11-22T23:30:00.000Z';
const spaces = (text: string) => text.replace(/\s/g, ' ');

describe('bench time', () => {
  it('words one instant in the bench zone and language: Berlin in German and English', () => {
    expect(spaces(formatBenchTime(instant, 'Europe/Berlin', 'de'))).toBe('23. Nov. 2026, 00:30 MEZ');
    expect(spaces(formatBenchTime(instant, 'Europe/Berlin', 'en'))).toMatch(/^Nov 23, 2026, 12:30 AM (GMT\+1|CET)$/);
    expect(spaces(formatBenchDate(instant, 'Europe/Berlin', 'de'))).toBe('23.11.2026');
    expect(formatBenchClock(instant, 'Europe/Berlin', 'de')).toBe('00:30');
  });

  it('words the same instant in New York the evening before', () => {
    expect(spaces(formatBenchTime(instant, 'America/New_York', 'en'))).toMatch(/^Nov 22, 2026, 06:30 PM (EST|GMT-5)$/);
    expect(spaces(formatBenchTime(instant, 'America/New_York', 'de'))).toMatch(/^22\. Nov\. 2026, 18:30 (GMT-5|EST|Nordamerikanische Ostküsten-Normalzeit)$/);
    expect(spaces(formatBenchDate(instant, 'America/New_York', 'en'))).toBe('Nov 22, 2026');
    expect(spaces(formatBenchClock(instant, 'America/New_York', 'en'))).toBe('06:30 PM');
  });

  it('never shows the ISO form or a UTC "Z" to a person', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York']) {
      for (const locale of ['en', 'de']) {
        const text = formatBenchTime(instant, zone, locale);
        expect(text).not.toContain('2026-11-22');
        expect(text).not.toMatch(/T\d\d:\d\d|\d\d:\d\d(:\d\d(\.\d+)?)?Z$/);
      }
    }
  });

  it('gives the calendar day in the bench zone for labels and file names', () => {
    expect(benchDay(instant, 'Europe/Berlin')).toBe('2026-11-23');
    expect(benchDay(instant, 'America/New_York')).toBe('2026-11-22');
    expect(benchDay(instant, 'UTC')).toBe('2026-11-22');
  });

  it('returns what it cannot read unchanged, and knows zone names', () => {
    expect(formatBenchTime('not a time', 'Europe/Berlin', 'de')).toBe('not a time');
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
});
