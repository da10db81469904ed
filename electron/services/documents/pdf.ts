/**
 * PDF documents of a coding session, made in the services with pdf-lib (pure JavaScript): the injector
 * label (code large, part, serial, date, QR code) and the session report. The renderer only downloads
 * the bytes; Electron main saves or prints them. Dates inside the PDF are the session's own, so the same
 * report always gives the same document.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { SessionReport } from '../../contract/coding-session';
import type { InjectorLabel } from '../../contract/documents';
import { LABEL_MM } from './label-layout';
import { groupCode } from '../../contract/code-groups';
import { formatBenchTime, type BenchClock } from '../../contract/bench-time';
import type { JobView } from '../../contract/jobs';

const MM = 72 / 25.4;
export const LABEL_SIZE = { width: LABEL_MM.width * MM, height: LABEL_MM.height * MM };
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
  const { layout } = label;
  const page = document.addPage([layout.widthMm * MM, layout.heightMm * MM]);
  const fonts = {
    mono: await document.embedFont(StandardFonts.CourierBold),
    sans: await document.embedFont(StandardFonts.Helvetica),
    bold: await document.embedFont(StandardFonts.HelveticaBold),
  };
  // The layout is in mm from the top left; PDF points run from the bottom left.
  const top = layout.heightMm * MM;
  for (const item of layout.items) {
    if (item.kind === 'qr') {
      drawQr(page, label.qr, item.xMm * MM, top - (item.yMm + item.sideMm) * MM, item.sideMm * MM);
      continue;
    }
    const font = fonts[item.font];
    page.drawText(encodable(font)(item.text), { x: item.xMm * MM, y: top - item.baselineMm * MM, size: item.sizeMm * MM, font, color: item.role === 'note' ? grey : black });
  }
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

export async function reportPdf(report: SessionReport, label: InjectorLabel | null, clock: BenchClock): Promise<Uint8Array> {
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
    const grouped = groupCode(report.code);
    out.page.drawText(grouped, { x, y: bottom + side - 40, size: fitSize(fonts.mono, grouped, A4.width - out.margin - x, 22), font: fonts.mono, color: black });
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
  out.line(`Started ${formatBenchTime(report.startedAt, clock.timeZone, clock.locale)}, ended ${formatBenchTime(report.endedAt, clock.timeZone, clock.locale)}`);
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

export interface JobReportInput {
  view: JobView;
  latest: Array<{ position: number; report: SessionReport | null }>;
  /** Everyone who coded an injector of the job; printed on every page. */
  technicians: string[];
  workshop: { name: string; address: string };
  clock: BenchClock;
  /** When the report is made: the PDF's date, and the "as of" line. */
  at: string;
}

const setVerdictText: Record<JobView['set']['verdict'], string> = {
  matched: 'MATCHED SET',
  not_matched: 'NOT MATCHED: the spread is above the pack limit',
  incomplete: 'INCOMPLETE: not every position is coded',
  no_limit: 'No matching limit in the pack',
};

/** One A4 report for a whole job: workshop header, job facts, every position, the set's matching. */
export async function jobReportPdf(input: JobReportInput): Promise<Uint8Array> {
  const { view, clock } = input;
  const { job, set } = view;
  const document = await PDFDocument.create();
  setMetadata(document, `Job ${job.jobId}`, input.at);
  const fonts = {
    sans: await document.embedFont(StandardFonts.Helvetica),
    bold: await document.embedFont(StandardFonts.HelveticaBold),
    mono: await document.embedFont(StandardFonts.CourierBold),
  };
  const time = (iso: string | null) => (iso ? formatBenchTime(iso, clock.timeZone, clock.locale) : '-');
  const out = new ReportWriter(document, fonts);
  if (input.workshop.name) out.line(input.workshop.name, { size: 12, font: fonts.bold });
  for (const line of input.workshop.address.split(/\r?\n/).filter(Boolean)) out.line(line, { size: 9, color: grey });
  out.gap();
  out.line('Injector set report', { size: 20, font: fonts.bold });
  out.line(`Job ${job.jobId}, as of ${time(input.at)}`, { size: 10, color: grey });
  out.gap();
  out.line(`Customer: ${job.customer}`);
  if (job.vehicle) out.line(`Vehicle: ${job.vehicle}`);
  if (job.vin) out.line(`VIN: ${job.vin}`);
  if (job.orderNumber) out.line(`Order number: ${job.orderNumber}`);
  out.line(`Engine: ${job.cylinders} cylinders, part ${job.partNumber}`);
  out.line(`Opened ${time(job.createdAt)}${job.createdBy ? ` by ${job.createdBy}` : ''}`);
  // A closed job takes no more injectors: the report says so, and who decided it when, so a reprint is not read as work in progress.
  if (job.state === 'closed') out.line(`Closed by ${job.closedBy ?? 'unknown'} on ${time(job.closedAt)}`, { font: fonts.bold });
  if (job.notes) out.line(`Notes: ${job.notes}`);
  out.gap();

  out.line(setVerdictText[set.verdict], { size: 14, font: fonts.bold });
  out.line(
    `${set.coded} of ${job.cylinders} positions coded${set.rejected > 0 ? `, ${set.rejected} rejected` : ''}. Spread of corrections: ${set.spread === null ? '-' : `${set.spread} code steps`}${set.limit === null ? '' : ` (pack limit ${set.limit})`}.`,
  );
  if (set.steps.length > 0) {
    const columns = [0, 130, 230, 330];
    out.row(['Test point', 'Lowest correction', 'Highest', 'Spread (steps)'], columns, fonts.bold);
    for (const step of set.steps) out.row([`${step.stepId} ${step.label}`, String(step.min), String(step.max), String(step.spread)], columns);
  }
  out.gap();

  out.line('Positions', { size: 12, font: fonts.bold });
  const columns = [0, 30, 120, 210, 380];
  out.row(['Pos.', 'Serial', 'Result', 'Code', 'Ended'], columns, fonts.bold);
  for (const position of view.positions) {
    const latest = position.latest;
    const result = !latest
      ? 'not coded'
      : latest.status === 'completed'
        ? `${latest.verdict === 'pass' ? 'pass' : 'REJECTED'}${latest.retestOf ? ' (free retest)' : ''}`
        : latest.status;
    out.row([String(position.position), latest?.serial ?? '-', result, latest?.code ? groupCode(latest.code) : '-', time(latest?.endedAt ?? null)], columns);
    const report = input.latest.find((entry) => entry.position === position.position)?.report;
    if (report && report.steps.length > 0) {
      out.line(report.steps.map((step) => `${step.id} ${step.deviationPct >= 0 ? '+' : ''}${step.deviationPct.toFixed(2)} %, correction ${step.correctionSteps ?? 0}`).join('   '), { size: 8, x: out.margin + 30, color: grey });
    }
  }
  out.gap();
  out.line('Each position lists its latest session; earlier attempts stay in the bench history and its signed integrity log.', { size: 8, color: grey });

  // The technician on every page, with the page number: pages of a job report get separated in a workshop.
  const pages = document.getPages();
  const footer = `Technician: ${input.technicians.length > 0 ? input.technicians.join(', ') : '-'}   Job ${job.jobId}`;
  pages.forEach((page, index) => {
    page.drawText(encodable(fonts.sans)(footer), { x: out.margin, y: 24, size: 8, font: fonts.sans, color: grey });
    const number = `Page ${index + 1} of ${pages.length}`;
    page.drawText(number, { x: A4.width - out.margin - fonts.sans.widthOfTextAtSize(number, 8), y: 24, size: 8, font: fonts.sans, color: grey });
  });
  return document.save();
}
