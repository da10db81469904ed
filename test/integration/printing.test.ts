/**
 * Printing labels and reports from the real bench services: ZPL over raw TCP to a listener on 127.0.0.1
 * (what a 9100 label printer receives), and PDFs through a real CUPS scheduler from Debian's packages
 * (a private cupsd whose raw queue delivers to a capture listener). What arrives is read back: the ZPL's
 * fields, the PDF's text (pdftotext) and its QR code (pdftoppm + zbarimg), checked for the code, part,
 * serial and QR data of the session's label.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionReport } from '../../electron/contract/coding-session';
import type { InjectorLabel } from '../../electron/contract/documents';
import type { PrintOutcome } from '../../electron/contract/printing';
import { createBenchServices, type BenchServices } from '../../electron/services/bench-services';
import { prepareDemoBench, type DemoBench } from '../../demo/demo-bench';
import { hashPin } from '../../common/pin-hash';
import { bundledRootFile } from '../helpers/bundled-root';
import { silentLogger } from '../helpers/silent-logger';
import { startCaptureListener, startCupsServer, type CaptureListener, type CupsServer } from '../helpers/cups-server';
import { requireTool } from '../helpers/system-tools';

const cheapHash = (pin: string) => hashPin(pin, { N: 2 ** 10, r: 8, p: 1 });

describe('printing labels and reports', () => {
  let dataDir: string;
  let services: BenchServices;
  let demo: DemoBench;
  let tagged: { report: SessionReport; label: InjectorLabel };
  let bare: { report: SessionReport; label: InjectorLabel };
  let capture: CaptureListener;

  async function call<T>(method: string, input?: unknown): Promise<T> {
    const result = await services.dispatch(method, input);
    if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
    return result.value as T;
  }

  async function codeOne(partNumber: string, serial: string) {
    await call('startCodingSession', { partNumber, serial });
    const report = await services.sessions.settled();
    if (report?.status !== 'completed' || !report.code) throw new Error(`the session did not issue a code: ${JSON.stringify(report?.reason)}`);
    return { report, label: await call<InjectorLabel>('getSessionLabel', { sessionId: report.sessionId }) };
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'injbench-printing-'));
    services = createBenchServices({ dataDir, bundledRootFile, appVersion: '0.1.0', mode: 'workspace', logger: silentLogger(), statusIntervalMs: 0, hashPin: cheapHash, releaseTimers: { pinCheckMs: 0, serverRefreshMs: 0 } });
    demo = await prepareDemoBench(services, { dataDir, sourceDir: path.resolve('resources', 'demo-source'), speed: 200, logger: silentLogger() });
    await call('setupFirstAdmin', { name: 'Ana Admin', pin: '246810' });
    // Bosch-like packs put part and serial in the QR; Delphi-like ones the bare 16-character code.
    tagged = await codeOne('SYN-0445110-001', 'PRN-0001');
    bare = await codeOne('SYN-EJBR-0001', 'PRN-0002');
    capture = await startCaptureListener();
  }, 120_000);

  afterAll(async () => {
    await capture?.close();
    await services?.close();
    await demo?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('puts what each pack asks in the QR: the tagged line, or the bare code; long codes grouped on the label', () => {
    expect(tagged.label.qr.text).toBe(`INJBENCH1;P=SYN-0445110-001;S=PRN-0001;C=${tagged.report.code};D=${tagged.label.date};ID=${tagged.report.sessionId}`);
    expect(bare.label.qr.text).toBe(bare.report.code);
    expect(bare.label.codeGrouped).toMatch(/^[0-9A-Z]{4} [0-9A-Z]{4} [0-9A-Z]{4} [0-9A-Z]{4}$/);
    const codeLines = bare.label.layout.items.filter((item) => item.kind === 'text' && item.role === 'code').map((item) => (item.kind === 'text' ? item.text : ''));
    expect(codeLines.join(' ')).toBe(bare.label.codeGrouped);
  });

  it('sends the label in ZPL to a raw TCP printer, with the code, part, serial and the QR data', async () => {
    await call('updateSettings', { labelPrinter: { kind: 'zpl', host: '127.0.0.1', port: capture.port } });
    for (const { report, label } of [tagged, bare]) {
      const arriving = capture.next();
      const outcome = await call<PrintOutcome>('printDocument', { document: 'label', sessionId: report.sessionId });
      const zpl = (await arriving).toString('utf8');
      expect(outcome).toMatchObject({ kind: 'zpl', printer: `label printer 127.0.0.1:${capture.port}`, bytes: Buffer.byteLength(zpl) });
      expect(zpl.startsWith('^XA')).toBe(true);
      expect(zpl.trimEnd().endsWith('^XZ')).toBe(true);
      const fields = [...zpl.matchAll(/\^FD(.*?)\^FS/g)].map((match) => match[1]);
      expect(fields).toContain(report.partNumber);
      expect(fields).toContain(report.serial);
      expect(fields.filter((field) => /^[0-9A-Z ]+$/.test(field ?? '') && (report.code ?? '').includes((field ?? '').replaceAll(' ', ''))).join(' ')).toBe(label.codeGrouped);
      expect(zpl).toMatch(/\^BQN,2,\d+\^FH\\\^FDMA,/);
      expect(fields).toContain(`MA,${label.qr.text}`);
    }
    expect(services.store.integrityLog.search({ typePrefix: 'document.printed', limit: 5 }).map((entry) => JSON.parse(entry.payloadJson) as Record<string, unknown>)[0]).toMatchObject({ kind: 'label', printer: 'zpl' });
  });

  it('says what to do when the label printer cannot be reached or none is chosen', async () => {
    const closed = await startCaptureListener();
    await closed.close();
    await call('updateSettings', { labelPrinter: { kind: 'zpl', host: '127.0.0.1', port: closed.port } });
    expect(await services.dispatch('printDocument', { document: 'label', sessionId: tagged.report.sessionId })).toMatchObject({
      ok: false,
      error: { code: 'PRINTER_UNREACHABLE', message: expect.stringContaining(`127.0.0.1:${closed.port} refused the connection`), params: { address: `127.0.0.1:${closed.port}`, said: 'ECONNREFUSED' } },
    });
    await call('updateSettings', { labelPrinter: { kind: 'download' } });
    expect(await services.dispatch('printDocument', { document: 'label', sessionId: tagged.report.sessionId })).toMatchObject({ ok: false, error: { code: 'PRINTER_NOT_SET', message: expect.stringContaining('download the PDF') } });
    expect(await services.dispatch('updateSettings', { labelPrinter: { kind: 'zpl', host: 'bad host;rm', port: 9100 } })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  describe('through a real CUPS scheduler', () => {
    let cups: CupsServer | null;
    let queueCapture: CaptureListener;
    const savedServer = process.env.CUPS_SERVER;

    beforeAll(async () => {
      cups = await startCupsServer();
      if (!cups) return;
      queueCapture = await startCaptureListener();
      cups.addQueue('bench_labels', queueCapture.port);
      process.env.CUPS_SERVER = cups.server;
    }, 60_000);

    afterAll(async () => {
      if (savedServer === undefined) delete process.env.CUPS_SERVER;
      else process.env.CUPS_SERVER = savedServer;
      await queueCapture?.close();
      await cups?.stop();
    });

    function readPdf(bytes: Buffer, name: string): { text: string; qr: string[] } {
      const pdftotext = requireTool('pdftotext', 'poppler-utils');
      const pdftoppm = requireTool('pdftoppm', 'poppler-utils');
      const zbarimg = requireTool('zbarimg', 'zbar-tools');
      if (!pdftotext || !pdftoppm || !zbarimg) return { text: '', qr: [] };
      const file = path.join(dataDir, `${name}.pdf`);
      writeFileSync(file, bytes);
      execFileSync(pdftotext, ['-layout', file, `${file}.txt`]);
      execFileSync(pdftoppm, ['-r', '300', '-png', '-singlefile', file, `${file}-page`]);
      const qr = execFileSync(zbarimg, ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', `${file}-page.png`], { encoding: 'utf8' }).trim().split('\n');
      return { text: readFileSync(`${file}.txt`, 'utf8'), qr };
    }

    it('prints the label PDF to a named queue; what the queue delivers has the code, part, serial and QR data', async ({ skip }) => {
      if (!cups) return skip('CUPS is not installed here (printed above why)');
      await call('updateSettings', { labelPrinter: { kind: 'system', queue: 'bench_labels' } });
      for (const [name, { report, label }] of [['tagged', tagged], ['bare', bare]] as const) {
        const arriving = queueCapture.next();
        const outcome = await call<PrintOutcome>('printDocument', { document: 'label', sessionId: report.sessionId });
        expect(outcome).toMatchObject({ kind: 'system', printer: 'queue bench_labels', jobRef: expect.stringMatching(/^bench_labels-\d+$/) });
        const delivered = await arriving;
        expect(delivered.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(delivered.length).toBe(outcome.bytes);
        const { text, qr } = readPdf(delivered, `label-${name}`);
        if (!text) continue;
        expect(text).toContain(report.partNumber);
        expect(text).toContain(report.serial);
        for (const line of label.layout.items.filter((item) => item.kind === 'text' && item.role === 'code')) expect(text).toContain(line.kind === 'text' ? line.text : '');
        expect(qr).toEqual([label.qr.text]);
      }
    }, 60_000);

    it('prints the session report to the document queue, and types a refused or unknown queue', async ({ skip }) => {
      if (!cups) return skip('CUPS is not installed here (printed above why)');
      await call('updateSettings', { documentPrinter: { kind: 'system', queue: 'bench_labels' } });
      const arriving = queueCapture.next();
      await call<PrintOutcome>('printDocument', { document: 'report', sessionId: tagged.report.sessionId });
      const { text, qr } = readPdf(await arriving, 'report');
      if (text) {
        expect(text).toContain('Injector coding report');
        expect(text).toContain(tagged.report.code ?? 'missing');
        expect(qr).toEqual([tagged.label.qr.text]);
      }
      cups.run('cupsreject', ['bench_labels']);
      expect(await services.dispatch('printDocument', { document: 'report', sessionId: tagged.report.sessionId })).toMatchObject({
        ok: false,
        error: { code: 'PRINT_QUEUE_REFUSED', message: expect.stringContaining('cupsaccept'), params: { queue: 'bench_labels', said: expect.any(String) } },
      });
      cups.run('cupsaccept', ['bench_labels']);
      await call('updateSettings', { documentPrinter: { kind: 'system', queue: 'no_such_queue' } });
      expect(await services.dispatch('printDocument', { document: 'report', sessionId: tagged.report.sessionId })).toMatchObject({ ok: false, error: { code: 'PRINT_QUEUE_NOT_FOUND' } });
    }, 60_000);
  });
});
