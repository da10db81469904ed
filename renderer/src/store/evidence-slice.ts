import type { StateCreator } from 'zustand';
import type { BenchApi, EvidenceEntry, LogVerdictView } from '../../../electron/contract/bench-api';
import type { BenchError } from '../../../electron/contract/envelope';

export interface EvidenceSlice {
  evidence: EvidenceEntry[];
  evidenceFilter: string;
  evidenceHasMore: boolean;
  evidenceSealedThrough: number;
  evidenceError: BenchError | null;
  logVerdict: LogVerdictView | null;
  loadEvidence(filter: string): Promise<void>;
  loadOlderEvidence(): Promise<void>;
  verifyLog(): Promise<void>;
}

export const createEvidenceSlice =
  (bench: BenchApi): StateCreator<EvidenceSlice, [], [], EvidenceSlice> =>
  (set, get) => ({
    evidence: [],
    evidenceFilter: '',
    evidenceHasMore: false,
    evidenceSealedThrough: 0,
    evidenceError: null,
    logVerdict: null,
    async loadEvidence(filter) {
      const result = await bench.listEvidence(filter ? { typePrefix: filter } : {});
      if (!result.ok) return set({ evidenceError: result.error });
      set({
        evidence: result.value.entries,
        evidenceFilter: filter,
        evidenceHasMore: result.value.hasMore,
        evidenceSealedThrough: result.value.sealedThrough,
        evidenceError: null,
      });
    },
    async loadOlderEvidence() {
      const { evidence, evidenceFilter } = get();
      const oldest = evidence.at(-1);
      if (!oldest) return;
      const result = await bench.listEvidence({ ...(evidenceFilter ? { typePrefix: evidenceFilter } : {}), beforeSeq: oldest.seq });
      if (!result.ok) return set({ evidenceError: result.error });
      set({ evidence: [...evidence, ...result.value.entries], evidenceHasMore: result.value.hasMore, evidenceError: null });
    },
    async verifyLog() {
      const result = await bench.verifyEvidenceLog();
      if (result.ok) set({ logVerdict: result.value, evidenceError: null });
      else set({ evidenceError: result.error });
    },
  });
