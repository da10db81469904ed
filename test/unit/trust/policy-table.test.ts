/**
 * The release policy as a table: channel x local pin x security floor x active release counter x
 * revoked x expired pin (x whether the active pack came from a local pin), each row through the one
 * resolver (verifyRelease: the trust client's steps 1-6 with trust/target-policy.ts). The expected outcome
 * of every row comes from the rules as docs/trust-packs.md states them, written out below as `expectedOutcome`.
 */
import { benchTrustProfile } from '../../../trust/bench-trust';
import { beforeAll, describe, expect, it } from 'vitest';
import { promote } from '../../../trust/repository';
import type { ChannelName } from '../../../trust/schemas';
import { verifyRelease } from '../../../trust/verify-release';
import { useTempDirs } from '../../helpers/temp-dir';
import { T0, createTrustFixture, makePack, type TrustFixture } from '../../helpers/trust-fixture';
import { initialTrustedMetadata } from '../../../trust/trust-client';
import { type ActiveRelease, type LocalPin } from '../../../trust/target-policy';

const FAMILY = 'policy-fam';
const counters: Record<string, number> = { '1.0.0': 1, '1.1.0': 2, '1.2.0': 3 };
/** Channel pointers of the repository: lts is oldest, canary newest. */
const channelVersion: Record<ChannelName, string> = { lts: '1.0.0', staged: '1.1.0', stable: '1.1.0', canary: '1.2.0' };

type PinSpec = { channel: ChannelName } | { version: string; rollbackToLkg?: boolean };
type PinCase = { name: string; pin: PinSpec | null };
const pins: PinCase[] = [
  { name: 'no pin', pin: null },
  { name: 'pin channel canary', pin: { channel: 'canary' } },
  { name: 'pin channel lts', pin: { channel: 'lts' } },
  { name: 'pin 1.0.0', pin: { version: '1.0.0' } },
  { name: 'pin 1.2.0', pin: { version: '1.2.0' } },
  { name: 'rollback to LKG 1.0.0', pin: { version: '1.0.0', rollbackToLkg: true } },
  { name: 'rollback to 1.1.0 (not the LKG)', pin: { version: '1.1.0', rollbackToLkg: true } },
];
const channels: ChannelName[] = ['stable', 'canary', 'lts'];
const floors = [0, 2];
/** With 1.0.0 revoked, the last-known-good itself is revoked: a rollback must be refused. */
const revokedSets = [[], ['1.0.0', '1.2.0']];
const actives: (string | null)[] = [null, '1.1.0', '1.2.0'];
/** Where the active pack came from: the signed policy, or a local pin that lifted it above policy (1.0.0). */
const origins = ['policy', 'pin'] as const;

interface Row {
  channel: ChannelName;
  pin: PinCase;
  floor: number;
  revoked: string[];
  active: string | null;
  origin: (typeof origins)[number];
  pinExpired: boolean;
}

type Outcome = { version: string; resolution: string } | { code: string };

/** The rules, in the order docs/trust-packs.md gives them. */
function expectedOutcome(row: Row): Outcome {
  const pin = row.pin.pin && !row.pinExpired ? row.pin.pin : null;
  let version: string;
  let resolution: string;
  if (pin && 'version' in pin) {
    version = pin.version;
    resolution = pin.rollbackToLkg ? 'local-rollback' : 'local-pin';
  } else if (pin) {
    version = channelVersion[pin.channel];
    resolution = 'local-pin';
  } else {
    version = channelVersion[row.channel];
    resolution = 'default-channel';
  }
  const counter = counters[version] as number;
  if (row.revoked.includes(version)) return { code: 'REVOKED' };
  if (counter < row.floor) return { code: 'BELOW_FLOOR' };
  const activeCounter = row.active ? (counters[row.active] as number) : null;
  if (resolution === 'local-rollback') {
    if (version !== '1.0.0') return { code: 'DOWNGRADE_REFUSED' };
  } else if (resolution === 'local-pin') {
    if (activeCounter !== null && counter < activeCounter) return { code: 'DOWNGRADE_REFUSED' };
  } else {
    const guard = row.origin === 'pin' && row.active ? 1 : activeCounter;
    if (guard !== null && counter < guard) return { code: 'DOWNGRADE_REFUSED' };
  }
  return { version, resolution };
}

