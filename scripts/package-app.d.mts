export declare const ELECTRON_BUILDER_VERSION: string;
export declare function electronBuilderArguments(argv: string[]): { channel: 'canary' | 'staged' | 'stable' | 'lts'; args: string[] };
