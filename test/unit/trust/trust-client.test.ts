/**
 * The trust client's order (docs/trust-packs.md "Verification order"): a role's method refuses to run
 * before the previous role was accepted, so a caller cannot skip a check by calling out of order.
 */
import { benchTrustProfile } from '../../../trust/bench-trust';
import { describe, expect, it } from 'vitest';
import { TrustClient, initialTrustedMetadata, type BenchProfile } from '../../../trust/trust-client';
import { useTempDirs } from '../../helpers/temp-dir';
import { T0, createTrustFixture, makePack } from '../../helpers/trust-fixture';

const FAMILY = 'order-fam';
const bench: BenchProfile = benchTrustProfile({ benchId: 'bench-0000000000000001', hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'canary', production: false });

describe('TrustClient order', () => {
  const tempDir = useTempDirs();

  function fixtureClient() {
    const fixture = createTrustFixture(tempDir);
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    const client = new TrustClient({ family: FAMILY, bench, trusted: initialTrustedMetadata(fixture.rootV1), now: T0 });
    return { fixture, client };
  }

  it('refuses every role before the one before it was accepted, and a role twice', async () => {
    const { fixture, client } = fixtureClient();
    const source = fixture.source();
    await expect(client.updateTimestamp(source)).rejects.toThrow(/runs only after root/);
    await expect(client.updateSnapshot(source)).rejects.toThrow(/runs only after timestamp/);
    await expect(client.updateIndex(source)).rejects.toThrow(/runs only after snapshot/);
    await expect(client.updateDirective(source)).rejects.toThrow(/runs only after index/);
    expect(() => client.resolveTarget()).toThrow(/runs only after directive/);
    await expect(client.verifyTargetFile('/nonexistent')).rejects.toThrow(/only after the target was accepted/);
    await client.updateRoot(source);
    await expect(client.updateRoot(source)).rejects.toThrow(/runs only after nothing/);
    await expect(client.updateSnapshot(source)).rejects.toThrow(/runs only after timestamp/);
  });

  it('resolves the same target role by role as updateMetadata does in one call', async () => {
    const { fixture, client } = fixtureClient();
    const source = fixture.source();
    await client.updateRoot(source);
    await client.updateTimestamp(source);
    await client.updateSnapshot(source);
    await client.updateIndex(source);
    await client.updateDirective(source);
    const stepwise = client.resolveTarget();
    const whole = await new TrustClient({ family: FAMILY, bench, trusted: initialTrustedMetadata(fixture.rootV1), now: T0 }).updateMetadata(source);
    expect(stepwise.version).toBe('1.0.0');
    expect(stepwise.next).toEqual(whole.next);
    expect(stepwise.resolution).toBe(whole.resolution);
  });
});
