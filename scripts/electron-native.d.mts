export const ABI_BOUND_MODULES: string[];
export function electronBinary(): { binary: string; reason?: undefined } | { binary?: undefined; reason: string };
export interface ElectronNativePlan {
  electronVersion: string;
  platform: string;
  arch: string;
  folder: string;
  modules: Record<string, string>;
  modulePaths: Record<string, string>;
}
export function electronNativePlan(options?: { platform?: string; arch?: string }): ElectronNativePlan;
export function prepareElectronNative(options?: { log?: (line: string) => void }): Promise<ElectronNativePlan>;
