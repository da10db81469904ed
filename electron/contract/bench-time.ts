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

/** The wall clock of an instant in the zone, to the second, as parts with a 00–23 hour. */
function wallClockParts(ms: number, timeZone: string): { year: string; month: string; day: string; hour: string; minute: string; second: string } {
  const parts = new Intl.DateTimeFormat('en', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((each) => each.type === type)?.value ?? '00';
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), second: part('second') };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms (negative west of Greenwich). */
function zoneOffsetMs(ms: number, timeZone: string): number {
  const wall = wallClockParts(ms, timeZone);
  const wallAsUtc = Date.UTC(Number(wall.year), Number(wall.month) - 1, Number(wall.day), Number(wall.hour), Number(wall.minute), Number(wall.second));
  return wallAsUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time in the bench's zone stands for, as an ISO string: what a date or
 * datetime-local input means at this bench ("2026-12-05T00:00" in Tokyo is 2026-12-04T15:00:00.000Z), not
 * in the zone of the machine showing the screen. Null for text that is no such time. A time the clocks skip
 * (spring forward) lands an hour on, as the zone's own clocks would read it.
 */
export function benchInstant(wallClock: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(wallClock);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((value) => Number(value ?? 0)) as [number, number, number, number, number, number];
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second, Number((match[7] ?? '0').padEnd(3, '0')));
  if (Number.isNaN(wallAsUtc)) return null;
  // The offset at the guessed instant can differ from the one at the answer near a clock change: look twice.
  const guess = wallAsUtc - zoneOffsetMs(wallAsUtc, timeZone);
  return new Date(wallAsUtc - zoneOffsetMs(guess, timeZone)).toISOString();
}

/** The wall-clock time of an instant in the bench's zone as a datetime-local input holds it ("2026-12-05T09:14:00"). */
export function benchWallClock(iso: string, timeZone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const wall = wallClockParts(ms, timeZone);
  return `${wall.year}-${wall.month}-${wall.day}T${wall.hour}:${wall.minute}:${wall.second}`;
}

/** Where documents and screens take their dates from: the bench's zone and the language to word them in. */
export interface BenchClock {
  timeZone: string;
  locale: string;
}
