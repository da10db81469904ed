/**
 * Language-ready strings: a typed message catalog per locale and `t()`. English is the reference: every
 * other catalog is typed against its keys, so a missing key fails the type check, and a unit test checks
 * keys and {placeholders} again at run time. Strings from the services (gate details, error messages)
 * arrive in the words the services wrote them.
 */
import { de } from './de';
import { en, type MessageKey } from './en';

export type { MessageKey };
export type Messages = Record<MessageKey, string>;

export const catalogs = { en, de } as const satisfies Record<string, Messages>;
export type UiLocale = keyof typeof catalogs;

/** Languages the bench settings offer; one without a catalog yet shows English. */
export function resolveLocale(language: string | null | undefined): UiLocale {
  return language && language in catalogs ? (language as UiLocale) : 'en';
}

export type MessageParams = Record<string, string | number>;

/** The message for a key with {name} placeholders filled; an unknown placeholder stays visible. */
export function translate(locale: UiLocale, key: MessageKey, params?: MessageParams): string {
  const template = catalogs[locale][key] ?? en[key];
  return params ? fillPlaceholders(template, params) : template;
}

/** A template's {name} placeholders filled from params; an unknown placeholder stays visible. */
export function fillPlaceholders(template: string, params: MessageParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export type Translate = (key: MessageKey, params?: MessageParams) => string;

export function translator(locale: UiLocale): Translate {
  return (key, params) => translate(locale, key, params);
}

/** The placeholders a message uses, for the catalog test. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

const STORAGE_KEY = 'injbench.locale';

/** The last language this browser showed, so sign-in speaks it before any setting can be read. */
export function rememberedLocale(storage: Pick<Storage, 'getItem'> | null): UiLocale {
  try {
    return resolveLocale(storage?.getItem(STORAGE_KEY));
  } catch {
    return 'en';
  }
}

export function rememberLocale(storage: Pick<Storage, 'setItem'> | null, locale: UiLocale): void {
  try {
    storage?.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage may be off (private window): the language still switches for this page.
  }
}
