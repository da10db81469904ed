import type { StateCreator } from 'zustand';
import type { BenchApi, FamilyRelease, MethodInput, RefreshResult, ReleasesView } from '../../../electron/contract/bench-api';
import type { BenchError } from '../../../electron/contract/envelope';

export interface ReleasesSlice {
  releases: ReleasesView | null;
  releasesError: BenchError | null;
  /** One line about the last change this view made, for the live region. */
  releasesNotice: string | null;
  releasesBusy: boolean;
  loadReleases(): Promise<void>;
  pinRelease(input: MethodInput<'pinRelease'>): Promise<boolean>;
  unpinRelease(input: MethodInput<'unpinRelease'>): Promise<boolean>;
  rollbackRelease(input: MethodInput<'rollbackRelease'>): Promise<boolean>;
  refreshReleases(input: MethodInput<'refreshReleases'>): Promise<boolean>;
  /** Forgets the last error and notice (a view opening, a new change starting). */
  clearReleasesMessages(): void;
}

function describeFamily(family: FamilyRelease): string {
  return `${family.family} is now on ${family.active?.version ?? 'no pack'}${family.pin ? ` (pinned until ${family.pin.endsAt})` : ''}.`;
}

function describeRefresh(result: RefreshResult): string {
  if (result.deferred) return 'A coding session is running: the refresh waits and runs as soon as it ends.';
  const refused = result.families.filter((family) => family.outcome === 'refused').length;
  const activated = result.families.filter((family) => family.outcome === 'activated').length;
  return `Refreshed from ${result.source ?? 'the source'}: ${activated} activated, ${result.families.length - activated - refused} unchanged, ${refused} refused.`;
}

export const createReleasesSlice =
  (bench: BenchApi): StateCreator<ReleasesSlice, [], [], ReleasesSlice> =>
  (set, get) => {
    /** Runs one admin change: busy while it runs, then the outcome and a fresh view. */
    async function change<T>(call: () => Promise<{ ok: true; value: T } | { ok: false; error: BenchError }>, describe: (value: T) => string): Promise<boolean> {
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
      pinRelease: (input) => change(() => bench.pinRelease(input), (family) => `Pinned. ${describeFamily(family)}`),
      unpinRelease: (input) => change(() => bench.unpinRelease(input), (family) => `Unpinned. ${describeFamily(family)}`),
      rollbackRelease: (input) => change(() => bench.rollbackRelease(input), (family) => `Rolled back. ${describeFamily(family)}`),
      refreshReleases: (input) => change(() => bench.refreshReleases(input), describeRefresh),
      clearReleasesMessages: () => set({ releasesError: null, releasesNotice: null }),
    };
  };