describe('release policy table (verify-release with local pins)', () => {
  const tempDir = useTempDirs('all', 'injbench-policy-');
  const repos = new Map<string, TrustFixture>();
  const sha = new Map<string, string>();
  const key = (floor: number, revoked: string[]) => `${floor}/${revoked.join(',')}`;

  beforeAll(() => {
    for (const floor of floors) {
      for (const revoked of revokedSets) {
        const fixture = createTrustFixture(tempDir);
        for (const version of Object.keys(counters)) fixture.publish(makePack(FAMILY, version, counters[version] as number));
        for (const [channel, version] of Object.entries(channelVersion)) promote(fixture.context(), fixture.keys, { family: FAMILY, version, to: channel as ChannelName });
        fixture.resign(`index/${FAMILY}.json`, 'index', (index) => {
          index.security_floor = floor;
          index.revoked = revoked;
        }, [fixture.keys.index]);
        const versions = fixture.payload(`index/${FAMILY}.json`).versions as Record<string, { manifest: { sha256: string } }>;
        for (const [version, entry] of Object.entries(versions)) sha.set(`${key(floor, revoked)}:${version}`, entry.manifest.sha256);
        repos.set(key(floor, revoked), fixture);
      }
    }
  });

  const rows: Row[] = [];
  for (const channel of channels)
    for (const pin of pins)
      for (const floor of floors)
        for (const revoked of revokedSets)
          for (const active of actives)
            for (const origin of origins)
              for (const pinExpired of [false, true]) {
                if (origin === 'pin' && !active) continue;
                if (pinExpired && !pin.pin) continue;
                // The origin of the active pack only matters when a channel decides (no pin in force).
                if (origin === 'pin' && pin.pin && !pinExpired) continue;
                rows.push({ channel, pin, floor, revoked, active, origin, pinExpired });
              }

  it(`covers ${rows.length} combinations, each with the outcome the rules give`, async () => {
    expect(rows.length).toBeGreaterThan(400);
    const seen = new Set<string>();
    const failures: string[] = [];
    for (const row of rows) {
      const fixture = repos.get(key(row.floor, row.revoked)) as TrustFixture;
      const entryOf = (version: string): ActiveRelease => ({ version, release_counter: counters[version] as number, manifest_sha256: sha.get(`${key(row.floor, row.revoked)}:${version}`) as string });
      const trusted = initialTrustedMetadata(fixture.rootV1);
      if (row.active) trusted.active[FAMILY] = entryOf(row.active);
      const endsAt = new Date(T0.getTime() + (row.pinExpired ? -60_000 : 86_400_000)).toISOString();
      const expected = expectedOutcome(row);
      let actual: Outcome;
      try {
        const release = await verifyRelease({
          source: fixture.source(),
          family: FAMILY,
          bench: benchTrustProfile({ benchId: null, hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: row.channel, production: true }),
          trusted,
          now: T0,
          localPin: row.pin.pin ? ({ ...row.pin.pin, endsAt } as LocalPin) : null,
          policyActive: row.origin === 'pin' && row.active ? entryOf('1.0.0') : null,
          lastKnownGood: entryOf('1.0.0'),
        });
        actual = { version: release.version, resolution: release.resolution };
        if (release.localPinExpired !== (row.pinExpired && row.pin.pin !== null)) failures.push(`${JSON.stringify(row)}: localPinExpired ${release.localPinExpired}`);
      } catch (error) {
        actual = { code: (error as { code?: string }).code ?? String(error) };
      }
      seen.add('code' in expected ? expected.code : expected.resolution);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        failures.push(`${row.channel} | ${row.pin.name}${row.pinExpired ? ' (expired)' : ''} | floor ${row.floor} | revoked [${row.revoked}] | active ${row.active} (${row.origin}): expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
      }
    }
    expect(failures).toEqual([]);
    // The table exercises every outcome, so none of the rules is vacuous.
    expect([...seen].sort()).toEqual(['BELOW_FLOOR', 'DOWNGRADE_REFUSED', 'REVOKED', 'default-channel', 'local-pin', 'local-rollback']);
  }, 120_000);

  it('spells out the cases an admin meets most', async () => {
    const fixture = repos.get(key(2, ['1.0.0', '1.2.0'])) as TrustFixture;
    const base = { source: fixture.source(), family: FAMILY, bench: benchTrustProfile({ benchId: null, hardware: 'virtual-bench', appVersion: '1.0.0', defaultChannel: 'stable', production: true }), now: T0 };
    const endsAt = new Date(T0.getTime() + 86_400_000).toISOString();
    const lkg = { version: '1.0.0', release_counter: 1, manifest_sha256: sha.get(`${key(2, ['1.0.0', '1.2.0'])}:1.0.0`) as string };
    // A rollback to a last-known-good that has since been revoked is refused by name.
    await expect(verifyRelease({ ...base, trusted: initialTrustedMetadata(fixture.rootV1), localPin: { version: '1.0.0', rollbackToLkg: true, endsAt }, lastKnownGood: lkg })).rejects.toMatchObject({ code: 'REVOKED' });
    // And one below a raised floor (floor 2, nothing revoked).
    const floorOnly = repos.get(key(2, [])) as TrustFixture;
    await expect(
      verifyRelease({ ...base, source: floorOnly.source(), trusted: initialTrustedMetadata(floorOnly.rootV1), localPin: { version: '1.0.0', rollbackToLkg: true, endsAt }, lastKnownGood: { ...lkg, manifest_sha256: sha.get(`${key(2, [])}:1.0.0`) as string } }),
    ).rejects.toMatchObject({ code: 'BELOW_FLOOR' });
    // A pin below the security floor is refused by name.
    await expect(verifyRelease({ ...base, source: floorOnly.source(), trusted: initialTrustedMetadata(floorOnly.rootV1), localPin: { version: '1.0.0', endsAt } })).rejects.toMatchObject({ code: 'BELOW_FLOOR' });
    // A pin to a revoked version is refused by name.
    await expect(verifyRelease({ ...base, trusted: initialTrustedMetadata(fixture.rootV1), localPin: { version: '1.2.0', endsAt } })).rejects.toMatchObject({ code: 'REVOKED' });
    // A pin to a version the index does not list.
    await expect(verifyRelease({ ...base, trusted: initialTrustedMetadata(fixture.rootV1), localPin: { version: '9.9.9', endsAt } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // An expired pin is not applied: the bench is back on its channel.
    const release = await verifyRelease({ ...base, trusted: initialTrustedMetadata(fixture.rootV1), localPin: { channel: 'lts', endsAt: T0.toISOString() } });
    expect({ version: release.version, resolution: release.resolution, expired: release.localPinExpired }).toEqual({ version: '1.1.0', resolution: 'default-channel', expired: true });
  });
});
