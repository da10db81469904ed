import { useCallback } from 'react';
import { useAppStore } from '../store/context';
import { useBenchTime } from './use-bench-time';
import { describeError, errorCatalogs, type ErrorLike, type ErrorWords } from './error-words';

/** Errors in the current language, with times in the bench's zone; re-renders when either changes. */
export function useErrorWords(): { describe: (error: ErrorLike) => ErrorWords; detailsLabel: string } {
  const locale = useAppStore((state) => state.locale);
  const time = useBenchTime();
  const describe = useCallback((error: ErrorLike) => describeError(error, locale, time), [locale, time]);
  return { describe, detailsLabel: errorCatalogs[locale].labels.details };
}
