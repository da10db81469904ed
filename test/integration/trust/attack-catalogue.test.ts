/**
 * docs/trust-packs.md, "Attack and fault catalogue": each case fails closed with its typed error and leaves the
 * bench's active pack, last-known-good, trusted state and pack store exactly as they were.
 */
import { copyFileSync, cpSync, existsSync, readFileSync, rmSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { appendCreditGrant } from '../../../cli/bench-context';
import { openBenchCore } from '../../../electron/services/bench-core';
import { issueCreditGrant } from '../../../trust/credit-grant';
import { generateKeyPair, sha256Hex } from '../../../trust/crypto';
import { developmentKeyPair } from '../../../trust/dev-keys';
import { encodeEnvelope, signDocument } from '../../../trust/envelope';
import { directorySource, type MetadataSource } from '../../../trust/source';
import { buildPack } from '../../../trust/pack';
import { pinBench, promote, rotateRoot, setFloor } from '../../../trust/repository';
import { limits, type RootDocument } from '../../../trust/schemas';
import { benchSnapshot, createTrustFixture, expectRefused, makePack, T0, type TrustFixture } from '../../helpers/trust-fixture';
import { useTempDirs } from '../../helpers/temp-dir';
import { cohortBucket } from '../../../trust/target-policy';

const FAMILY = 'fam-a';
const makeDir = useTempDirs();
let fixture: TrustFixture;

/** fam-a: 1.0.0 (counter 1) on stable, 1.1.0 (counter 2) on canary; fam-b: 1.0.0 on stable. */
function publishBaseline(target: TrustFixture): void {
  target.publish(makePack(FAMILY, '1.0.0', 1));
  promote(target.context(), target.keys, { family: FAMILY, version: '1.0.0', to: 'stable' });
  target.publish(makePack(FAMILY, '1.1.0', 2));
  target.publish(makePack('fam-b', '1.0.0', 1));
  promote(target.context(), target.keys, { family: 'fam-b', version: '1.0.0', to: 'stable' });
}

async function activeBench(profile = {}) {
  const manager = fixture.bench(profile);
  const result = await manager.update(fixture.source(), FAMILY);
  expect(result.version).toBe(profile && 'defaultChannel' in profile && profile.defaultChannel === 'canary' ? '1.1.0' : '1.0.0');
  manager.markSessionCompleted(FAMILY);
  return manager;
}

function indexFile(family = FAMILY): string {
  return `index/${family}.json`;
}

beforeEach(() => {
  fixture = createTrustFixture(makeDir);
  publishBaseline(fixture);
});

describe('baseline', () => {
  it('activates the stable release and re-verifies it before a session', async () => {
    const manager = fixture.bench();
    const result = await manager.update(fixture.source(), FAMILY);
    expect(result).toMatchObject({ family: FAMILY, version: '1.0.0', changed: true });
    const preflight = await manager.preflight(FAMILY);
    expect(preflight).toMatchObject({ version: '1.0.0', sha256: result.sha256, fellBackToLkg: false });
    expect(preflight.manifest.synthetic).toBe(true);
  });

  it('refuses a session when nothing is active', async () => {
    await expect(fixture.bench().preflight(FAMILY)).rejects.toMatchObject({ code: 'NOT_ACTIVE' });
  });
});

describe('signatures and keys', () => {
  it('refuses an index signed by an unknown key', async () => {
    const manager = await activeBench();
    fixture.resign(indexFile(), 'index', (index) => ((index.sequence as number) += 1), [generateKeyPair()]);
    await expectRefused(fixture, manager, FAMILY, 'BAD_SIGNATURE');
  });

  it('refuses an index with no signature', async () => {
    const manager = await activeBench();
    fixture.resign(indexFile(), 'index', (index) => ((index.sequence as number) += 1), []);
    await expectRefused(fixture, manager, FAMILY, 'BAD_SIGNATURE');
  });

  it('refuses a valid signature made by another role key (timestamp key signing an index)', async () => {
    const manager = await activeBench();
    fixture.resign(indexFile(), 'index', (index) => ((index.sequence as number) += 1), [fixture.keys.timestamp]);
    await expectRefused(fixture, manager, FAMILY, 'BAD_SIGNATURE');
  });

  it('refuses a signature made for another document role, even by the right key', async () => {
    const manager = await activeBench();
    const index = fixture.payload(indexFile());
    index.sequence = (index.sequence as number) + 1;
    // The index key signs a snapshot-role message over the same bytes: the role prefix differs.
    const forged = JSON.parse(Buffer.from(signDocument('snapshot', index, [fixture.keys.index])).toString()) as object;
    writeFileSync(path.join(fixture.repo, indexFile()), JSON.stringify(forged));
    fixture.refresh();
    await expectRefused(fixture, manager, FAMILY, 'BAD_SIGNATURE');
  });

  it('accepts one good and one garbage signature at threshold 1', async () => {
    const manager = await activeBench();
    const file = path.join(fixture.repo, indexFile());
    fixture.resign(indexFile(), 'index', (index) => ((index.sequence as number) += 1), [fixture.keys.index], { refresh: false });
    const envelope = JSON.parse(readFileSync(file, 'utf8')) as { signed: string; signatures: { keyid: string; sig: string }[] };
    envelope.signatures.unshift({ keyid: fixture.keys.index.keyid, sig: 'zz'.repeat(10) }, { keyid: 'not-a-key', sig: '00'.repeat(64) });
    writeFileSync(file, JSON.stringify(envelope));
    fixture.refresh();
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0', changed: false });
  });

  describe('with an index threshold of 2 (root v2)', () => {
    let second: ReturnType<typeof generateKeyPair>;
    beforeEach(() => {
      second = generateKeyPair();
      fixture.writeRoot((root) => {
        root.keys[second.keyid] = { scheme: 'ed25519', public: Buffer.from(second.publicKey).toString('hex') };
        root.roles.index = { keyids: [fixture.keys.index.keyid, second.keyid], threshold: 2 };
      }, [fixture.keys.root]);
      fixture.resign(indexFile(), 'index', (index) => ((index.sequence as number) += 1), [fixture.keys.index, second], { refresh: false });
      fixture.resign(indexFile('fam-b'), 'index', (index) => ((index.sequence as number) += 1), [fixture.keys.index, second], { refresh: false });
      fixture.resign('snapshot.json', 'snapshot', (snapshot) => ((snapshot.version as number) += 0), [fixture.keys.index], { refresh: false });
      refreshWithSigners([fixture.keys.index, second]);
    });

    function refreshWithSigners(signers: ReturnType<typeof generateKeyPair>[]): void {
      // Rebuild the snapshot over the current indexes, signed by `signers`, and a timestamp over it.
      const snapshot = fixture.payload('snapshot.json');
      const indexes: Record<string, unknown> = {};
      for (const family of [FAMILY, 'fam-b']) {
        const bytes = readFileSync(path.join(fixture.repo, indexFile(family)));
        indexes[family] = { sequence: (fixture.payload(indexFile(family)).sequence as number), sha256: sha256Hex(bytes), length: bytes.length };
      }
      snapshot.indexes = indexes;
      snapshot.version = (snapshot.version as number) + 1;
      const snapshotBytes = signDocument('snapshot', snapshot, signers);
      writeFileSync(path.join(fixture.repo, 'snapshot.json'), snapshotBytes);
      fixture.resign('timestamp.json', 'timestamp', (timestamp) => {
        timestamp.version = (timestamp.version as number) + 1;
        timestamp.snapshot = { version: snapshot.version, sha256: sha256Hex(snapshotBytes), length: snapshotBytes.length };
      }, [fixture.keys.timestamp], { refresh: false });
    }

    it('accepts two distinct index keys', async () => {
      await expect(fixture.bench().update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
    });

    it('refuses one signature where two are required', async () => {
      const manager = await activeBench();
      fixture.resign(indexFile(), 'index', (index) => ((index.sequence as number) += 1), [fixture.keys.index], { refresh: false });
      refreshWithSigners([fixture.keys.index, second]);
      await expectRefused(fixture, manager, FAMILY, 'THRESHOLD_NOT_MET');
    });

    it('counts duplicate signatures by one key once', async () => {
      const manager = await activeBench();
      fixture.resign(indexFile(), 'index', (index) => ((index.sequence as number) += 1), [fixture.keys.index, fixture.keys.index], { refresh: false });
      refreshWithSigners([fixture.keys.index, second]);
      await expectRefused(fixture, manager, FAMILY, 'THRESHOLD_NOT_MET');
    });
  });

  it('refuses a root that lists a key twice in a role (one secret must not read as two votes)', async () => {
    fixture.writeRoot((root) => {
      root.roles.index = { keyids: [fixture.keys.index.keyid, fixture.keys.index.keyid], threshold: 2 };
    }, [fixture.keys.root]);
    await expectRefused(fixture, fixture.bench(), FAMILY, 'MALFORMED');
  });

  it('refuses a root rotation not signed by the old root keys', async () => {
    const manager = await activeBench();
    const newRoot = generateKeyPair();
    fixture.writeRoot((root) => swapRootKey(root, newRoot), [newRoot]);
    await expectRefused(fixture, manager, FAMILY, 'BAD_SIGNATURE');
  });

  it('refuses a root rotation not signed by the new root keys', async () => {
    const manager = await activeBench();
    const newRoot = generateKeyPair();
    fixture.writeRoot((root) => swapRootKey(root, newRoot), [fixture.keys.root]);
    await expectRefused(fixture, manager, FAMILY, 'BAD_SIGNATURE');
  });

  it('accepts a root rotation signed by the old and the new keys', async () => {
    const manager = await activeBench();
    const newRoot = generateKeyPair();
    fixture.writeRoot((root) => swapRootKey(root, newRoot), [fixture.keys.root, newRoot]);
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
    expect(manager.readState().trusted.rootBase64).toBe(readFileSync(path.join(fixture.repo, 'root', '2.root.json')).toString('base64'));
  });

  it('refuses a root version gap', async () => {
    const manager = await activeBench();
    fixture.writeRoot((root) => void (root.version = 3), [fixture.keys.root]);
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });

  it('refuses a repeated root version', async () => {
    const manager = await activeBench();
    fixture.writeRoot((root) => void (root.version = 1), [fixture.keys.root]);
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
  });

  it('refuses more than 32 rotations in one update', async () => {
    const manager = await activeBench();
    for (let i = 0; i < 33; i += 1) fixture.writeRoot(() => undefined, [fixture.keys.root]);
    await expectRefused(fixture, manager, FAMILY, 'OVERSIZE');
  });

  it('refuses a development root in a production build', async () => {
    const dev = createTrustFixture(makeDir, { environment: 'development' });
    publishBaseline(dev);
    await expectRefused(dev, dev.bench({ production: true }), FAMILY, 'DEV_KEY_IN_PROD');
    await expect(dev.bench({ production: false }).update(dev.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
  });

  it('refuses a production root that lists a development key', async () => {
    const manager = await activeBench();
    const devIndex = developmentKeyPair('index');
    fixture.writeRoot((root) => {
      root.keys[devIndex.keyid] = { scheme: 'ed25519', public: Buffer.from(devIndex.publicKey).toString('hex') };
      root.roles.index = { keyids: [devIndex.keyid], threshold: 1 };
    }, [fixture.keys.root]);
    await expectRefused(fixture, manager, FAMILY, 'DEV_KEY_IN_PROD');
  });
});

function swapRootKey(root: RootDocument, key: ReturnType<typeof generateKeyPair>): void {
  root.keys[key.keyid] = { scheme: 'ed25519', public: Buffer.from(key.publicKey).toString('hex') };
  root.roles.root = { keyids: [key.keyid], threshold: 1 };
}

describe('rollback, freeze, fast-forward', () => {
  it('refuses an older snapshot and index after a newer one was seen, also once the local copy expired', async () => {
    const old = makeDir();
    cpSync(fixture.repo, old, { recursive: true });
    fixture.publish(makePack(FAMILY, '1.2.0', 3));
    const manager = await activeBench();
    // Serve the old repository later, when the copy the bench holds has expired too.
    fixture.clock.now = new Date(T0.getTime() + 100 * 86_400_000);
    const replay = { ...fixture, repo: old, source: () => directorySource(old) } as TrustFixture;
    await expectRefused(replay, manager, FAMILY, 'ROLLBACK');
  });

  it('refuses a snapshot that rewinds one index while its own version moves on', async () => {
    const manager = await activeBench();
    const oldIndex = readFileSync(path.join(fixture.repo, indexFile()));
    fixture.publish(makePack(FAMILY, '1.2.0', 3));
    await manager.update(fixture.source(), FAMILY);
    writeFileSync(path.join(fixture.repo, indexFile()), oldIndex);
    fixture.refresh();
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
  });

  it('keeps the old index when the same sequence arrives with different content', async () => {
    const manager = await activeBench();
    fixture.resign(indexFile(), 'index', (index) => void (index.x_note = 'same sequence, other bytes'), [fixture.keys.index]);
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
  });

  it('refuses an expired root', async () => {
    const manager = await activeBench();
    fixture.clock.now = new Date(T0.getTime() + 400 * 86_400_000);
    await expectRefused(fixture, manager, FAMILY, 'EXPIRED');
  });

  it('refuses an expired timestamp', async () => {
    const manager = await activeBench();
    fixture.clock.now = new Date(T0.getTime() + 8 * 86_400_000);
    await expectRefused(fixture, manager, FAMILY, 'EXPIRED');
  });

  it('refuses an expired snapshot behind a fresh timestamp', async () => {
    const manager = await activeBench();
    fixture.clock.now = new Date(T0.getTime() + 31 * 86_400_000);
    fixture.resign('timestamp.json', 'timestamp', (timestamp) => {
      timestamp.version = (timestamp.version as number) + 1;
      timestamp.expires = new Date(T0.getTime() + 35 * 86_400_000).toISOString();
    }, [fixture.keys.timestamp], { refresh: false });
    await expectRefused(fixture, manager, FAMILY, 'EXPIRED');
  });

  it('refuses an expired index behind a fresh snapshot', async () => {
    const manager = await activeBench();
    fixture.clock.now = new Date(T0.getTime() + 91 * 86_400_000);
    fixture.refresh(fixture.clock.now);
    await expectRefused(fixture, manager, FAMILY, 'EXPIRED');
  });

  it('refuses a clock set backwards', async () => {
    const manager = await activeBench();
    fixture.clock.now = new Date(T0.getTime() - 60_000);
    await expectRefused(fixture, manager, FAMILY, 'CLOCK_ROLLBACK');
    await expect(manager.preflight(FAMILY)).rejects.toMatchObject({ code: 'CLOCK_ROLLBACK' });
  });

  it('refuses a pin below the security floor', async () => {
    fixture.publish(makePack(FAMILY, '1.2.0', 3));
    promote(fixture.context(), fixture.keys, { family: FAMILY, version: '1.2.0', to: 'stable' });
    setFloor(fixture.context(), fixture.keys, { family: FAMILY, releaseCounter: 2 });
    const manager = fixture.bench();
    await manager.update(fixture.source(), FAMILY);
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { version: '1.0.0' } });
    await expectRefused(fixture, manager, FAMILY, 'BELOW_FLOOR');
  });

  it('refuses a channel switch that would downgrade silently, and allows a pin naming the exact hash', async () => {
    const manager = await activeBench({ defaultChannel: 'canary' });
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'stable' } });
    await expectRefused(fixture, manager, FAMILY, 'DOWNGRADE_REFUSED');
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { version: '1.0.0' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0', changed: true });
  });

  it('recovers from a fast-forwarded index only through key rotation', async () => {
    const manager = await activeBench();
    const honest = makeDir();
    cpSync(fixture.repo, honest, { recursive: true });
    // A stolen index key signs sequence 1000; the bench accepts it (the signature is valid).
    fixture.resign(indexFile(), 'index', (index) => void (index.sequence = 1000), [fixture.keys.index]);
    await manager.update(fixture.source(), FAMILY);
    // The honest repository (sequence 4) is now a rollback.
    rmSync(fixture.repo, { recursive: true });
    cpSync(honest, fixture.repo, { recursive: true });
    fixture.publish(makePack(FAMILY, '1.2.0', 3));
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
    // Rotating the index key (root v2) forgets what the old key signed.
    const newIndexKey = { ...generateKeyPair(), development: false };
    rotateRoot(fixture.context(), fixture.keys.root, { index: newIndexKey });
    fixture.keys.index = newIndexKey;
    fixture.resign(indexFile(), 'index', (index) => ((index.sequence as number) += 1), [newIndexKey], { refresh: false });
    fixture.resign(indexFile('fam-b'), 'index', (index) => ((index.sequence as number) += 1), [newIndexKey]);
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
  });
});

