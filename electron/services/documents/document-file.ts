import type { DocumentFile } from '../../contract/documents';

/** Bytes as the BenchApi carries a file: base64 in the envelope, with its name, type and size. */
export function toDocumentFile(fileName: string, mediaType: DocumentFile['mediaType'], bytes: Uint8Array): DocumentFile {
  return { fileName, mediaType, base64: Buffer.from(bytes).toString('base64'), bytes: bytes.length };
}
