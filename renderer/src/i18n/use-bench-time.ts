import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { benchDay, benchInstant, benchWallClock, formatBenchClock, formatBenchDate, formatBenchTime, formatCalendarDay, systemTimeZone } from '../../../electron/contract/bench-time';
import { useAppStore } from '../store/context';

export interface BenchTimeFormat {
  /** Date and time with the zone ("23. Nov. 2026, 00:30 MEZ"). */
  dateTime(iso: string): string;
  /** The day only ("23.11.2026"). */
  date(iso: string): string;
  /** The time of day only ("00:30"). */
  clock(iso: string): string;
  /** A calendar day given as YYYY-MM-DD, such as a calibration due date ("01.03.2027"). */
  day(isoDay: string): string;
  /** Today in the bench's zone, as YYYY-MM-DD, to compare due dates with. */
  today(): string;
  /** The bench's IANA zone, to name next to inputs that take a time in it. */
  timeZone: string;
  /** The instant a date or datetime-local input's value means in the bench's zone (ISO); null if it is none. */
  instant(wallClock: string): string | null;
  /** An instant as a datetime-local input's value in the bench's zone. */
  wallClock(iso: string): string;
}

/**
 * Times as this bench's people read them: in the bench's time zone (Settings once signed in, the public status
 * before that, so the sign-in screen's lock-out reads in it too; the machine's until set) and
 * the language on screen. Every view formats instants through this, never with toLocaleString.
 */
export function useBenchTime(): BenchTimeFormat {
  const { timeZone, locale } = useAppStore(useShallow((state) => ({ timeZone: state.settings?.timeZone ?? state.status?.timeZone ?? systemTimeZone(), locale: state.locale })));
  return useMemo(
    () => ({
      dateTime: (iso) => formatBenchTime(iso, timeZone, locale),
      date: (iso) => formatBenchDate(iso, timeZone, locale),
      clock: (iso) => formatBenchClock(iso, timeZone, locale),
      day: (isoDay) => formatCalendarDay(isoDay, locale),
      today: () => benchDay(new Date().toISOString(), timeZone),
      timeZone,
      instant: (wallClock) => benchInstant(wallClock, timeZone),
      wallClock: (iso) => benchWallClock(iso, timeZone),
    }),
    [timeZone, locale],
  );
}
