import type { StateCreator } from 'zustand';
import type { BenchApi } from '../../../electron/contract/bench-api';
import type { CreditsLedgerView, DocumentFile, EnrolmentView, GrantImportView, SupportBundleFile } from '../../../electron/contract/documents';
import type { BenchError } from '../../../electron/contract/envelope';
import type { SaveFile } from './documents-slice';

/** Admin and support work: enrolment with the central server, credits, the support bundle. */
export interface AdminSlice {
  enrolment: EnrolmentView | null;
  enrolling: boolean;
  enrolmentError: BenchError | null;
  credits: CreditsLedgerView | null;
  importingGrant: boolean;
  lastGrant: GrantImportView | null;
  creditsError: BenchError | null;
  exportingBundle: boolean;
  lastBundle: Omit<SupportBundleFile, 'base64'> | null;
  supportError: BenchError | null;
  exportingDiagnostics: boolean;
  lastDiagnostics: Omit<DocumentFile, 'base64'> | null;
  diagnosticsError: BenchError | null;
  loadEnrolment(): Promise<void>;
  enrol(serverUrl: string, code: string): Promise<boolean>;
  loadCredits(): Promise<void>;
  importGrant(contents: string): Promise<boolean>;
  exportSupportBundle(): Promise<boolean>;
  /** Admins: logs, versions and settings without secrets, as a .tar.gz saved through the save dialog. */
  exportDiagnostics(): Promise<boolean>;
}

export const createAdminSlice =
  (bench: BenchApi, save: SaveFile): StateCreator<AdminSlice, [], [], AdminSlice> =>
  (set, get) => ({
    enrolment: null,
    enrolling: false,
    enrolmentError: null,
    credits: null,
    importingGrant: false,
    lastGrant: null,
    creditsError: null,
    exportingBundle: false,
    lastBundle: null,
    supportError: null,
    exportingDiagnostics: false,
    lastDiagnostics: null,
    diagnosticsError: null,
    async loadEnrolment() {
      const result = await bench.getEnrolment();
      set(result.ok ? { enrolment: result.value } : { enrolmentError: result.error });
    },
    async enrol(serverUrl, code) {
      set({ enrolling: true, enrolmentError: null });
      const result = await bench.enrolBench({ serverUrl, code });
      set(result.ok ? { enrolling: false, enrolment: result.value } : { enrolling: false, enrolmentError: result.error });
      return result.ok;
    },
    async loadCredits() {
      const result = await bench.getCreditsLedger();
      set(result.ok ? { credits: result.value } : { creditsError: result.error });
    },
    async importGrant(contents) {
      set({ importingGrant: true, creditsError: null, lastGrant: null });
      const result = await bench.importCreditGrant({ grant: contents });
      if (!result.ok) {
        set({ importingGrant: false, creditsError: result.error });
        return false;
      }
      set({ importingGrant: false, lastGrant: result.value });
      await get().loadCredits();
      return true;
    },
    async exportSupportBundle() {
      set({ exportingBundle: true, supportError: null });
      const result = await bench.exportSupportBundle({});
      if (!result.ok) {
        set({ exportingBundle: false, supportError: result.error });
        return false;
      }
      save(result.value);
      const { base64: _bytes, ...summary } = result.value;
      set({ exportingBundle: false, lastBundle: summary });
      return true;
    },
      async exportDiagnostics() {
      set({ exportingDiagnostics: true, diagnosticsError: null });
      const result = await bench.exportDiagnostics();
      if (!result.ok) {
        set({ exportingDiagnostics: false, diagnosticsError: result.error });
        return false;
      }
      save(result.value);
      const { base64: _bytes, ...summary } = result.value;
      set({ exportingDiagnostics: false, lastDiagnostics: summary });
      return true;
    },
  });
