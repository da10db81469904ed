export function buildAll(options?: { quiet?: boolean }): Promise<string>;
