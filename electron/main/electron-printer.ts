/**
 * The app's system printer: a named printer the operating system knows. On Linux and macOS those are
 * CUPS queues, and the services' lp client prints a PDF to them exactly as it arrives; on Windows the PDF
 * is loaded into a hidden, sandboxed window and printed silently through Electron's printing to the
 * named printer. Either way the printer must be one Electron lists, or the error says which ones exist.
 */
import type * as Electron from 'electron';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cupsPrinter, type SystemPrinter } from '../services/printing/cups';
import { ServiceError } from '../services/service-error';

export function electronPrinter(electron: typeof Electron): SystemPrinter {
  if (process.platform !== 'win32') return cupsPrinter;
  return {
    async print(queue, pdf, title) {
      const window = new electron.BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, plugins: true } });
      const dir = await mkdtemp(path.join(os.tmpdir(), 'injbench-print-'));
      try {
        const printers = await window.webContents.getPrintersAsync();
        if (!printers.some((printer) => printer.name === queue)) {
          throw new ServiceError('PRINT_QUEUE_NOT_FOUND', `There is no printer "${queue}" on this computer; it has ${printers.map((printer) => printer.name).join(', ') || 'none'}. Choose one in Settings.`);
        }
        const file = path.join(dir, title.replace(/[^A-Za-z0-9._-]+/g, '_'));
        await writeFile(file, pdf);
        await window.loadURL(pathToFileURL(file).toString());
        await new Promise<void>((resolve, reject) => {
          window.webContents.print({ silent: true, deviceName: queue, printBackground: true }, (success, reason) =>
            success ? resolve() : reject(new ServiceError('PRINT_QUEUE_REFUSED', `The printer "${queue}" did not take the job (${reason}). Check it in the system's printer settings, or download the PDF.`)),
          );
        });
        return { jobRef: null };
      } finally {
        window.destroy();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
