/**
 * The label's layout, computed once: the grouped code on as few lines as its groups allow at a readable
 * size, then part, serial, date and pack, with the QR code on the right. Widths are measured with the
 * PDF's standard font metrics (Courier: every glyph 0.6 em; Helvetica by pdf-lib's tables), so the PDF,
 * the ZPL and the on-screen SVG place the same lines at the same spots.
 */
import { StandardFonts, StandardFontEmbedder } from 'pdf-lib';
import type { LabelLayout, LabelLayoutItem } from '../../contract/documents';

/** Label stock: 100 × 50 mm, the common size of workshop thermal label printers. */
export const LABEL_MM = { width: 100, height: 50 } as const;
const MARGIN_MM = 3;
/** Courier's advance width, in em, for every character. */
const MONO_ADVANCE = 0.6;
const CODE_MAX_MM = 7.5;
const CODE_MIN_MM = 3.6;
const FACT_MM = 3;

const helvetica = StandardFontEmbedder.for(StandardFonts.Helvetica as unknown as Parameters<typeof StandardFontEmbedder.for>[0]);

export function sansWidthMm(text: string, sizeMm: number): number {
  return helvetica.widthOfTextAtSize(text, sizeMm);
}

/** Splits the grouped code into lines of whole groups, at the largest size up to CODE_MAX_MM that fits. */
function codeLines(grouped: string, widthMm: number): { lines: string[]; sizeMm: number } {
  const groups = grouped.split(' ');
  for (let lineCount = 1; lineCount <= groups.length; lineCount += 1) {
    const perLine = Math.ceil(groups.length / lineCount);
    const lines: string[] = [];
    for (let index = 0; index < groups.length; index += perLine) lines.push(groups.slice(index, index + perLine).join(' '));
    const longest = Math.max(...lines.map((line) => line.length));
    const sizeMm = Math.min(CODE_MAX_MM, widthMm / (longest * MONO_ADVANCE));
    if (sizeMm >= CODE_MIN_MM || lineCount === groups.length) return { lines, sizeMm };
  }
  return { lines: [grouped], sizeMm: CODE_MIN_MM };
}

export interface LabelContent {
  codeGrouped: string;
  partNumber: string;
  serial: string;
  date: string;
  pack: string;
  synthetic: boolean;
}

export function labelLayout(content: LabelContent): LabelLayout {
  const qrSide = LABEL_MM.height - 2 * MARGIN_MM;
  const textWidth = LABEL_MM.width - 3 * MARGIN_MM - qrSide;
  const items: LabelLayoutItem[] = [{ kind: 'qr', xMm: LABEL_MM.width - MARGIN_MM - qrSide, yMm: MARGIN_MM, sideMm: qrSide }];
  const code = codeLines(content.codeGrouped, textWidth);
  let baseline = MARGIN_MM;
  for (const line of code.lines) {
    baseline += code.sizeMm * 0.85;
    items.push({ kind: 'text', role: 'code', xMm: MARGIN_MM, baselineMm: baseline, sizeMm: code.sizeMm, font: 'mono', text: line });
    baseline += code.sizeMm * 0.35;
  }
  baseline += 1.5;
  for (const [name, value] of [
    ['Part', content.partNumber],
    ['Serial', content.serial],
    ['Date', content.date],
    ['Pack', content.pack],
  ] as const) {
    const label = `${name}: `;
    // A long value shrinks rather than runs into the QR code.
    const size = Math.min(FACT_MM, textWidth / Math.max(1e-6, sansWidthMm(`${label}${value}`, 1)));
    baseline += size * 1.3;
    items.push({ kind: 'text', role: 'fact', xMm: MARGIN_MM, baselineMm: baseline, sizeMm: size, font: 'bold', text: label });
    items.push({ kind: 'text', role: 'fact', xMm: MARGIN_MM + sansWidthMm(label, size) * 1.05, baselineMm: baseline, sizeMm: size, font: 'sans', text: value });
  }
  if (content.synthetic) items.push({ kind: 'text', role: 'note', xMm: MARGIN_MM, baselineMm: LABEL_MM.height - MARGIN_MM, sizeMm: 2.1, font: 'bold', text: 'SYNTHETIC DEMO DATA' });
  return { widthMm: LABEL_MM.width, heightMm: LABEL_MM.height, items };
}
