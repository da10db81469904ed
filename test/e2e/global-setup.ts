import { buildAll } from '../../scripts/build.mjs';

/** The e2e suite runs against the real built bundles, as `npm start` does. */
export default async function setup(): Promise<void> {
  await buildAll({ quiet: true });
}
