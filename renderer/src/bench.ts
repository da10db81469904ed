import type { BenchApi } from '../../electron/contract/bench-api';

declare global {
  interface Window {
    /** Installed by the Electron preload or, in workspace mode, by the workspace bridge. */
    readonly bench?: BenchApi;
  }
}

/** The renderer's only way to the services. */
export function getBench(): BenchApi {
  if (!window.bench) throw new Error('window.bench is missing: the preload or the workspace bridge did not load.');
  return window.bench;
}
