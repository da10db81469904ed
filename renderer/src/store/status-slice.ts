import type { StateCreator } from 'zustand';
import type { BenchApi, BenchStatus } from '../../../electron/contract/bench-api';
import type { BenchError } from '../../../electron/contract/envelope';

export interface StatusSlice {
  status: BenchStatus | null;
  statusError: BenchError | null;
  /** Local time the last status arrived, by call or by event. */
  statusReceivedAt: number | null;
  statusUpdates: number;
  loadStatus(): Promise<void>;
  receiveStatus(status: BenchStatus): void;
}

export const createStatusSlice =
  (bench: BenchApi): StateCreator<StatusSlice, [], [], StatusSlice> =>
  (set) => ({
    status: null,
    statusError: null,
    statusReceivedAt: null,
    statusUpdates: 0,
    async loadStatus() {
      const result = await bench.getStatus();
      if (result.ok) set((state) => ({ status: result.value, statusError: null, statusReceivedAt: Date.now(), statusUpdates: state.statusUpdates + 1 }));
      else set({ statusError: result.error });
    },
    receiveStatus(status) {
      set((state) => ({ status, statusError: null, statusReceivedAt: Date.now(), statusUpdates: state.statusUpdates + 1 }));
    },
  });
