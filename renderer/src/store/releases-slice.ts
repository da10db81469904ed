import type { StateCreator } from 'zustand';
import type { BenchApi, FamilyRelease, MethodInput, RefreshResult, ReleasesView } from '../../../electron/contract/bench-api';
import type { BenchError } from '../../../electron/contract/envelope';

/** What the last admin change did: a family's new state, or a refresh's outcome. */
export type ReleasesNotice = { kind: 'pinned' | 'unpinned' | 'rolledBack'; family: FamilyRelease } | { kind: 'refreshed'; result: RefreshResult };

export interface ReleasesSlice {
  releases: ReleasesView | null;
  releasesError: BenchError | null;
  /** The last change this view made, for the live region (the view words it in the current language). */
  releasesNotice: ReleasesNotice | null;
  releasesBusy: boolean;
  loadReleases(): Promise<void>;
  pinRelease(input: MethodInput<'pinRelease'>): Promise<boolean>;
  unpinRelease(input: MethodInput<'unpinRelease'>): Promise<boolean>;
  rollbackRelease(input: MethodInput<'rollbackRelease'>): Promise<boolean>;
  refreshReleases(input: MethodInput<'refreshReleases'>): Promise<boolean>;
  /** Forgets the last error and notice (a view opening, a new change starting). */
  clearReleasesMessages(): void;
}

export const createReleasesSlice =
  (bench: BenchApi): StateCreator<ReleasesSlice, [], [], ReleasesSlice> =>
  (set, get) => {
    /** Runs one admin change: busy while it runs, then the outcome and a fresh view. */
    async function change<T>(call: () => Promise<{ ok: true; value: T } | { ok: false; error: BenchError }>, describe: (value: T) => ReleasesNotice): Promise<boolean> {
      set({ releasesBusy: true, releasesError: null, releasesNotice: null });
      const result = await call();
      if (!result.ok) {
        set({ releasesBusy: false, releasesError: result.error });
        return false;
      }
      set({ releasesBusy: false, releasesNotice: describe(result.value) });
      await get().loadReleases();
      return true;
    }
    return {
      releases: null,
      releasesError: null,
      releasesNotice: null,
      releasesBusy: false,
      async loadReleases() {
        const result = await bench.getReleases();
        if (result.ok) set({ releases: result.value });
        else set({ releasesError: result.error });
      },
      pinRelease: (input) => change(() => bench.pinRelease(input), (family) => ({ kind: 'pinned', family })),
      unpinRelease: (input) => change(() => bench.unpinRelease(input), (family) => ({ kind: 'unpinned', family })),
      rollbackRelease: (input) => change(() => bench.rollbackRelease(input), (family) => ({ kind: 'rolledBack', family })),
      refreshReleases: (input) => change(() => bench.refreshReleases(input), (result) => ({ kind: 'refreshed', result })),
      clearReleasesMessages: () => set({ releasesError: null, releasesNotice: null }),
    };
  };
