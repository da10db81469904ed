import type { StateCreator } from 'zustand';
import { rememberLocale, rememberedLocale, type UiLocale } from '../i18n/i18n';

export interface LocaleSlice {
  /** The language the UI speaks: the bench setting once read, before that the last one this browser showed. */
  locale: UiLocale;
  setLocale(locale: UiLocale): void;
}

function browserStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export const createLocaleSlice =
  (storage: Pick<Storage, 'getItem' | 'setItem'> | null = browserStorage()): StateCreator<LocaleSlice, [], [], LocaleSlice> =>
  (set) => ({
    locale: rememberedLocale(storage),
    setLocale(locale) {
      rememberLocale(storage, locale);
      if (typeof document !== 'undefined') document.documentElement.lang = locale;
      set({ locale });
    },
  });
