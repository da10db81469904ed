/**
 * The injector label, made in one place: the on-screen preview draws the QR matrix returned here and
 * the PDF prints the very same matrix, so both always carry the same content.
 */
import QRCode from 'qrcode';
import type { SessionReport } from '../../contract/coding-session';
import type { InjectorLabel } from '../../contract/documents';
import { groupCode } from '../../contract/code-groups';
import { ServiceError } from '../service-error';
import { labelLayout } from './label-layout';
import { benchDay, formatBenchDate, type BenchClock } from '../../contract/bench-time';

export type LabelQrContent = 'code' | 'code-part-serial';

/**
 * What a scanner reads from the label, as the pack asks: the bare code (what workshop scan tools and
 * engine-ECU testers read), or a versioned, field-tagged line with part, serial, code, date and session.
 */
export function labelQrText(label: Pick<InjectorLabel, 'code' | 'partNumber' | 'serial' | 'date' | 'sessionId'>, content: LabelQrContent = 'code-part-serial'): string {
  if (content === 'code') return label.code;
  return `INJBENCH1;P=${label.partNumber};S=${label.serial};C=${label.code};D=${label.date};ID=${label.sessionId}`;
}

/** The QR matrix of a text: one string per row, '1' dark, '0' light (quiet zone not included). */
export function qrMatrix(text: string): { size: number; rows: string[] } {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const { size, data } = qr.modules;
  const rows: string[] = [];
  for (let y = 0; y < size; y += 1) {
    let row = '';
    for (let x = 0; x < size; x += 1) row += data[y * size + x] ? '1' : '0';
    rows.push(row);
  }
  return { size, rows };
}

/**
 * The label of a session that issued a code; any other session has none, and says what to do instead.
 * Its day is the bench's (an injector coded at 00:30 in Berlin carries that day): YYYY-MM-DD in the QR
 * for scanners, worded in the clock's language where a person reads it.
 */
export function buildLabel(report: SessionReport, clock: BenchClock): InjectorLabel {
  if (report.status !== 'completed' || report.verdict !== 'pass' || !report.code) {
    throw new ServiceError(
      'CONFLICT',
      `Session ${report.sessionId} issued no code (${report.status}${report.verdict ? `, ${report.verdict}` : ''}), so it has no label: print its report instead.`,
    );
  }
  const base = {
    sessionId: report.sessionId,
    code: report.code,
    codeFormat: report.codeFormat,
    partNumber: report.partNumber,
    serial: report.serial,
    family: report.pack?.family ?? null,
    packVersion: report.pack?.version ?? null,
    date: benchDay(report.endedAt, clock.timeZone),
    benchSerial: report.bench.benchSerial,
    synthetic: report.pack?.synthetic ?? false,
  };
  // Reports from before packs chose set the tagged line, as the label always carried then.
  const text = labelQrText(base, report.packRules?.labelQr ?? 'code-part-serial');
  const codeGrouped = groupCode(base.code);
  const layout = labelLayout({
    codeGrouped,
    partNumber: base.partNumber,
    serial: base.serial,
    date: formatBenchDate(report.endedAt, clock.timeZone, clock.locale),
    pack: `${base.family ?? '-'} ${base.packVersion ?? ''}`.trim(),
    synthetic: base.synthetic,
  });
  return { ...base, qr: { text, ...qrMatrix(text) }, codeGrouped, layout };
}
