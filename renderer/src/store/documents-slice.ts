import type { StateCreator } from 'zustand';
import type { BenchApi } from '../../../electron/contract/bench-api';
import type { DocumentFile, DocumentKind, InjectorLabel } from '../../../electron/contract/documents';
import type { BenchError } from '../../../electron/contract/envelope';

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
    clearLabel: () => set({ label: null, printed: null, documentError: null }),
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
