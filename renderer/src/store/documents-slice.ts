import type { StateCreator } from 'zustand';
import type { BenchApi } from '../../../electron/contract/bench-api';
import type { DocumentFile, DocumentKind, InjectorLabel } from '../../../electron/contract/documents';
import type { BenchError } from '../../../electron/contract/envelope';
import type { PrintOutcome, PrintRequest } from '../../../electron/contract/printing';

/** Hands a finished file to the user: a browser download in workspace mode, Electron main saves it. */
export type SaveFile = (file: DocumentFile) => void;

export interface DocumentsSlice {
  /** The label of the session on screen, when it issued a code. */
  label: InjectorLabel | null;
  /** Which document is being made right now (the button shows progress), or null. */
  printing: DocumentKind | null;
  /** The last file handed over, so the screen can say where it went. */
  printed: { kind: DocumentKind; fileName: string; bytes: number } | null;
  documentError: BenchError | null;
  loadLabel(sessionId: string): Promise<void>;
  clearLabel(): void;
  printDocument(sessionId: string, kind: DocumentKind): Promise<boolean>;
  /** The last document sent to a printer, so the screen can say where it went. */
  sentToPrinter: { document: PrintRequest['document']; outcome: PrintOutcome } | null;
  /** Which document is on its way to a printer, or null. */
  sendingToPrinter: PrintRequest['document'] | null;
  /** Prints on the printer chosen in Settings; a typed error says what to do when it cannot. */
  sendToPrinter(request: PrintRequest): Promise<boolean>;
  /** The job report as a PDF download. */
  downloadJobReport(jobId: string): Promise<boolean>;
}

export const createDocumentsSlice =
  (bench: BenchApi, save: SaveFile): StateCreator<DocumentsSlice, [], [], DocumentsSlice> =>
  (set, get) => ({
    label: null,
    printing: null,
    printed: null,
    documentError: null,
    async loadLabel(sessionId) {
      const result = await bench.getSessionLabel({ sessionId });
      set(result.ok ? { label: result.value, documentError: null } : { label: null, documentError: result.error });
    },
    clearLabel: () => set({ label: null, printed: null, documentError: null, sentToPrinter: null }),
    sentToPrinter: null,
    sendingToPrinter: null,
    async sendToPrinter(request) {
      if (get().sendingToPrinter) return false;
      set({ sendingToPrinter: request.document, documentError: null, sentToPrinter: null });
      const result = await bench.printDocument(request);
      set(result.ok ? { sendingToPrinter: null, sentToPrinter: { document: request.document, outcome: result.value } } : { sendingToPrinter: null, documentError: result.error });
      return result.ok;
    },
    async downloadJobReport(jobId) {
      set({ documentError: null });
      const result = await bench.exportJobReport({ jobId });
      if (!result.ok) {
        set({ documentError: result.error });
        return false;
      }
      save(result.value);
      set({ printed: { kind: 'report', fileName: result.value.fileName, bytes: result.value.bytes } });
      return true;
    },
    async printDocument(sessionId, kind) {
      if (get().printing) return false;
      set({ printing: kind, documentError: null });
      const result = await bench.exportSessionDocument({ sessionId, kind });
      if (!result.ok) {
        set({ printing: null, documentError: result.error });
        return false;
      }
      save(result.value);
      set({ printing: null, printed: { kind, fileName: result.value.fileName, bytes: result.value.bytes } });
      return true;
    },
  });
