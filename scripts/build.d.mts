import type { BuildOptions } from 'esbuild';

export const deployableBuilds: Record<'electronMain' | 'electronPreload' | 'server' | 'cli' | 'development' | 'workspaceBridge', BuildOptions & { outfile: string }>;
export function bundleInputs(name: keyof typeof deployableBuilds): Promise<string[]>;
export function buildAll(options?: { quiet?: boolean }): Promise<string>;
