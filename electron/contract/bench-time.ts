/**
 * Times as the bench's people read them: in the bench's time zone and language (Intl), not UTC ISO
 * strings. The services keep and send ISO instants; the screen and the printed reports format them here.
 */

/** The time zone of the machine, used until an admin sets the bench's own in Settings. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** True when Intl knows the zone name (an IANA name such as Europe/Berlin). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Date and time of an instant in the bench's zone, with the zone's short name ("5 Dec 2026, 09:14 CET"). */
export function formatBenchTime(iso: string, timeZone: string, locale = 'en'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(date);
}

/** The day of an instant in the bench's zone ("5 Dec 2026"). */
export function formatBenchDate(iso: string, timeZone: string, locale = 'en'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium' }).format(date);
}

/** The clock time of an instant in the bench's zone ("09:14"), for times within the day such as a lockout's end. */
export function formatBenchClock(iso: string, timeZone: string, locale = 'en'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(date);
}

/** A calendar day given as YYYY-MM-DD (a calibration due date), in the language; no zone can shift it. */
export function formatCalendarDay(day: string, locale = 'en'): string {
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}/.test(day) || Number.isNaN(date.getTime())) return day;
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium' }).format(date);
}

/**
 * The calendar day of an instant in the bench's zone as YYYY-MM-DD: what a label or a file name carries, so
 * an injector coded at 00:30 in Berlin is dated that day, not the UTC day before.
 */
export function benchDay(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso.slice(0, 10);
  const parts = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((each) => each.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** Where documents and screens take their dates from: the bench's zone and the language to word them in. */
export interface BenchClock {
  timeZone: string;
  locale: string;
}
