/**
 * The one bench trust configuration (trust/bench-trust.ts): no option in it can weaken verification, and a
 * bench built by it refuses a source without timestamp.json (freshness comes only from signed data).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchTrustProfile, type BenchTrustInputs } from '../../../trust/bench-trust';
import { useTempDirs } from '../../helpers/temp-dir';
import { benchSnapshot, createTrustFixture, expectRefused, makePack } from '../../helpers/trust-fixture';

const inputs: BenchTrustInputs = { benchId: 'bench-0000000000000001', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true };

describe('benchTrustProfile', () => {
  const tempDir = useTempDirs();

  it('refuses any option beyond what the bench is, such as the removed requireTimestamp', () => {
    const weakened = { ...inputs, requireTimestamp: false } as unknown as BenchTrustInputs;
    expect(() => benchTrustProfile(weakened)).toThrow(expect.objectContaining({ name: 'TrustError', code: 'MALFORMED' }) as Error);
  });

  it('refuses a malformed bench id or channel', () => {
    expect(() => benchTrustProfile({ ...inputs, benchId: '../x' })).toThrow(expect.objectContaining({ code: 'MALFORMED' }) as Error);
    expect(() => benchTrustProfile({ ...inputs, defaultChannel: 'nightly' as 'stable' })).toThrow(expect.objectContaining({ code: 'MALFORMED' }) as Error);
  });

  it('reads a channel function at each decision', () => {
    let channel: 'stable' | 'canary' = 'stable';
    const profile = benchTrustProfile({ ...inputs, defaultChannel: () => channel });
    expect(profile.defaultChannel).toBe('stable');
    channel = 'canary';
    expect(profile.defaultChannel).toBe('canary');
  });

  it('makes a missing timestamp.json NOT_FOUND on a fresh bench, with nothing written', async () => {
    const fixture = createTrustFixture(tempDir);
    fixture.publish(makePack('fam-a', '1.0.0', 1));
    rmSync(path.join(fixture.repo, 'timestamp.json'));
    const manager = fixture.bench();
    const before = benchSnapshot(fixture.dataDir);
    await expectRefused(fixture, manager, 'fam-a', 'NOT_FOUND');
    expect(benchSnapshot(fixture.dataDir)).toEqual(before);
    expect(manager.readState().trusted.active).toEqual({});
  });
});
