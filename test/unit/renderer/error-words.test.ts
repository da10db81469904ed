import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SyncErrorCode } from '../../../common/central-api/client';
import { formatBenchTime, formatCalendarDay } from '../../../electron/contract/bench-time';
import { benchErrorCodes } from '../../../electron/contract/envelope';
import { logFaultCodes, sessionReasonCodes, syncErrorCodes, type LogFaultWordCode } from '../../../electron/contract/reason-codes';
import type { LogFaultCode } from '../../../common/integrity-log/verify-log';
import type { CorrectionCodeErrorCode } from '../../../electron/services/session/correction-code';
import type { BenchLinkErrorCode } from '../../../native-bridge/driver';
import { describeError, errorCatalogs, hasErrorWords, type ErrorWordCode } from '../../../renderer/src/i18n/error-words';
import { errorCodesWordedWhole, errorDetailsEn } from '../../../renderer/src/i18n/errors.en';
import { placeholders } from '../../../renderer/src/i18n/i18n';
import { trustErrorCodes } from '../../../trust/errors';

// Codes other parts pass through to the screen must be worded: a new one there fails the type check here.
type Worded<T extends ErrorWordCode> = T;
export type PassedThroughCodes = [Worded<BenchLinkErrorCode>, Worded<CorrectionCodeErrorCode>, Worded<SyncErrorCode>, Worded<(typeof trustErrorCodes)[number]>];

// The log faults the screen words are exactly those the verifier reports: a new one on either side fails the type check.
type Within<A extends B, B> = A;
export type LogFaultsInStep = [Within<LogFaultCode, LogFaultWordCode>, Within<LogFaultWordCode, LogFaultCode>];

const alternatives = (words: string | readonly string[]): readonly string[] => (typeof words === 'string' ? [words] : words);

const everyCode = [...benchErrorCodes, ...sessionReasonCodes, ...syncErrorCodes];

