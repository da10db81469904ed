/**
 * Child process for the crash-safety test: one update of one family, killed with SIGKILL by the parent at
 * a random moment, or by itself at a named step (argument 6: a step name, or "state-half-written" to die
 * with half of state.json's temporary file on disk). Prints "ready" before the update and "done" after.
 */
import { benchTrustProfile } from '../../../trust/bench-trust';
import { writeFileSync, readFileSync } from 'node:fs';
import { PackManager } from '../../../electron/services/packs/pack-manager';
import { writeFileAtomic } from '../../../trust/atomic-file';
import { directorySource } from '../../../trust/source';

const [dataDir, repo, rootFile, family, now, crashAt] = process.argv.slice(2) as [string, string, string, string, string, string | undefined];
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const manager = new PackManager({
  onStep: (step) => {
    if (step === crashAt) die();
  },
  writeAtomically: (file, bytes, mode) => {
    if (crashAt !== 'state-half-written') return writeFileAtomic(file, bytes, mode);
    writeFileSync(`${file}.${process.pid}.tmp`, Buffer.from(bytes).subarray(0, Math.floor(bytes.length / 2)), { mode });
    die();
  },
  dataDir,
  bundledRoot: readFileSync(rootFile),
  bench: benchTrustProfile({ benchId: 'bench-0000000000000001', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true }),
  now: () => new Date(now),
});
process.stdout.write('ready\n');
const result = await manager.update(directorySource(repo), family);
process.stdout.write(`done ${result.version}\n`);
