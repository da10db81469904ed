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