describe('director key compromise', () => {
  it("recovers from a stolen director key's seq 999999 directive only by rotating the director's keys", async () => {
    const manager = await activeBench();
    // A stolen director key signs seq 999999 pinning the canary; the bench accepts it (the signature is valid).
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'stable' } });
    fixture.resign('directives/bench-0000000000000001.json', 'directive', (directive) => {
      directive.seq = 999_999;
      directive.assignments = { [FAMILY]: { channel: 'canary' } };
    }, [fixture.keys.director], { refresh: false });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    expect(manager.readState().trusted.directive?.seq).toBe(999_999);

    // The honest director's next directive (seq 1 of a new chain) is a rollback while the keys are unchanged.
    const stolen = readFileSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'));
    rmSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'));
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'stable' } });
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');

    // Rotating only the root key changes nothing for the directive.
    const newRootKey = { ...generateKeyPair(), development: false };
    rotateRoot(fixture.context(), fixture.keys.root, { root: newRootKey });
    fixture.keys.root = newRootKey;
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');

    // rotate-root --roles director: the directives the old key signed are retired, benches forget the trusted one.
    const newDirectorKey = { ...generateKeyPair(), development: false };
    rotateRoot(fixture.context(), fixture.keys.root, { director: newDirectorKey });
    expect(existsSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'))).toBe(false);
    // The stolen directive, served again after the rotation, no longer verifies.
    writeFileSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'), stolen);
    await expectRefused(fixture, manager, FAMILY, 'BAD_SIGNATURE');
    rmSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'));
    const fresh = pinBench(fixture.context(), { director: newDirectorKey }, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    expect(fresh).toMatchObject({ seq: 1, previous_sha256: null });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    expect(manager.readState().trusted.directive?.seq).toBe(1);
    await expect(manager.preflight(FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
  });

  it('after a director key rotation, a bench whose directive is no longer served is un-pinned, not frozen', async () => {
    const manager = fixture.bench({ defaultChannel: 'canary' });
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { version: '1.1.0' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0', resolution: 'directive-pin' });
    rotateRoot(fixture.context(), fixture.keys.root, { director: generateKeyPair() });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    const state = manager.readState();
    expect(state.trusted.directive).toBeNull();
    expect(state.stored.directive).toBeNull();
  });
});

describe('mix-and-match and wrong target', () => {
  it('refuses an index that does not match the snapshot', async () => {
    const manager = await activeBench();
    fixture.resign(indexFile(), 'index', (index) => ((index.sequence as number) += 1), [fixture.keys.index], { refresh: false });
    await expectRefused(fixture, manager, FAMILY, 'HASH_MISMATCH');
  });

  it('refuses the index of family B served as family A', async () => {
    const manager = await activeBench();
    fixture.resign(indexFile('fam-b'), 'index', (index) => void (index.sequence = 50), [fixture.keys.index]);
    copyFileSync(path.join(fixture.repo, indexFile('fam-b')), path.join(fixture.repo, indexFile()));
    // fam-b's index is shorter than the snapshot's signed length for fam-a.
    await expectRefused(fixture, manager, FAMILY, 'LENGTH_MISMATCH');
    // Even a snapshot signed over the swap is refused: the index names its own family.
    fixture.resign('snapshot.json', 'snapshot', (snapshot) => {
      const indexes = snapshot.indexes as Record<string, unknown>;
      indexes[FAMILY] = indexes['fam-b'];
      snapshot.version = (snapshot.version as number) + 1;
    }, [fixture.keys.index], { refresh: false });
    const snapshotBytes = readFileSync(path.join(fixture.repo, 'snapshot.json'));
    fixture.resign('timestamp.json', 'timestamp', (timestamp) => {
      timestamp.version = (timestamp.version as number) + 1;
      timestamp.snapshot = { version: fixture.payload('snapshot.json').version, sha256: sha256Hex(snapshotBytes), length: snapshotBytes.length };
    }, [fixture.keys.timestamp], { refresh: false });
    await expectRefused(fixture, manager, FAMILY, 'WRONG_TARGET');
  });

  it('refuses a canary pack served to a stable bench', async () => {
    const manager = fixture.bench();
    copyFileSync(path.join(fixture.repo, 'packs', FAMILY, '1.1.0.injpack'), path.join(fixture.repo, 'packs', FAMILY, '1.0.0.injpack'));
    await expectRefused(fixture, manager, FAMILY, 'HASH_MISMATCH');
  });

  it('refuses a trusted directive being withdrawn (silently un-pinning the bench)', async () => {
    const manager = fixture.bench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    rmSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'));
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
  });

  it('refuses an older directive after a newer one', async () => {
    const manager = fixture.bench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'stable' } });
    const first = readFileSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'));
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    writeFileSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'), first);
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
  });

  it('refuses a directive that skips seqs after the trusted one (seq 3 with previous_sha256 null after seq 1)', async () => {
    const manager = fixture.bench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'stable' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
    expect(manager.readState().trusted.directive?.seq).toBe(1);
    fixture.resign('directives/bench-0000000000000001.json', 'directive', (directive) => {
      directive.seq = 3;
      directive.previous_sha256 = null;
      directive.assignments = { [FAMILY]: { channel: 'canary' } };
    }, [fixture.keys.director], { refresh: false });
    await expectRefused(fixture, manager, FAMILY, 'DIRECTIVE_CHAIN_GAP');
  });

  it('refuses a directive whose chain runs through a seq the bench never saw, and one at seq + 1 that does not chain', async () => {
    const manager = fixture.bench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'stable' } });
    await manager.update(fixture.source(), FAMILY);
    const trustedSeq1 = readFileSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'));
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    // Seq 3 chains correctly to seq 2, but the bench trusts seq 1 and is never served seq 2.
    await expectRefused(fixture, manager, FAMILY, 'DIRECTIVE_CHAIN_GAP');
    writeFileSync(path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'), trustedSeq1);
    fixture.resign('directives/bench-0000000000000001.json', 'directive', (directive) => {
      directive.seq = 2;
      directive.previous_sha256 = null;
    }, [fixture.keys.director], { refresh: false });
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });

  it('refuses a directive made for another bench (replay)', async () => {
    const manager = await activeBench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000002', family: FAMILY, assignment: { channel: 'canary' } });
    copyFileSync(path.join(fixture.repo, 'directives', 'bench-0000000000000002.json'), path.join(fixture.repo, 'directives', 'bench-0000000000000001.json'));
    await expectRefused(fixture, manager, FAMILY, 'WRONG_TARGET');
  });

  it('refuses a pack for other hardware or a newer app', async () => {
    fixture.publish(makePack(FAMILY, '1.2.0', 3, { hardware: ['other-bench'] }));
    const manager = await activeBench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { version: '1.2.0' } });
    await expectRefused(fixture, manager, FAMILY, 'INCOMPATIBLE');
    fixture.publish(makePack(FAMILY, '1.3.0', 4, { minApp: '9.0.0' }));
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { version: '1.3.0' } });
    await expectRefused(fixture, manager, FAMILY, 'INCOMPATIBLE');
  });

  it('refuses a combination never published together (old snapshot, new index)', async () => {
    const manager = fixture.bench();
    const oldSnapshot = readFileSync(path.join(fixture.repo, 'snapshot.json'));
    const oldTimestamp = readFileSync(path.join(fixture.repo, 'timestamp.json'));
    fixture.publish(makePack(FAMILY, '1.2.0', 3));
    writeFileSync(path.join(fixture.repo, 'snapshot.json'), oldSnapshot);
    writeFileSync(path.join(fixture.repo, 'timestamp.json'), oldTimestamp);
    // The newer index is longer than the old snapshot signs: the read stops at the signed length.
    await expectRefused(fixture, manager, FAMILY, 'LENGTH_MISMATCH');
    // Same length, other content: the hash gives it away.
    const currentIndex = readFileSync(path.join(fixture.repo, indexFile()));
    const listedLength = (fixture.payload('snapshot.json').indexes as Record<string, { length: number }>)[FAMILY]?.length ?? 0;
    writeFileSync(path.join(fixture.repo, indexFile()), currentIndex.subarray(0, listedLength));
    await expectRefused(fixture, manager, FAMILY, 'HASH_MISMATCH');
  });

  it('refuses a revoked version', async () => {
    const manager = await activeBench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { version: '1.1.0' } });
    fixture.resign(indexFile(), 'index', (index) => {
      index.sequence = (index.sequence as number) + 1;
      index.revoked = ['1.1.0'];
    }, [fixture.keys.index]);
    await expectRefused(fixture, manager, FAMILY, 'REVOKED');
  });
});

