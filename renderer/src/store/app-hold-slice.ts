import type { StateCreator } from 'zustand';
import type { AppUpdateHoldView, BenchApi, MethodInput } from '../../../electron/contract/bench-api';
import type { BenchError, Result } from '../../../electron/contract/envelope';

/** The admin's hold of app updates (Releases view): what holds the app now, and the hold and release forms. */
export interface AppHoldSlice {
  appHold: AppUpdateHoldView | null;
  appHoldError: BenchError | null;
  /** The last change made here, for the live region. */
  appHoldNotice: 'held' | 'released' | null;
  appHoldBusy: boolean;
  loadAppHold(): Promise<void>;
  holdAppUpdates(input: MethodInput<'holdAppUpdates'>): Promise<boolean>;
  releaseAppUpdateHold(input: MethodInput<'releaseAppUpdateHold'>): Promise<boolean>;
}

export const createAppHoldSlice =
  (bench: BenchApi): StateCreator<AppHoldSlice, [], [], AppHoldSlice> =>
  (set) => {
    async function change(call: () => Promise<Result<AppUpdateHoldView>>, notice: 'held' | 'released'): Promise<boolean> {
      set({ appHoldBusy: true, appHoldError: null, appHoldNotice: null });
      const result = await call();
      if (!result.ok) {
        set({ appHoldBusy: false, appHoldError: result.error });
        return false;
      }
      set({ appHoldBusy: false, appHold: result.value, appHoldNotice: notice });
      return true;
    }
    return {
      appHold: null,
      appHoldError: null,
      appHoldNotice: null,
      appHoldBusy: false,
      async loadAppHold() {
        const result = await bench.getAppUpdateHold();
        if (result.ok) set({ appHold: result.value, appHoldError: null });
        else set({ appHoldError: result.error });
      },
      holdAppUpdates: (input) => change(() => bench.holdAppUpdates(input), 'held'),
      releaseAppUpdateHold: (input) => change(() => bench.releaseAppUpdateHold(input), 'released'),
    };
  };
