/**
 * Files the renderer hands to the user (label and report PDFs, support bundles) leave as downloads of
 * blob: URLs the app page made itself. Electron then shows its save dialog, from which the operator
 * saves or opens the PDF to print. Anything else that tries to download is cancelled.
 */
import type * as Electron from 'electron';

const allowedFile = /^[A-Za-z0-9_.-]{1,160}\.(pdf|json)$/;

export function isAllowedDownload(url: string, fileName: string): boolean {
  return url.startsWith('blob:app://bench/') && allowedFile.test(fileName) && !fileName.startsWith('.');
}

export function guardDownloads(session: Pick<Electron.Session, 'on'>): void {
  session.on('will-download', (event, item) => {
    if (!isAllowedDownload(item.getURL(), item.getFilename())) event.preventDefault();
  });
}
