/**
 * PDF documents of a coding session, made in the services with pdf-lib (pure JavaScript): the injector
 * label (code large, part, serial, date, QR code) and the session report. The renderer only downloads
 * the bytes; Electron main saves or prints them. Dates inside the PDF are the session's own, so the same
 * report always gives the same document.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { SessionReport } from '../../contract/coding-session';
import type { InjectorLabel } from '../../contract/documents';

const MM = 72 / 25.4;
/** Label stock: 100 × 50 mm, the common size of workshop thermal label printers. */
export const LABEL_SIZE = { width: 100 * MM, height: 50 * MM };
const A4 = { width: 595.28, height: 841.89 };
const black = rgb(0, 0, 0);
const grey = rgb(0.35, 0.35, 0.35);

/** The standard fonts encode WinAnsi only: anything else becomes '?', never an exception mid-print. */
function encodable(font: PDFFont): (text: string) => string {
  const supported = new Set(font.getCharacterSet());
  return (text) => [...text].map((char) => (supported.has(char.codePointAt(0) ?? 0) ? char : '?')).join('');
}

function drawQr(page: PDFPage, qr: InjectorLabel['qr'], x: number, y: number, side: number): void {
  // Four modules of quiet zone around the code, as the QR standard asks.
  const module = side / (qr.size + 8);
  page.drawRectangle({ x, y, width: side, height: side, color: rgb(1, 1, 1) });
  qr.rows.forEach((row, rowIndex) => {
    let start = -1;
    // Runs of dark modules become one rectangle each: smaller files, crisper print.
    for (let column = 0; column <= row.length; column += 1) {
      const dark = row[column] === '1';
      if (dark && start < 0) start = column;
      if (!dark && start >= 0) {
        page.drawRectangle({
          x: x + (4 + start) * module,
          y: y + side - (4 + rowIndex + 1) * module,
          width: (column - start) * module,
          height: module,
          color: black,
        });
        start = -1;
      }
    }
  });
}

function fitSize(font: PDFFont, text: string, maxWidth: number, largest: number): number {
  const width = font.widthOfTextAtSize(text, 1);
  return width === 0 ? largest : Math.min(largest, maxWidth / width);
}

function setMetadata(document: PDFDocument, title: string, at: string): void {
  const date = new Date(at);
  document.setTitle(title);
  document.setAuthor('Injector Bench');
  document.setCreator('Injector Bench');
  document.setProducer('Injector Bench (pdf-lib)');
  document.setCreationDate(date);
  document.setModificationDate(date);
}

export async function labelPdf(label: InjectorLabel): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  setMetadata(document, `Label ${label.partNumber} ${label.serial}`, `${label.date}T00:00:00Z`);
  const page = document.addPage([LABEL_SIZE.width, LABEL_SIZE.height]);
  const mono = await document.embedFont(StandardFonts.CourierBold);
  const sans = await document.embedFont(StandardFonts.Helvetica);
  const bold = await document.embedFont(StandardFonts.HelveticaBold);
  const text = encodable(sans);
  const margin = 3 * MM;
  const qrSide = LABEL_SIZE.height - 2 * margin;
  drawQr(page, label.qr, LABEL_SIZE.width - margin - qrSide, margin, qrSide);

  const textWidth = LABEL_SIZE.width - 3 * margin - qrSide;
  let y = LABEL_SIZE.height - margin;
  // The code as large as the space allows; a long code (30 characters) goes on two lines.
  const lines = fitSize(mono, label.code, textWidth, 22) >= 10 ? [label.code] : [label.code.slice(0, Math.ceil(label.code.length / 2)), label.code.slice(Math.ceil(label.code.length / 2))];
  const codeSize = Math.min(...lines.map((line) => fitSize(mono, line, textWidth, 22)));
  for (const line of lines) {
    y -= codeSize;
    page.drawText(line, { x: margin, y, size: codeSize, font: mono, color: black });
    y -= 2;
  }
  const facts: Array<[string, string]> = [
    ['Part', label.partNumber],
    ['Serial', label.serial],
    ['Date', label.date],
    ['Pack', `${label.family ?? '-'} ${label.packVersion ?? ''}`.trim()],
  ];
  y -= 4;
  for (const [name, value] of facts) {
    const size = fitSize(sans, `${name}: ${value}`, textWidth, 8.5);
    y -= size + 2;
    page.drawText(text(`${name}: `), { x: margin, y, size, font: bold, color: black });
    page.drawText(text(value), { x: margin + bold.widthOfTextAtSize(`${name}: `, size), y, size, font: sans, color: black });
  }
  if (label.synthetic) page.drawText('SYNTHETIC DEMO DATA', { x: margin, y: margin, size: 6, font: bold, color: grey });
  return document.save();
}

