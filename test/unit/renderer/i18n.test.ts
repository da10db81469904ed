import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogs, placeholders, rememberLocale, rememberedLocale, resolveLocale, translate, type MessageKey } from '../../../renderer/src/i18n/i18n';
import { en } from '../../../renderer/src/i18n/en';

const referenceKeys = Object.keys(en).sort();

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.tsx?$/.test(name) && !file.includes(`${path.sep}i18n${path.sep}`) ? [readFileSync(file, 'utf8')] : [];
  });
}

describe('message catalogs', () => {
  for (const [locale, catalog] of Object.entries(catalogs)) {
    it(`${locale} has every key, nothing extra, no empty message and the same {placeholders} as English`, () => {
      expect(Object.keys(catalog).sort()).toEqual(referenceKeys);
      for (const key of referenceKeys as MessageKey[]) {
        expect(catalog[key].trim(), `${locale} ${key}`).not.toBe('');
        expect(placeholders(catalog[key]), `${locale} ${key}`).toEqual(placeholders(en[key]));
      }
    });
  }

  it('German is a real translation of the technician path, not a copy of English', () => {
    const technicianPath = referenceKeys.filter((key) => /^(signIn|session|outcome|documents|label|live|step|shortcuts|history|bench)\./.test(key));
    const translated = technicianPath.filter((key) => catalogs.de[key as MessageKey] !== en[key as MessageKey]);
    // Words that are the same in both (Firmware, PIN, …) may stay; the rest is German.
    expect(translated.length / technicianPath.length).toBeGreaterThan(0.9);
  });

  it('every key is used by a view, so the catalog carries no dead text', () => {
    const code = sources(path.resolve('renderer', 'src')).join('\n');
    const unused = referenceKeys.filter((key) => !code.includes(`'${key}'`));
    expect(unused).toEqual([]);
  });
});

describe('translate', () => {
  it('fills placeholders and leaves an unknown one visible', () => {
    expect(translate('en', 'admin.balance', { balance: 42 })).toBe('Balance: 42 credits');
    expect(translate('de', 'admin.balance', { balance: 42 })).toBe('Guthaben: 42 Punkte');
    expect(translate('en', 'admin.balance')).toBe('Balance: {balance} credits');
  });

  it('shows English for a setting without a catalog and remembers the language where storage works', () => {
    expect(resolveLocale('fr')).toBe('en');
    expect(resolveLocale('de')).toBe('de');
    expect(resolveLocale(null)).toBe('en');
    const store = new Map<string, string>();
    const storage = { getItem: (key: string) => store.get(key) ?? null, setItem: (key: string, value: string) => void store.set(key, value) };
    rememberLocale(storage, 'de');
    expect(rememberedLocale(storage)).toBe('de');
    const broken = {
      getItem: () => {
        throw new Error('storage disabled');
      },
      setItem: () => {
        throw new Error('storage disabled');
      },
    };
    expect(() => rememberLocale(broken, 'de')).not.toThrow();
    expect(rememberedLocale(broken)).toBe('en');
  });
});
