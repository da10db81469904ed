import { useCallback } from 'react';
import { systemTimeZone } from '../../../electron/contract/bench-time';
import { useAppStore } from '../store/context';
import { describeError, errorCatalogs, type ErrorLike, type ErrorWords } from './error-words';

/** Errors in the current language, with instants in the bench's time zone; re-renders when either changes. */
export function useErrorWords(): { describe: (error: ErrorLike) => ErrorWords; detailsLabel: string } {
  const locale = useAppStore((state) => state.locale);
  const timeZone = useAppStore((state) => state.settings?.timeZone ?? systemTimeZone());
  const describe = useCallback((error: ErrorLike) => describeError(error, locale, timeZone), [locale, timeZone]);
  return { describe, detailsLabel: errorCatalogs[locale].labels.details };
}
