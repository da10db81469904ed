import { describe, expect, it } from 'vitest';
import type { EvidenceEntry } from '../../../electron/contract/bench-api';
import { formatBenchTime } from '../../../electron/contract/bench-time';
import { evidenceKinds } from '../../../electron/contract/evidence-kinds';
import { describeEvidence, evidenceSentences, namesInEntries, type EvidenceWording } from '../../../renderer/src/i18n/evidence-words';
import { placeholders } from '../../../renderer/src/i18n/i18n';

const entry = (type: string, payload: Record<string, unknown>): EvidenceEntry => ({ seq: 1, recordedAt: '2026-11-22T08:00:00.000Z', type, payload, entryHash: 'ab'.repeat(32) });
const names = new Map([
  ['op-anna', 'Anna'],
  ['op-ben', 'Ben'],
]);
const wording = (locale: 'en' | 'de'): EvidenceWording => ({ locale, nameOf: (id) => names.get(id) ?? null, time: (iso) => formatBenchTime(iso, 'Europe/Berlin', locale) });

describe('evidence in words', () => {
  it('says who did what, with names for operator ids, in English and German', () => {
    const created = entry('admin.operator_created', { by: 'op-anna', operatorId: 'op-ben', name: 'Ben', role: 'technician' });
    expect(describeEvidence(created, wording('en'))).toBe('Anna created technician Ben.');
    expect(describeEvidence(created, wording('de'))).toBe('Anna hat Techniker Ben angelegt.');
    const updated = entry('admin.operator_updated', { by: 'op-anna', operatorId: 'op-ben', pinReset: true, lockoutLifted: true });
    expect(describeEvidence(updated, wording('en'))).toBe('Anna changed Ben: new PIN, lockout lifted.');
    expect(describeEvidence(updated, wording('de'))).toBe('Anna hat Ben geändert: neue PIN, Sperre aufgehoben.');
    const done = entry('session.completed', { sessionId: 'ses-1', verdict: 'pass', partNumber: 'P-1', serial: 'S-1' });
    expect(describeEvidence(done, wording('de'))).toBe('Prüfung ses-1 an S-1 (P-1) beendet: bestanden.');
  });

  it('words a lockout end in the bench zone, and keeps an id it cannot name', () => {
    const refused = entry('auth.sign_in_refused', { operatorId: 'op-unknown', reason: 'locked out', lockedUntil: '2026-11-22T23:30:00.000Z' });
    expect(describeEvidence(refused, wording('de')).replace(/\s/g, ' ')).toBe('Eine Anmeldung als op-unknown wurde abgewiesen: gesperrt bis 23. Nov. 2026, 00:30 MEZ.');
  });

  it('takes names from the log itself where the operator list is not at hand', () => {
    const found = namesInEntries([entry('auth.first_admin_created', { operatorId: 'op-x', name: 'Xenia' }), entry('auth.signed_in', { operatorId: 'op-x', role: 'admin' })]);
    expect(found.get('op-x')).toBe('Xenia');
    expect(describeEvidence(entry('auth.signed_in', { operatorId: 'op-x', role: 'admin' }), { ...wording('en'), nameOf: (id) => found.get(id) ?? null })).toBe('Xenia signed in as admin.');
  });

  it('has a sentence for every kind in both languages with the same placeholders, each one filled', () => {
    for (const kind of evidenceKinds) {
      expect(placeholders(evidenceSentences.de[kind]), kind).toEqual(placeholders(evidenceSentences.en[kind]));
      for (const locale of ['en', 'de'] as const) {
        const sentence = describeEvidence(entry(kind, {}), wording(locale));
        expect(sentence, `${locale} ${kind}`).not.toMatch(/\{\w+\}/);
        expect(sentence).not.toContain(kind);
      }
    }
  });

  it('shows a kind this build does not know by its raw name', () => {
    expect(describeEvidence(entry('future.thing', { a: 1 }), wording('en'))).toBe('future.thing');
  });
});
