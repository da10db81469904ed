import { useMemo } from 'react';
import { useAppStore } from '../store/context';
import { translator, type Translate } from './i18n';

/** The translate function of the current language; components re-render when the language changes. */
export function useT(): Translate {
  const locale = useAppStore((state) => state.locale);
  return useMemo(() => translator(locale), [locale]);
}
