import type { StateCreator } from 'zustand';
import type { BenchApi, BenchLinkStateView, ManualTestInput, ManualTestResult } from '../../../electron/contract/bench-api';
import type { BenchError } from '../../../electron/contract/envelope';

export interface BenchSlice {
  benchLink: BenchLinkStateView | null;
  benchError: BenchError | null;
  benchBusy: boolean;
  loadBenchLink(): Promise<void>;
  connectBench(target?: string): Promise<void>;
  disconnectBench(): Promise<void>;
  receiveBenchLink(state: BenchLinkStateView): void;
  manualTest: { running: boolean; result: ManualTestResult | null; error: BenchError | null };
  runManualTest(input: ManualTestInput): Promise<void>;
}

export const createBenchSlice =
  (bench: BenchApi): StateCreator<BenchSlice, [], [], BenchSlice> =>
  (set) => ({
    benchLink: null,
    benchError: null,
    benchBusy: false,
    async loadBenchLink() {
      const result = await bench.getBenchLink();
      if (result.ok) set({ benchLink: result.value });
    },
    async connectBench(target) {
      set({ benchBusy: true, benchError: null });
      const result = await bench.connectBench(target ? { target } : {});
      set(result.ok ? { benchLink: result.value, benchBusy: false } : { benchError: result.error, benchBusy: false });
    },
    async disconnectBench() {
      set({ benchBusy: true, benchError: null });
      const result = await bench.disconnectBench();
      set(result.ok ? { benchLink: result.value, benchBusy: false } : { benchError: result.error, benchBusy: false });
    },
    receiveBenchLink: (state) => set({ benchLink: state }),
    manualTest: { running: false, result: null, error: null },
    async runManualTest(input) {
      set({ manualTest: { running: true, result: null, error: null } });
      const result = await bench.runManualTest(input);
      set({ manualTest: result.ok ? { running: false, result: result.value, error: null } : { running: false, result: null, error: result.error } });
    },
  });
