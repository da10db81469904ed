import type { StateCreator } from 'zustand';
import type { BenchApi, BenchSettings, MethodInput } from '../../../electron/contract/bench-api';
import type { BenchError } from '../../../electron/contract/envelope';

export interface SettingsSlice {
  settings: BenchSettings | null;
  settingsError: BenchError | null;
  settingsSavedAt: number | null;
  loadSettings(): Promise<void>;
  saveSettings(patch: MethodInput<'updateSettings'>): Promise<boolean>;
}

export const createSettingsSlice =
  (bench: BenchApi): StateCreator<SettingsSlice, [], [], SettingsSlice> =>
  (set) => ({
    settings: null,
    settingsError: null,
    settingsSavedAt: null,
    async loadSettings() {
      const result = await bench.getSettings();
      if (result.ok) set({ settings: result.value, settingsError: null });
      else set({ settingsError: result.error });
    },
    async saveSettings(patch) {
      const result = await bench.updateSettings(patch);
      if (!result.ok) {
        set({ settingsError: result.error });
        return false;
      }
      set({ settings: result.value, settingsError: null, settingsSavedAt: Date.now() });
      return true;
    },
  });