describe('artifacts', () => {
  it('refuses a pack file replaced after signing', async () => {
    const file = path.join(fixture.repo, 'packs', FAMILY, '1.0.0.injpack');
    const replaced = makePack(FAMILY, '1.0.0', 1, { note: 'evil' }).bytes;
    expect(replaced.length).toBe(readFileSync(file).length);
    writeFileSync(file, replaced);
    await expectRefused(fixture, fixture.bench(), FAMILY, 'HASH_MISMATCH');
  });

  it('refuses a pack whose inner file was tampered with', async () => {
    const file = path.join(fixture.repo, 'packs', FAMILY, '1.0.0.injpack');
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(file, bytes);
    await expectRefused(fixture, fixture.bench(), FAMILY, 'HASH_MISMATCH');
  });

  it('refuses a pack file entry with an unknown hash algorithm', async () => {
    const pack = makePack(FAMILY, '1.2.0', 3);
    const manifest = { ...pack.manifest, files: pack.manifest.files.map((file) => ({ ...file, hashes: { sha3_256: file.hashes.sha256 } })) };
    fixture.publish(rebuildWithManifest(pack, manifest));
    const manager = await activeBench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { version: '1.2.0' } });
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });

  it('refuses a pack file name that traverses out of the pack', () => {
    expect(() => buildPack(makePack(FAMILY, '1.2.0', 3).manifest, [{ path: '../evil', bytes: Buffer.from('x') }])).toThrow(/path|expected a relative/);
  });

  it('refuses traversal in a signed manifest', async () => {
    const pack = makePack(FAMILY, '1.2.0', 3);
    const manifest = { ...pack.manifest, files: pack.manifest.files.map((file, i) => (i === 0 ? { ...file, path: '../../etc/passwd' } : file)) };
    const forged = rebuildWithManifest(pack, manifest);
    // The release tool refuses to publish it; an attacker holding the index key signs it anyway.
    const packFile = path.join(fixture.repo, 'forged.injpack');
    writeFileSync(packFile, forged.bytes);
    expect(() => fixture.publish(forged)).toThrow(/relative path/);
    copyFileSync(packFile, path.join(fixture.repo, 'packs', FAMILY, '1.2.0.injpack'));
    fixture.resign(indexFile(), 'index', (index) => {
      index.sequence = (index.sequence as number) + 1;
      (index.versions as Record<string, unknown>)['1.2.0'] = {
        manifest: { sha256: sha256Hex(forged.manifestBytes), length: forged.manifestBytes.length },
        pack_length: forged.bytes.length,
        release_counter: 3,
        built_dirty: false,
      };
    }, [fixture.keys.index]);
    const manager = await activeBench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { version: '1.2.0' } });
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });

  it('aborts oversized metadata at the cap', async () => {
    const manager = await activeBench();
    appendFileSync(path.join(fixture.repo, 'timestamp.json'), Buffer.alloc(17 * 1024, 0x20));
    await expectRefused(fixture, manager, FAMILY, 'OVERSIZE');
  });

  /** The source with every read and download it was asked for: what the bench asked for, and how much of it. */
  function recorded(source: MetadataSource): { source: MetadataSource; asked: { name: string; maxBytes: number }[] } {
    const asked: { name: string; maxBytes: number }[] = [];
    return {
      asked,
      source: {
        describe: () => source.describe(),
        read: (name, maxBytes) => (asked.push({ name, maxBytes }), source.read(name, maxBytes)),
        download: (name, maxBytes, destination) => (asked.push({ name, maxBytes }), source.download(name, maxBytes, destination)),
      },
    };
  }

  it('refuses a timestamp declaring a 2^40-byte snapshot before reading it, though the mirror holds 128 MiB (OVERSIZE)', async () => {
    const manager = await activeBench();
    truncateSync(path.join(fixture.repo, 'snapshot.json'), 128 * 1024 * 1024);
    fixture.resign('timestamp.json', 'timestamp', (timestamp) => {
      timestamp.version = (timestamp.version as number) + 1;
      (timestamp.snapshot as { length: number }).length = 2 ** 40;
    }, [fixture.keys.timestamp], { refresh: false });
    const before = benchSnapshot(fixture.dataDir);
    const { source, asked } = recorded(fixture.source());
    await expect(manager.update(source, FAMILY)).rejects.toMatchObject({ name: 'TrustError', code: 'OVERSIZE' });
    expect(asked.map((call) => call.name)).not.toContain('snapshot.json');
    expect(benchSnapshot(fixture.dataDir)).toEqual(before);
  });

  it('asks for a snapshot longer than the timestamp declares only up to the declared length (LENGTH_MISMATCH)', async () => {
    const manager = await activeBench();
    const declared = readFileSync(path.join(fixture.repo, 'snapshot.json')).length;
    truncateSync(path.join(fixture.repo, 'snapshot.json'), 128 * 1024 * 1024);
    const before = benchSnapshot(fixture.dataDir);
    const { source, asked } = recorded(fixture.source());
    await expect(manager.update(source, FAMILY)).rejects.toMatchObject({ name: 'TrustError', code: 'LENGTH_MISMATCH' });
    expect(asked.find((call) => call.name === 'snapshot.json')?.maxBytes).toBe(declared);
    expect(benchSnapshot(fixture.dataDir)).toEqual(before);
  });

  it('refuses an index declaring a pack over the 1 GiB cap without downloading it (OVERSIZE)', async () => {
    const manager = await activeBench();
    fixture.resign(indexFile(), 'index', (index) => {
      index.sequence = (index.sequence as number) + 1;
      const versions = index.versions as Record<string, { pack_length: number }>;
      versions['1.1.0'] = { ...versions['1.1.0'], pack_length: limits.packBytes + 1 };
    }, [fixture.keys.index]);
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    const before = benchSnapshot(fixture.dataDir);
    const { source, asked } = recorded(fixture.source());
    await expect(manager.update(source, FAMILY)).rejects.toMatchObject({ name: 'TrustError', code: 'OVERSIZE' });
    expect(asked.map((call) => call.name)).not.toContain(`packs/${FAMILY}/1.1.0.injpack`);
    expect(benchSnapshot(fixture.dataDir)).toEqual(before);
  });

  it('stops reading an index longer than the snapshot says at the signed length', async () => {
    const manager = await activeBench();
    appendFileSync(path.join(fixture.repo, indexFile()), ' ');
    await expectRefused(fixture, manager, FAMILY, 'LENGTH_MISMATCH');
  });

  it('stops downloading a pack longer than its signed length at that length', async () => {
    const manager = await activeBench();
    appendFileSync(path.join(fixture.repo, 'packs', FAMILY, '1.1.0.injpack'), Buffer.alloc(10));
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    await expectRefused(fixture, manager, FAMILY, 'LENGTH_MISMATCH');
  });

  it('accepts unknown fields, covered by the signature', async () => {
    const manager = await activeBench();
    fixture.resign(indexFile(), 'index', (index) => {
      index.sequence = (index.sequence as number) + 1;
      index.x_vendor_extension = { anything: true };
    }, [fixture.keys.index]);
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
  });
});

