/**
 * The label in ZPL (Zebra's language, the trade default for workshop label printers), drawn from the same
 * layout as the PDF and the on-screen preview. 203 dpi (8 dots per mm), the common thermal head.
 */
import type { InjectorLabel } from '../../contract/documents';

export const ZPL_DOTS_PER_MM = 8;

/** Field data with ^FH: the characters ZPL reads as commands are sent as hex escapes. */
function fieldData(text: string): string {
  return text.replace(/[\\^~]/g, (char) => `\\${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).replace(/[^\x20-\x7e]/g, '?');
}

const dots = (mm: number) => Math.round(mm * ZPL_DOTS_PER_MM);

export function labelZpl(label: InjectorLabel): string {
  const { layout } = label;
  const lines = ['^XA', '^CI28', `^PW${dots(layout.widthMm)}`, `^LL${dots(layout.heightMm)}`, '^LH0,0'];
  for (const item of layout.items) {
    if (item.kind === 'qr') {
      // Magnification: the largest whole number of dots per module that fits the QR area with its quiet zone.
      const magnification = Math.max(1, Math.min(10, Math.floor(dots(item.sideMm) / (label.qr.size + 8))));
      const quiet = 4 * magnification;
      // ^BQN,2: model 2; field data "MA," = error correction M, automatic input mode, as the PDF's QR (level M).
      lines.push(`^FO${dots(item.xMm) + quiet},${dots(item.yMm) + quiet}^BQN,2,${magnification}^FH\\^FDMA,${fieldData(label.qr.text)}^FS`);
      continue;
    }
    const height = dots(item.sizeMm);
    // ^FO places the top of the text: the baseline minus the font's ascent (about 0.8 em).
    const top = Math.max(0, dots(item.baselineMm - item.sizeMm * 0.8));
    const font = item.font === 'mono' ? `^A0N,${height},${Math.round(height * 0.6)}` : `^A0N,${height},${Math.round(height * 0.5)}`;
    lines.push(`^FO${dots(item.xMm)},${top}${font}^FH\\^FD${fieldData(item.text)}^FS`);
  }
  lines.push('^PQ1', '^XZ');
  return `${lines.join('\n')}\n`;
}
