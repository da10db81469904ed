export interface ElectronScanFinding {
  id: string;
  file: string;
  line: number;
  severity: string;
  description: string;
}
export declare const EXCLUDED_CHECKS: Record<string, string>;
export declare function scanAppDirectories(directories: string[]): Promise<{ failing: ElectronScanFinding[]; review: ElectronScanFinding[]; electronVersion: string }>;
export declare function scanForElectronRisks(directories: string[]): Promise<{ failing: ElectronScanFinding[]; review: ElectronScanFinding[]; electronVersion: string }>;