describe('strict JSON in signed documents', () => {
  const directiveFile = () => path.join(fixture.repo, 'directives', 'bench-0000000000000001.json');

  /** Serves a directive for bench-0000000000000001 whose payload bytes are `edit`ed from valid JSON, correctly signed by the director. */
  function serveEditedDirective(edit: (json: string) => Buffer | string): void {
    // The bench trusts no directive yet; each case starts from a fresh valid one (authoring refuses the damaged one).
    rmSync(directiveFile(), { force: true });
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'stable' } });
    const json = JSON.stringify(fixture.payload('directives/bench-0000000000000001.json'));
    const edited = Buffer.from(edit(json));
    expect(edited.equals(Buffer.from(json))).toBe(false);
    writeFileSync(directiveFile(), encodeEnvelope('directive', edited, [fixture.keys.director]));
  }

  it('refuses a correctly signed directive with a duplicate member (JSON.parse would silently take the last)', async () => {
    const manager = await activeBench();
    serveEditedDirective((json) => json.replace(/"assignments":\{[^}]*\}\}/, (stable) => `${stable},"assignments":{"fam-a":{"channel":"canary"}}`));
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });

  it('refuses a lone surrogate in a signed string, a number out of range and invalid UTF-8', async () => {
    const manager = await activeBench();
    serveEditedDirective((json) => json.replace('"reason":"', '"reason":"\\ud800'));
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
    serveEditedDirective((json) => json.replace(/"offline_grace_hours":\d+/, '"offline_grace_hours":1e400'));
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
    serveEditedDirective((json) => {
      const [before, after] = json.split('"reason":"');
      return Buffer.concat([Buffer.from(`${before}"reason":"`), Buffer.from([0xff]), Buffer.from(after ?? '')]);
    });
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });

  it('refuses an envelope with a duplicate member (an empty signature list first, the real one last)', async () => {
    const manager = await activeBench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    const text = readFileSync(directiveFile(), 'utf8');
    const doubled = text.replace('{"signed":', '{"signatures":[],"signed":');
    expect(doubled).not.toBe(text);
    writeFileSync(directiveFile(), doubled);
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });
});

