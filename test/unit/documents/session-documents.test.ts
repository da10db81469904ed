import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import type { SessionReport } from '../../../electron/contract/coding-session';
import { labelSchema } from '../../../electron/contract/documents';
import { buildLabel, labelQrText } from '../../../electron/services/documents/label';
import { LABEL_SIZE } from '../../../electron/services/documents/pdf';
import { sessionDocument } from '../../../electron/services/documents/session-documents';
import { ServiceError } from '../../../electron/services/service-error';
import { requireTool } from '../../helpers/system-tools';

/** Berlin, as a German workshop sets it; documents are worded in English. */
const berlin = { timeZone: 'Europe/Berlin', locale: 'en' };

/** The text of a PDF as pdftotext reads it; null (after saying why) where poppler-utils is missing outside CI. */
function pdfText(base64: string): string | null {
  const pdftotext = requireTool('pdftotext', 'poppler-utils');
  if (!pdftotext) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'injbench-pdf-'));
  try {
    writeFileSync(path.join(dir, 'doc.pdf'), Buffer.from(base64, 'base64'));
    execFileSync(pdftotext, ['-layout', path.join(dir, 'doc.pdf'), path.join(dir, 'doc.txt')]);
    return readFileSync(path.join(dir, 'doc.txt'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(overrides: Partial<SessionReport> = {}): SessionReport {
  return {
    sessionId: 'ses-20261122-0123456789ab',
    status: 'completed',
    verdict: 'pass',
    reason: null,
    partNumber: 'SYN-0445110-001',
    serial: 'INJ-0042',
    operatorId: 'op-0123456789abcdef',
    bench: { model: 'Injector Bench virtual bench', benchSerial: 'VB-0001', firmware: '1.0.0-sim' },
    pack: { family: 'bosch-like-cri', version: '1.0.0', sha256: 'ab'.repeat(32), resolvedBy: 'default channel stable', synthetic: true },
    gates: [{ id: 'pack', label: 'Calibration pack', passed: true, detail: 'bosch-like-cri 1.0.0 verified now → every file re-hashed.' }],
    electrical: { coilResistanceOhm: 0.215, insulationMOhm: 120, passed: true, limits: { minOhm: 0.15, maxOhm: 0.3, minInsulationMOhm: 10 } },
    leak: { backLeakMlPerMin: 12.5, limitMlPerMin: 40, railBar: 1000, passed: true },
    steps: [
      { id: 'VL', label: 'Full load', railBar: 1600, energizingUs: 900, nominalMm3: 54.7, measuredMm3: 53.8, toleranceMm3: 1.6, deviationPct: -1.6, backLeakMlPerMin: 20, verdict: 'in_tolerance', correctionSteps: 0 },
    ],
    code: 'ABCDEFG',
    codeFormat: 'bosch-imaa-7',
    codeWrite: 'verified',
    creditsDebited: 1,
    startedAt: '2026-11-22T08:00:00.000Z',
    endedAt: '2026-11-22T08:01:30.000Z',
    logCheckpoint: { seq: 12, entryHash: 'cd'.repeat(32) },
    ...overrides,
  };
}

describe('injector label', () => {
  it('carries code, part, serial and date, and the QR matrix of exactly that text', () => {
    const label = labelSchema.parse(buildLabel(report(), berlin));
    expect(label).toMatchObject({ code: 'ABCDEFG', partNumber: 'SYN-0445110-001', serial: 'INJ-0042', date: '2026-11-22', synthetic: true });
    expect(label.qr.text).toBe(labelQrText(label));
    expect(label.qr.text).toBe('INJBENCH1;P=SYN-0445110-001;S=INJ-0042;C=ABCDEFG;D=2026-11-22;ID=ses-20261122-0123456789ab');
    const reference = QRCode.create(label.qr.text, { errorCorrectionLevel: 'M' }).modules;
    expect(label.qr.size).toBe(reference.size);
    expect(label.qr.rows).toHaveLength(reference.size);
    expect(label.qr.rows.join('')).toBe(Array.from(reference.data, (bit) => (bit ? '1' : '0')).join(''));
    // The three finder patterns of every QR code: a 7-module dark square ring in three corners.
    expect(label.qr.rows[0]?.slice(0, 7)).toBe('1111111');
    expect(label.qr.rows[0]?.slice(-7)).toBe('1111111');
    expect(label.qr.rows.at(-1)?.slice(0, 7)).toBe('1111111');
  });

  it('exists only for a session that issued a code, and says to print the report instead', () => {
    for (const stopped of [report({ status: 'aborted', verdict: null, code: null }), report({ verdict: 'fail', code: null })]) {
      expect(() => buildLabel(stopped, berlin)).toThrowError(ServiceError);
      expect(() => buildLabel(stopped, berlin)).toThrowError(/print its report instead/);
    }
  });
});

describe('session PDFs', () => {
  it('prints the label on 100 × 50 mm stock, the same bytes for the same session', async () => {
    const file = await sessionDocument(report(), 'label', berlin);
    expect(file.fileName).toBe('label_SYN-0445110-001_INJ-0042_2026-11-22.pdf');
    const bytes = Buffer.from(file.base64, 'base64');
    expect(bytes.length).toBe(file.bytes);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBe(1);
    const { width, height } = pdf.getPage(0).getSize();
    expect([width, height].map((value) => Math.round(value))).toEqual([Math.round(LABEL_SIZE.width), Math.round(LABEL_SIZE.height)]);
    expect((await sessionDocument(report(), 'label', berlin)).base64).toBe(file.base64);
  });

  it('fits a 30-character code on the label', async () => {
    const file = await sessionDocument(report({ code: '00797F7D8280808080808080808079', codeFormat: 'denso-qr-30' }), 'label', berlin);
    expect(Buffer.from(file.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('prints the report of a passed, a rejected and an aborted session, characters outside WinAnsi included', async () => {
    for (const each of [report(), report({ verdict: 'fail', code: null, creditsDebited: 0 }), report({ status: 'aborted', verdict: null, code: null, reason: { code: 'ABORTED_BY_OPERATOR', message: 'Aborted → bench SAFE' } })]) {
      const file = await sessionDocument(each, 'report', berlin);
      expect(file.fileName).toMatch(/^report_SYN-0445110-001_INJ-0042_2026-11-22\.pdf$/);
      const pdf = await PDFDocument.load(Buffer.from(file.base64, 'base64'));
      expect(pdf.getTitle()).toBe(`Coding session ${each.sessionId}`);
      expect(pdf.getPageCount()).toBeGreaterThanOrEqual(1);
    }
  });

  it('dates the report and the label in the bench time zone, not as UTC ISO strings', async () => {
    // 23:30 UTC on the 22nd is 00:30 on the 23rd in Berlin: the label and the file carry the bench's day.
    const late = report({ startedAt: '2026-11-22T23:28:30.000Z', endedAt: '2026-11-22T23:30:00.000Z' });
    const label = buildLabel(late, berlin);
    expect(label.date).toBe('2026-11-23');
    expect(label.qr.text).toContain('D=2026-11-23;');
    expect(label.layout.items.map((item) => ('text' in item ? item.text : '')).join('|')).toContain('Nov 23, 2026');
    const file = await sessionDocument(late, 'report', berlin);
    expect(file.fileName).toBe('report_SYN-0445110-001_INJ-0042_2026-11-23.pdf');
    const text = pdfText(file.base64);
    if (text === null) return;
    expect(text.replace(/\s+/g, ' ')).toMatch(/Started Nov 23, 2026, 12:28\sAM (GMT\+1|CET), ended Nov 23, 2026, 12:30\sAM (GMT\+1|CET)/);
    expect(text).not.toContain('2026-11-22T23');
    expect(text).not.toMatch(/\d\d:\d\d:\d\d(\.\d+)?Z/);
    const labelText = pdfText((await sessionDocument(late, 'label', berlin)).base64) ?? '';
    expect(labelText).toContain('Nov 23, 2026');
    expect(labelText).not.toContain('2026-11-22');
  });
});