/** A simple flowing A4 writer: lines and tables top to bottom, new page when the space runs out. */
class ReportWriter {
  #page: PDFPage;
  #y: number;
  readonly margin = 48;

  constructor(
    private readonly document: PDFDocument,
    readonly fonts: { sans: PDFFont; bold: PDFFont; mono: PDFFont },
  ) {
    this.#page = document.addPage([A4.width, A4.height]);
    this.#y = A4.height - this.margin;
  }

  get page(): PDFPage {
    return this.#page;
  }

  get y(): number {
    return this.#y;
  }

  space(height: number): void {
    if (this.#y - height < this.margin) {
      this.#page = this.document.addPage([A4.width, A4.height]);
      this.#y = A4.height - this.margin;
    }
  }

  line(value: string, options: { size?: number; font?: PDFFont; x?: number; color?: ReturnType<typeof rgb> } = {}): void {
    const size = options.size ?? 10;
    const font = options.font ?? this.fonts.sans;
    const maxWidth = A4.width - this.margin - (options.x ?? this.margin);
    const safe = encodable(font)(value);
    // Wrap at spaces so a long gate detail never runs off the page.
    const words = safe.split(' ');
    let current = '';
    const lines: string[] = [];
    for (const word of words) {
      const candidate = current ? `${current} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) > maxWidth && current) {
        lines.push(current);
        current = word;
      } else current = candidate;
    }
    lines.push(current);
    for (const text of lines) {
      this.space(size + 4);
      this.#y -= size + 4;
      this.#page.drawText(text, { x: options.x ?? this.margin, y: this.#y, size, font, color: options.color ?? black });
    }
  }

  gap(height = 8): void {
    this.#y -= height;
  }

  row(cells: readonly string[], columns: readonly number[], font?: PDFFont): void {
    const size = 9;
    this.space(size + 6);
    this.#y -= size + 6;
    const used = font ?? this.fonts.sans;
    const safe = encodable(used);
    cells.forEach((cell, index) => {
      this.#page.drawText(safe(cell), { x: this.margin + (columns[index] ?? 0), y: this.#y, size, font: used, color: black });
    });
  }

  reserve(height: number): number {
    this.space(height);
    this.#y -= height;
    return this.#y;
  }
}

const statusTitle: Record<SessionReport['status'], string> = { completed: 'Completed', aborted: 'Aborted', refused: 'Not started (refused)' };
const stepVerdict: Record<string, string> = { in_tolerance: 'in tolerance', corrected: 'corrected', not_codable: 'NOT CODABLE' };

export async function reportPdf(report: SessionReport, label: InjectorLabel | null): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  setMetadata(document, `Coding session ${report.sessionId}`, report.endedAt);
  const fonts = {
    sans: await document.embedFont(StandardFonts.Helvetica),
    bold: await document.embedFont(StandardFonts.HelveticaBold),
    mono: await document.embedFont(StandardFonts.CourierBold),
  };
  const out = new ReportWriter(document, fonts);
  out.line('Injector coding report', { size: 20, font: fonts.bold });
  out.line(`Session ${report.sessionId}`, { size: 10, color: grey });
  out.gap();

  const outcome =
    report.status === 'completed' ? `${statusTitle.completed}: ${report.verdict === 'pass' ? 'PASS' : 'FAIL (injector rejected)'}` : statusTitle[report.status];
  out.line(outcome, { size: 14, font: fonts.bold });
  if (report.reason) out.line(`Reason: ${report.reason.message} (${report.reason.code})`);
  if (report.code && label) {
    // The label's own QR beside the code: what the report shows is what the label carries.
    const side = 96;
    const bottom = out.reserve(side + 8);
    drawQr(out.page, label.qr, out.margin, bottom, side);
    const x = out.margin + side + 16;
    out.page.drawText('Correction code', { x, y: bottom + side - 12, size: 10, font: fonts.sans, color: grey });
    out.page.drawText(report.code, { x, y: bottom + side - 40, size: Math.min(22, (A4.width - out.margin - x) / Math.max(1, fonts.mono.widthOfTextAtSize(report.code, 1))), font: fonts.mono, color: black });
    out.page.drawText(report.codeWrite === 'verified' ? 'Written to the injector and read back identical.' : 'No coding target: enter the code from the label.', {
      x,
      y: bottom + side - 60,
      size: 10,
      font: fonts.sans,
      color: black,
    });
  }
  out.line(`Credits charged: ${report.creditsDebited}`);
  out.gap();

  out.line('Injector and bench', { size: 12, font: fonts.bold });
  out.line(`Part number: ${report.partNumber}    Serial: ${report.serial}`);
  out.line(`Bench: ${report.bench.model} ${report.bench.benchSerial}, firmware ${report.bench.firmware}`);
  if (report.pack) out.line(`Pack: ${report.pack.family} ${report.pack.version} (${report.pack.resolvedBy})${report.pack.synthetic ? ', synthetic demo data' : ''}`);
  if (report.pack) out.line(`Pack SHA-256: ${report.pack.sha256}`, { size: 8, color: grey });
  out.line(`Started ${report.startedAt}, ended ${report.endedAt}`);
  out.gap();

  out.line('Preflight gates', { size: 12, font: fonts.bold });
  for (const gate of report.gates) {
    out.line(`${gate.passed ? 'PASS' : 'BLOCK'}  ${gate.label}: ${gate.detail}${!gate.passed && gate.action ? ` What to do: ${gate.action}` : ''}`);
  }
  out.gap();

  if (report.electrical || report.leak) {
    out.line('Electrical and leak tests', { size: 12, font: fonts.bold });
    if (report.electrical) {
      const e = report.electrical;
      out.line(
        `Electrical: ${e.passed ? 'pass' : 'FAIL'}; coil ${e.coilResistanceOhm === null ? 'open' : `${e.coilResistanceOhm.toFixed(3)} Ohm`} (${e.limits.minOhm}-${e.limits.maxOhm} Ohm), insulation ${e.insulationMOhm} MOhm (min ${e.limits.minInsulationMOhm})`,
      );
    }
    if (report.leak) {
      const l = report.leak;
      out.line(`Static leak: ${l.passed ? 'pass' : 'FAIL'}; ${l.backLeakMlPerMin.toFixed(2)} ml/min at ${l.railBar} bar (limit ${l.limitMlPerMin})`);
    }
    out.gap();
  }

  if (report.steps.length > 0) {
    out.line('Delivery steps', { size: 12, font: fonts.bold });
    const columns = [0, 110, 170, 290, 370, 430];
    out.row(['Step', 'Rail', 'Nominal (mm3)', 'Measured', 'Deviation', 'Verdict'], columns, fonts.bold);
    for (const step of report.steps) {
      out.row(
        [`${step.id} ${step.label}`.slice(0, 22), `${step.railBar} bar`, `${step.nominalMm3.toFixed(2)} ± ${step.toleranceMm3.toFixed(2)}`, step.measuredMm3.toFixed(3), `${step.deviationPct.toFixed(1)} %`, stepVerdict[step.verdict] ?? step.verdict],
        columns,
      );
    }
    out.gap();
  }

  out.line('Integrity', { size: 12, font: fonts.bold });
  out.line(
    report.logCheckpoint
      ? `Sealed in the bench's signed integrity log at entry ${report.logCheckpoint.seq}, hash ${report.logCheckpoint.entryHash}.`
      : 'Recorded in the bench integrity log.',
    { size: 9 },
  );
  return document.save();
}
