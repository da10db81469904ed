/**
 * Errors in words for people: the catalog sentence of the code in the screen's language (what happened,
 * what to do), a detail line with the specifics, and the code itself for support. The specifics come from
 * the service's params through the catalog's detail sentence; without them, the service's own sentence is
 * the detail. A code without a catalog entry (a newer service, an old report) shows the service's sentence.
 */
import type { BenchErrorParam, BenchErrorParams } from '../../../electron/contract/envelope';
import type { LogFaultWordCode } from '../../../electron/contract/reason-codes';
import { errorDetailsDe, errorLabelsDe, errorMessagesDe, logFaultWordsDe } from './errors.de';
import { errorCodesWordedWhole, errorDetailsEn, errorLabelsEn, errorMessagesEn, logFaultWordsEn, type ErrorDetailCode, type ErrorDetailWords, type ErrorWordCode } from './errors.en';
import { placeholders, type UiLocale } from './i18n';

export type { ErrorWordCode };

export interface ErrorCatalog {
  messages: Record<ErrorWordCode, string>;
  details: Record<ErrorDetailCode, ErrorDetailWords>;
  logFaults: Record<LogFaultWordCode, string>;
  labels: typeof errorLabelsEn;
}

export const errorCatalogs = {
  en: { messages: errorMessagesEn, details: errorDetailsEn, logFaults: logFaultWordsEn, labels: errorLabelsEn },
  de: { messages: errorMessagesDe, details: errorDetailsDe, logFaults: logFaultWordsDe, labels: errorLabelsDe },
} as const satisfies Record<UiLocale, ErrorCatalog>;

/** An error as any part of the contract carries it: envelope errors, session reasons, gates, link and sync states. */
export interface ErrorLike {
  code: string;
  message: string;
  params?: BenchErrorParams | undefined;
}

export interface ErrorWords {
  /** The catalog sentence, or the service's sentence for a code the catalog does not know. */
  text: string;
  /** The specifics (or the service's own sentence), shown as a second line; null when there is nothing to add. */
  detail: string | null;
  code: string;
}

/** True when the catalog words this code (every bench error code and session reason does). */
export function hasErrorWords(code: string): code is ErrorWordCode {
  return Object.hasOwn(errorMessagesEn, code);
}

function isDetailCode(code: string): code is ErrorDetailCode {
  return Object.hasOwn(errorDetailsEn, code);
}

/** How times in params are shown: the bench's zone and the screen's language (useBenchTime's BenchTimeFormat fits). */
export interface ErrorTimeFormat {
  dateTime(iso: string): string;
  day(isoDay: string): string;
}

function formatParam(value: BenchErrorParam, locale: UiLocale, time: ErrorTimeFormat): string {
  if (typeof value === 'number') return new Intl.NumberFormat(locale, { maximumFractionDigits: 3 }).format(value);
  if (typeof value === 'string') return value;
  return 'instant' in value ? time.dateTime(value.instant) : time.day(value.day);
}

/** The first of the catalog's detail sentences whose params are all there, filled in; null when none fits. */
function detailFromParams(words: ErrorDetailWords, params: BenchErrorParams, locale: UiLocale, time: ErrorTimeFormat): string | null {
  const alternatives: readonly string[] = typeof words === 'string' ? [words] : words;
  const template = alternatives.find((each) => placeholders(each).every((name) => Object.hasOwn(params, name)));
  if (template === undefined) return null;
  return template.replace(/\{(\w+)\}/g, (_whole, name: string) => formatParam(params[name] as BenchErrorParam, locale, time));
}

const wordedWhole: ReadonlySet<string> = new Set(errorCodesWordedWhole);

export function describeError(error: ErrorLike, locale: UiLocale, time: ErrorTimeFormat): ErrorWords {
  const catalog = errorCatalogs[locale];
  if (!hasErrorWords(error.code)) return { text: error.message, detail: null, code: error.code };
  const fromParams = error.params && isDetailCode(error.code) ? detailFromParams(catalog.details[error.code], error.params, locale, time) : null;
  const detail = fromParams ?? (wordedWhole.has(error.code) || error.message.trim() === '' ? null : error.message);
  return { text: catalog.messages[error.code], detail, code: error.code };
}

function isLogFaultCode(code: string): code is LogFaultWordCode {
  return Object.hasOwn(logFaultWordsEn, code);
}

/** Where a verified log breaks, in the language; a fault code the catalog does not know keeps the verifier's sentence. */
export function describeLogFault(fault: { code: string; reason: string }, locale: UiLocale): string {
  return isLogFaultCode(fault.code) ? errorCatalogs[locale].logFaults[fault.code] : fault.reason;
}
