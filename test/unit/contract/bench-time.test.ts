import { describe, expect, it } from 'vitest';
import { benchDay, benchInstant, benchWallClock, formatBenchClock, formatBenchDate, formatBenchTime, isKnownTimeZone } from '../../../electron/contract/bench-time';

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

  it("reads a date or datetime-local input's wall clock in the bench zone, not the machine's", () => {
    // Midnight in Tokyo is the afternoon before in UTC; midnight in New York is 05:00 UTC.
    expect(benchInstant('2026-12-05T00:00:00', 'Asia/Tokyo')).toBe('2026-12-04T15:00:00.000Z');
    expect(benchInstant('2026-12-05T23:59:59.999', 'America/New_York')).toBe('2026-12-06T04:59:59.999Z');
    expect(benchInstant('2026-12-05', 'Europe/Berlin')).toBe('2026-12-04T23:00:00.000Z');
    // Across Berlin's clock changes: summer time (UTC+2) on the day after the spring change, winter time after the autumn one.
    expect(benchInstant('2026-03-29T12:00', 'Europe/Berlin')).toBe('2026-03-29T10:00:00.000Z');
    expect(benchInstant('2026-10-25T12:00', 'Europe/Berlin')).toBe('2026-10-25T11:00:00.000Z');
    // 02:30 does not exist on the spring-forward night: it reads as the clocks then show, an hour on.
    expect(benchInstant('2026-03-29T02:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00.000Z');
    expect(benchInstant('next tuesday', 'Europe/Berlin')).toBeNull();
    expect(benchInstant('', 'Europe/Berlin')).toBeNull();
  });

  it('shows an instant as a datetime-local value in the bench zone, and reads it back to the same instant', () => {
    expect(benchWallClock('2026-12-04T15:00:00.000Z', 'Asia/Tokyo')).toBe('2026-12-05T00:00:00');
    expect(benchWallClock(instant, 'America/New_York')).toBe('2026-11-22T18:30:00');
    for (const zone of ['Asia/Tokyo', 'Europe/Berlin', 'America/New_York', 'UTC']) expect(benchInstant(benchWallClock(instant, zone), zone), zone).toBe(instant);
    expect(benchWallClock('not a time', 'Asia/Tokyo')).toBe('');
  });

  it('returns what it cannot read unchanged, and knows zone names', () => {
    expect(formatBenchTime('not a time', 'Europe/Berlin', 'de')).toBe('not a time');
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });
});