describe('error catalogs', () => {
  it('list each code once across the bench errors, the session reasons and the sync failures', () => {
    expect(new Set(everyCode).size).toBe(everyCode.length);
  });

  for (const [locale, catalog] of Object.entries(errorCatalogs)) {
    it(`${locale} words every code, nothing extra, and its details use the same {placeholders} as English`, () => {
      expect(Object.keys(catalog.messages).sort()).toEqual([...everyCode].sort());
      for (const code of everyCode) expect(catalog.messages[code].trim(), `${locale} ${code}`).not.toBe('');
      expect(Object.keys(catalog.details).sort()).toEqual(Object.keys(errorDetailsEn).sort());
      for (const [code, words] of Object.entries(catalog.details)) {
        const english = alternatives(errorDetailsEn[code as keyof typeof errorDetailsEn]);
        expect(alternatives(words).length, `${locale} ${code}: as many alternatives as English`).toBe(english.length);
        alternatives(words).forEach((template, index) => {
          expect(placeholders(template), `${locale} ${code}`).toEqual(placeholders(english[index] ?? ''));
          expect(placeholders(template).length, `${locale} ${code}: a detail without specifics adds nothing`).toBeGreaterThan(0);
        });
      }
      expect(catalog.labels.details.trim()).not.toBe('');
    });
  }

  it('German is a translation of every message and detail, not a copy of English', () => {
    const copied = everyCode.filter((code) => errorCatalogs.de.messages[code] === errorCatalogs.en.messages[code]);
    expect(copied).toEqual([]);
    const copiedDetails = Object.keys(errorDetailsEn).filter((code) => {
      const german = alternatives(errorCatalogs.de.details[code as keyof typeof errorDetailsEn]);
      return alternatives(errorCatalogs.en.details[code as keyof typeof errorDetailsEn]).some((english, index) => german[index] === english);
    });
    expect(copiedDetails).toEqual([]);
  });

  it('words every code the session engine writes into a reason or a gate', () => {
    const source = readFileSync(path.resolve('electron/services/session/session-engine.ts'), 'utf8');
    const written = [...source.matchAll(/(?:code: |SessionError\()'([A-Z_]+)'/g)].map((match) => match[1] ?? '');
    expect(written.length).toBeGreaterThan(10);
    expect(written.filter((code) => !hasErrorWords(code))).toEqual([]);
  });

  it('words every integrity-log fault in each language, German not a copy of English', () => {
    for (const catalog of Object.values(errorCatalogs)) expect(Object.keys(catalog.logFaults).sort()).toEqual([...logFaultCodes].sort());
    expect(logFaultCodes.filter((code) => errorCatalogs.de.logFaults[code] === errorCatalogs.en.logFaults[code])).toEqual([]);
  });

  it('passes every trust verification code through to words', () => {
    expect(trustErrorCodes.filter((code) => !hasErrorWords(code))).toEqual([]);
  });
});

describe('describeError', () => {
  /** The bench's time format as useBenchTime builds it, for a zone and a language. */
  const timeIn = (timeZone: string, locale: 'en' | 'de') => ({ dateTime: (iso: string) => formatBenchTime(iso, timeZone, locale), day: (day: string) => formatCalendarDay(day, locale) });
  const berlin = { en: timeIn('Europe/Berlin', 'en'), de: timeIn('Europe/Berlin', 'de') };

  it('shows the lock-out in the bench time zone and the language, with the code', () => {
    const error = { code: 'LOCKED_OUT', message: 'Too many wrong PINs: Tom is locked until 2026-12-05T09:14:00.000Z.', params: { name: 'Tom', until: { instant: '2026-12-05T09:14:00.000Z' } } };
    const de = describeError(error, 'de', berlin.de);
    expect(de.text).toBe(errorCatalogs.de.messages.LOCKED_OUT);
    expect(de.code).toBe('LOCKED_OUT');
    expect(de.detail).toMatch(/^Tom ist gesperrt bis .*10:14/);
    expect(de.detail).not.toContain('2026-12-05T');
    expect(describeError(error, 'en', timeIn('America/New_York', 'en')).detail).toMatch(/^Tom is locked until .*04:14/);
  });

  it('formats numbers in the language (decimal comma in German)', () => {
    const error = { code: 'LEAK_FAIL', message: 'Back-leak 42.5 mL/min is above the limit of 40 mL/min.', params: { measured: 42.5, limit: 40 } };
    expect(describeError(error, 'de', berlin.de).detail).toBe('Rücklauf 42,5 ml/min, Grenze 40 ml/min.');
    expect(describeError(error, 'en', berlin.en).detail).toBe('Back-leak 42.5 mL/min, limit 40 mL/min.');
  });

  it('shows a calendar day in the form of the language', () => {
    const error = { code: 'CALIBRATION_OVERDUE', message: 'The bench calibration check was due on 2027-03-01.', params: { due: { day: '2027-03-01' } } };
    expect(describeError(error, 'de', berlin.de).detail).toBe('Die Kalibrierprüfung war am 01.03.2027 fällig.');
    expect(describeError(error, 'en', berlin.en).detail).toBe('The calibration check was due on Mar 1, 2027.');
  });

  it('words an open coil from its own sentence, the measured coil from the first', () => {
    const limits = { minOhm: 0.2, maxOhm: 0.6, insulationMOhm: 120, minInsulationMOhm: 10 };
    const open = { code: 'ELECTRICAL_FAIL', message: 'Electrical test failed: the coil is open. The injector is rejected; no code is issued.', params: limits };
    expect(describeError(open, 'de', berlin.de).detail).toBe('Spule offen: kein Widerstand messbar (erlaubt 0,2–0,6 Ω); Isolation 120 MΩ (mindestens 10 MΩ).');
    expect(describeError({ ...open, params: { ...limits, coilOhm: 0.9 } }, 'de', berlin.de).detail).toBe('Spule 0,9 Ω (erlaubt 0,2–0,6 Ω), Isolation 120 MΩ (mindestens 10 MΩ).');
  });

  it('shows no English line under a German catalog sentence that says all: an abort, no printer chosen', () => {
    for (const code of errorCodesWordedWhole) {
      const words = describeError({ code, message: 'An English sentence of the service.' }, 'de', berlin.de);
      expect(words, code).toEqual({ text: errorCatalogs.de.messages[code], detail: null, code });
    }
    expect(errorCodesWordedWhole).toContain('ABORTED_BY_OPERATOR');
  });

  it("words a printer failure around the print system's own answer", () => {
    const queue = { code: 'PRINT_QUEUE_REFUSED', message: 'The printer queue "office" refuses jobs (lp: Destination "office" is not accepting jobs.). Ask …', params: { queue: 'office', said: 'lp: Destination "office" is not accepting jobs' } };
    expect(describeError(queue, 'de', berlin.de).detail).toBe('Druckerwarteschlange „office“; das Drucksystem meldet: lp: Destination "office" is not accepting jobs.');
    const unreachable = { code: 'PRINTER_UNREACHABLE', message: 'The label printer at 10.0.0.9:9100 refused the connection …', params: { address: '10.0.0.9:9100', said: 'ECONNREFUSED' } };
    expect(describeError(unreachable, 'de', berlin.de).detail).toBe('Drucker 10.0.0.9:9100: ECONNREFUSED.');
  });

  it("keeps the service's sentence as the detail when a param the catalog needs is missing", () => {
    const error = { code: 'BAD_CREDENTIALS', message: 'Unknown or disabled operator. Ask an admin.' };
    expect(describeError(error, 'de', berlin.de)).toEqual({ text: errorCatalogs.de.messages.BAD_CREDENTIALS, detail: 'Unknown or disabled operator. Ask an admin.', code: 'BAD_CREDENTIALS' });
    expect(describeError({ ...error, params: { other: 1 } }, 'de', berlin.de).detail).toBe('Unknown or disabled operator. Ask an admin.');
  });

  it("shows the service's sentence for a code the catalog does not know (a newer service, an old report)", () => {
    expect(describeError({ code: 'SOMETHING_NEW', message: 'A new failure.' }, 'de', berlin.de)).toEqual({ text: 'A new failure.', detail: null, code: 'SOMETHING_NEW' });
    expect(hasErrorWords('toString')).toBe(false);
  });
});
