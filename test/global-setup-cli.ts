import { buildCli } from '../scripts/build.mjs';

/**
 * The integration suite runs `injbench` as it ships: bin/injbench.mjs runs the built bundle, built here once
 * from the current sources (into dist/, which git ignores), so a fresh clone's `npm test` needs no build first.
 */
export default async function setup(): Promise<void> {
  await buildCli();
}
