import path from 'node:path';

/** The development root of trust the app ships (resources/trust/root.json). */
export const bundledRootFile = path.resolve(import.meta.dirname, '..', '..', 'resources', 'trust', 'root.json');
