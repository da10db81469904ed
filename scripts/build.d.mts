import type { BuildOptions, Metafile } from 'esbuild';

type DeployableName = 'electronMain' | 'electronPreload' | 'server' | 'cli' | 'development' | 'workspaceBridge';

export const deployableBuilds: Record<DeployableName, BuildOptions & ({ outfile: string } | { outdir: string })>;
export function esbuildOptions(name: DeployableName, options?: { into?: string; quiet?: boolean }): BuildOptions;
export function bundleMetafile(name: DeployableName): Promise<Metafile>;
export function bundleInputs(name: DeployableName): Promise<string[]>;
export function bundleRuntimePackages(name: DeployableName): Promise<string[]>;
export function serverPackageJson(): Promise<{ name: string; version: string; private: true; type: 'module'; main: string; engines: Record<string, string>; dependencies: Record<string, string> }>;
export function buildCli(options?: { quiet?: boolean }): Promise<void>;
export function buildDevelopmentForElectron(modulePaths: Record<string, string>, options?: { into?: string }): Promise<void>;
export function buildAll(options?: { quiet?: boolean }): Promise<string>;