function rebuildWithManifest(pack: ReturnType<typeof makePack>, manifest: object) {
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 1));
  const header = Buffer.alloc(12);
  header.write('INJPACK1', 0, 'ascii');
  header.writeUInt32BE(manifestBytes.length, 8);
  const body = pack.bytes.subarray(12 + pack.manifestBytes.length);
  return { ...pack, manifest: manifest as typeof pack.manifest, manifestBytes, bytes: Buffer.concat([header, manifestBytes, body]) };
}

describe('faults', () => {
  it('refuses a missing pack (404) and a missing timestamp', async () => {
    const manager = await activeBench();
    rmSync(path.join(fixture.repo, 'packs', FAMILY, '1.1.0.injpack'));
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    await expectRefused(fixture, manager, FAMILY, 'NOT_FOUND');
    rmSync(path.join(fixture.repo, 'timestamp.json'));
    await expectRefused(fixture, manager, FAMILY, 'NOT_FOUND');
  });

  it('refuses a partial download', async () => {
    const manager = await activeBench();
    const file = path.join(fixture.repo, 'packs', FAMILY, '1.1.0.injpack');
    truncateSync(file, readFileSync(file).length - 100);
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    await expectRefused(fixture, manager, FAMILY, 'LENGTH_MISMATCH');
  });

  it('catches the active pack changed on disk after verification, at session start', async () => {
    const manager = fixture.bench();
    const { sha256 } = await manager.update(fixture.source(), FAMILY);
    const file = manager.packPath(FAMILY, sha256);
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 5) ^ 1, bytes.length - 5);
    writeFileSync(file, bytes);
    const before = benchSnapshot(fixture.dataDir);
    await expect(manager.preflight(FAMILY)).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
    expect(benchSnapshot(fixture.dataDir)).toEqual(before);
    const evidence = readFileSync(path.join(fixture.dataDir, 'packs', 'evidence.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(evidence.at(-1) ?? '{}')).toMatchObject({ event: 'preflight-refused', family: FAMILY, code: 'HASH_MISMATCH' });
  });

  it('falls back to the last-known-good pack only when it re-verifies', async () => {
    const manager = await activeBench();
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'canary' } });
    const canary = await manager.update(fixture.source(), FAMILY);
    expect(canary.version).toBe('1.1.0');
    const damage = (sha: string) => {
      const file = manager.packPath(FAMILY, sha);
      const bytes = readFileSync(file);
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
      writeFileSync(file, bytes);
    };
    damage(canary.sha256);
    const result = await manager.preflight(FAMILY, { fallbackToLkg: true });
    expect(result).toMatchObject({ version: '1.0.0', fellBackToLkg: true });
    expect(manager.readState().trusted.active[FAMILY]?.version).toBe('1.0.0');

    // Now damage the LKG too: nothing re-verifies, nothing is unlocked, nothing changes.
    const lkgSha = manager.readState().lkg[FAMILY]?.manifest_sha256 as string;
    damage(lkgSha);
    const before = benchSnapshot(fixture.dataDir);
    await expect(manager.preflight(FAMILY, { fallbackToLkg: true })).rejects.toMatchObject({ code: 'HASH_MISMATCH' });
    expect(benchSnapshot(fixture.dataDir)).toEqual(before);
  });

  it('refuses a corrupted state file instead of trusting it', async () => {
    const manager = await activeBench();
    writeFileSync(path.join(fixture.dataDir, 'packs', 'state.json'), '{"schema":1,');
    await expect(manager.preflight(FAMILY)).rejects.toMatchObject({ code: 'MALFORMED' });
  });

  it('honours an offline grace period only when a directive grants it', async () => {
    const manager = await activeBench();
    fixture.clock.now = new Date(T0.getTime() + 91 * 86_400_000);
    await expect(manager.preflight(FAMILY)).rejects.toMatchObject({ code: 'EXPIRED' });

    const graced = createTrustFixture(makeDir);
    publishBaseline(graced);
    // The directive is issued (and the timestamp refreshed) on day 80, so it is still in force on day 91:
    // only a directive that has not expired grants grace (next test).
    graced.clock.now = new Date(T0.getTime() + 80 * 86_400_000);
    graced.refresh();
    pinBench(graced.context(), graced.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'stable' }, offlineGraceHours: 72 });
    const offline = graced.bench();
    await offline.update(graced.source(), FAMILY);
    graced.clock.now = new Date(T0.getTime() + 91 * 86_400_000);
    await expect(offline.preflight(FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
    graced.clock.now = new Date(T0.getTime() + 94 * 86_400_000);
    await expect(offline.preflight(FAMILY)).rejects.toMatchObject({ code: 'EXPIRED' });
  });
});

