import type { DocumentFile } from '../../electron/contract/documents';

function bytesOf(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/**
 * Hands a file from the services to the user. In a browser (workspace mode) it downloads; in Electron the
 * same download reaches main, which offers the save dialog (electron/main/downloads.ts) and prints from there.
 */
export function saveFile(file: DocumentFile): void {
  const url = URL.createObjectURL(new Blob([bytesOf(file.base64)], { type: file.mediaType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the download has taken the bytes.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
