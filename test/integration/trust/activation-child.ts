/**
 * Child process for the crash-safety test: one update of one family, killed with SIGKILL by the parent at
 * a random moment. Prints "ready" just before the update starts and "done" after it returns.
 */
import { readFileSync } from 'node:fs';
import { PackManager } from '../../../electron/services/packs/pack-manager';
import { directorySource } from '../../../trust/source';

const [dataDir, repo, rootFile, family, now] = process.argv.slice(2) as [string, string, string, string, string];
const manager = new PackManager({
  dataDir,
  bundledRoot: readFileSync(rootFile),
  bench: { benchId: 'bench-1', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true, requireTimestamp: true },
  now: () => new Date(now),
});
process.stdout.write('ready\n');
const result = await manager.update(directorySource(repo), family);
process.stdout.write(`done ${result.version}\n`);