describe('the shipped bench trust configuration', () => {
  it('refuses a source without timestamp.json on a bench opened as the app opens it (openBenchCore), state and store unchanged', async () => {
    const rootFile = path.join(makeDir(), 'root.json');
    writeFileSync(rootFile, fixture.rootV1);
    const core = openBenchCore({ dataDir: makeDir(), bundledRootFile: rootFile, appVersion: '1.0.0', production: true, now: () => fixture.clock.now });
    try {
      await expect(core.packs.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
      fixture.publish(makePack(FAMILY, '1.2.0', 3));
      promote(fixture.context(), fixture.keys, { family: FAMILY, version: '1.2.0', to: 'stable' });
      rmSync(path.join(fixture.repo, 'timestamp.json'));
      const before = benchSnapshot(core.dataDir);
      await expect(core.packs.update(fixture.source(), FAMILY)).rejects.toMatchObject({ name: 'TrustError', code: 'NOT_FOUND' });
      expect(benchSnapshot(core.dataDir)).toEqual(before);
      expect(core.packs.readState().trusted.active[FAMILY]?.version).toBe('1.0.0');
    } finally {
      core.close();
    }
  });
});

describe('one trusted clock', () => {
  it('grants no offline grace from an expired directive', async () => {
    pinBench(fixture.context(), fixture.keys, { benchId: 'bench-0000000000000001', family: FAMILY, assignment: { channel: 'stable' }, offlineGraceHours: 72 });
    const manager = await activeBench();
    // Day 91: the index expired on day 90 and the directive (issued on day 0, 30 days) on day 30.
    fixture.clock.now = new Date(T0.getTime() + 91 * 86_400_000);
    const before = benchSnapshot(fixture.dataDir);
    await expect(manager.preflight(FAMILY)).rejects.toMatchObject({ code: 'EXPIRED' });
    expect(benchSnapshot(fixture.dataDir)).toEqual(before);
  });

  it('refuses a credit grant with CLOCK_ROLLBACK when the clock is set back before the trusted time, as packs do', async () => {
    const rootFile = path.join(makeDir(), 'root.json');
    writeFileSync(rootFile, fixture.rootV1);
    const core = openBenchCore({ dataDir: makeDir(), bundledRootFile: rootFile, appVersion: '1.0.0', production: true, now: () => fixture.clock.now });
    try {
      await core.packs.update(fixture.source(), FAMILY);
      expect(core.packs.readState().trusted.lastTrustedTime).toBe(T0.toISOString());
      // A grant that expired an hour before the trusted time; a clock set back two hours would revive it.
      const { bytes } = issueCreditGrant({ benchId: core.identity.benchId, grantId: 'g-old', credits: 50, validDays: 1, issuedAt: new Date(T0.getTime() - 25 * 3_600_000) }, fixture.keys.credits);
      fixture.clock.now = new Date(T0.getTime() - 2 * 3_600_000);
      const before = benchSnapshot(core.dataDir);
      expect(() => appendCreditGrant(core, bytes)).toThrow(expect.objectContaining({ name: 'TrustError', code: 'CLOCK_ROLLBACK' }) as Error);
      await expect(core.packs.update(fixture.source(), FAMILY)).rejects.toMatchObject({ code: 'CLOCK_ROLLBACK' });
      expect(benchSnapshot(core.dataDir)).toEqual(before);
      expect(core.store.sessions.balance()).toBe(0);
      expect(JSON.parse([...core.store.integrityLog.entries()].filter((entry) => entry.type === 'credits.grant_refused').at(-1)?.payloadJson ?? '{}')).toMatchObject({ code: 'CLOCK_ROLLBACK' });
      // With the clock right again the same grant is simply expired.
      fixture.clock.now = new Date(T0);
      expect(() => appendCreditGrant(core, bytes)).toThrow(expect.objectContaining({ code: 'EXPIRED' }) as Error);
    } finally {
      core.close();
    }
  });
});

describe('target resolution', () => {
  it('splits a partial rollout by cohort bucket, benches outside it getting the fallback version', async () => {
    promote(fixture.context(), fixture.keys, { family: FAMILY, version: '1.1.0', to: 'stable', rolloutPercent: 50 });
    const ids = Array.from({ length: 200 }, (_, i) => `bench-${i.toString(16).padStart(16, '0')}`);
    const inside = ids.find((id) => cohortBucket(id, FAMILY) < 50) as string;
    const outside = ids.find((id) => cohortBucket(id, FAMILY) >= 50) as string;
    await expect(fixture.bench({ benchId: inside }).update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    const other = createTrustFixture(makeDir);
    publishBaseline(other);
    promote(other.context(), other.keys, { family: FAMILY, version: '1.1.0', to: 'stable', rolloutPercent: 50 });
    await expect(other.bench({ benchId: outside }).update(other.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0', resolvedBy: expect.stringContaining('outside rollout cohort') });
  });
});
