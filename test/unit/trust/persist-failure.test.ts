/**
 * Disk full while persisting: the write of state.json fails at the last step of an update. The bench keeps
 * its previous state, active pack and LKG, and the error is typed.
 */
import { benchTrustProfile } from '../../../trust/bench-trust';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { PackManager } from '../../../electron/services/packs/pack-manager';
import { writeFileAtomic } from '../../../trust/atomic-file';
import { promote } from '../../../trust/repository';
import { createTrustFixture, makePack, T0 } from '../../helpers/trust-fixture';
import { useTempDirs } from '../../helpers/temp-dir';

const makeDir = useTempDirs();

it('keeps the previous state when persisting fails with ENOSPC', async () => {
  const fixture = createTrustFixture(makeDir);
  fixture.publish(makePack('fam-a', '1.0.0', 1));
  promote(fixture.context(), fixture.keys, { family: 'fam-a', version: '1.0.0', to: 'stable' });
  let diskFull = false;
  const manager = new PackManager({
    dataDir: fixture.dataDir,
    bundledRoot: fixture.rootV1,
    bench: benchTrustProfile({ benchId: 'bench-0000000000000001', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true }),
    now: () => T0,
    writeAtomically: (file, bytes, mode) => {
      if (diskFull) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      writeFileAtomic(file, bytes, mode);
    },
  });
  await manager.update(fixture.source(), 'fam-a');
  manager.markSessionCompleted('fam-a');
  const statePath = path.join(fixture.dataDir, 'packs', 'state.json');
  const before = readFileSync(statePath);

  fixture.publish(makePack('fam-a', '1.1.0', 2));
  promote(fixture.context(), fixture.keys, { family: 'fam-a', version: '1.1.0', to: 'stable' });
  diskFull = true;
  await expect(manager.update(fixture.source(), 'fam-a')).rejects.toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringContaining('ENOSPC') });
  expect(readFileSync(statePath).equals(before)).toBe(true);
  expect(readdirSync(path.join(fixture.dataDir, 'packs', 'staging'))).toEqual([]);
  await expect(manager.preflight('fam-a')).resolves.toMatchObject({ version: '1.0.0' });

  diskFull = false;
  await expect(manager.update(fixture.source(), 'fam-a')).resolves.toMatchObject({ version: '1.1.0' });
});

it('removes the temporary file when the final rename fails, leaving the target as it was', () => {
  const directory = makeDir();
  // A non-empty directory where the file should go: the temporary is written, the rename fails.
  const target = path.join(directory, 'state.json');
  mkdirSync(target);
  writeFileSync(path.join(target, 'keep'), 'x');
  expect(() => writeFileAtomic(target, Buffer.from('new state'))).toThrow();
  expect(readdirSync(directory)).toEqual(['state.json']);
  expect(existsSync(path.join(target, 'keep'))).toBe(true);
});
