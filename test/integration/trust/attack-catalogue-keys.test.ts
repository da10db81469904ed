/**
 * Attack catalogue, keys and decisions (issue 17, items 2, 5, 6, 7): roots whose role lists cannot mean what
 * they say, rotations that keep some of a role's keys, credit grants a stolen credits key can mint, numbers
 * with two spellings in signed bytes, and expiry at its exact instant. Every case runs the shipped factories
 * (benchTrustProfile through the fixture's PackManager, openBenchCore for credits) and checks that the refusal
 * is typed and that state.json, the pack store and staging are byte-identical afterwards.
 */
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { appendCreditGrant } from '../../../cli/bench-context';
import { openBenchCore } from '../../../electron/services/bench-core';
import { AppHoldStore, benchAppHold, benchReleaseChannel } from '../../../electron/services/app-update/bench-ports';
import { generateKeyPair } from '../../../trust/crypto';
import { developmentKeyPair } from '../../../trust/dev-keys';
import { encodeEnvelope, signDocument } from '../../../trust/envelope';
import { pinBench, pinBenchApp, promote, revoke } from '../../../trust/repository';
import { SPEC } from '../../../trust/schemas';
import { directorySource } from '../../../trust/source';
import { benchSnapshot, createTrustFixture, expectRefused, makePack, type TrustFixture } from '../../helpers/trust-fixture';
import { useTempDirs } from '../../helpers/temp-dir';

const FAMILY = 'fam-a';
const BENCH = 'bench-0000000000000001';
const makeDir = useTempDirs();
let fixture: TrustFixture;

beforeEach(() => {
  fixture = createTrustFixture(makeDir);
  fixture.publish(makePack(FAMILY, '1.0.0', 1));
  promote(fixture.context(), fixture.keys, { family: FAMILY, version: '1.0.0', to: 'stable' });
  fixture.publish(makePack(FAMILY, '1.1.0', 2));
});

const directiveFile = () => path.join(fixture.repo, 'directives', `${BENCH}.json`);
const publicHex = (key: { publicKey: Uint8Array }) => Buffer.from(key.publicKey).toString('hex');

describe('roots whose role lists cannot mean what they say', () => {
  it('refuses a root naming a threshold above the number of its keys for a role (MALFORMED)', async () => {
    const manager = fixture.bench();
    await manager.update(fixture.source(), FAMILY);
    // Director threshold 2 with one key: no directive could ever be accepted, so the root is not a root.
    fixture.writeRoot((root) => {
      root.roles.director = { keyids: [fixture.keys.director.keyid], threshold: 2 };
    }, [fixture.keys.root]);
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });

  it('refuses a root listing one public key under a key id that is not its hash (MALFORMED)', async () => {
    const manager = fixture.bench();
    await manager.update(fixture.source(), FAMILY);
    const second = generateKeyPair();
    fixture.writeRoot((root) => {
      // The index key again, under the id of another key: a second vote for one secret.
      root.keys[second.keyid] = { scheme: 'ed25519', public: publicHex(fixture.keys.index) };
      root.roles.index = { keyids: [fixture.keys.index.keyid, second.keyid], threshold: 2 };
    }, [fixture.keys.root]);
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });
});

describe('development keys after a production root, on a bench built as the CLI builds it (production: false)', () => {
  it('refuses a production root listing a development key, a development root after a production one, and a development root in between (DEV_KEY_IN_PROD)', async () => {
    const manager = fixture.bench({ production: false });
    await manager.update(fixture.source(), FAMILY);
    const devRoot = developmentKeyPair('root');
    const devIndex = developmentKeyPair('index');
    // The development keys' seeds are public: a role holding one is open to anyone.
    fixture.writeRoot((root) => {
      root.keys[devIndex.keyid] = { scheme: 'ed25519', public: publicHex(devIndex) };
      root.roles.index = { keyids: [devIndex.keyid], threshold: 1 };
    }, [fixture.keys.root]);
    await expectRefused(fixture, manager, FAMILY, 'DEV_KEY_IN_PROD');
    // Root v2 is a development root handing the root role to the public development key; v3, signed with it, is
    // a production root again with keys of anyone's choosing. Neither the step nor the walk through it is taken.
    rmSync(path.join(fixture.repo, 'root', '2.root.json'));
    fixture.writeRoot((root) => {
      root.environment = 'development';
      root.keys[devRoot.keyid] = { scheme: 'ed25519', public: publicHex(devRoot) };
      root.roles.root = { keyids: [devRoot.keyid], threshold: 1 };
    }, [fixture.keys.root, devRoot]);
    await expectRefused(fixture, manager, FAMILY, 'DEV_KEY_IN_PROD');
    const anyone = generateKeyPair();
    fixture.writeRoot((root) => {
      root.environment = 'production';
      delete root.keys[devRoot.keyid];
      root.keys[anyone.keyid] = { scheme: 'ed25519', public: publicHex(anyone) };
      root.roles.root = { keyids: [anyone.keyid], threshold: 1 };
    }, [devRoot, anyone]);
    await expectRefused(fixture, manager, FAMILY, 'DEV_KEY_IN_PROD');
  });
});

describe('a rotation that keeps some of a role\'s keys', () => {
  it('adding a director key (nothing stolen) does not let a mirror replay an older directive of the kept key (ROLLBACK)', async () => {
    const manager = fixture.bench();
    // seq 1 pins 1.0.0 by its hash, seq 2 moves the bench to the canary: the bench trusts seq 2.
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { version: '1.0.0' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
    const seq1 = readFileSync(directiveFile());
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { channel: 'canary' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    manager.markSessionCompleted(FAMILY);

    // Root v2 adds a second director key; the first stays. Its directives still verify, so they still pin.
    const added = generateKeyPair();
    fixture.writeRoot((root) => {
      root.keys[added.keyid] = { scheme: 'ed25519', public: publicHex(added) };
      root.roles.director = { keyids: [fixture.keys.director.keyid, added.keyid], threshold: 1 };
    }, [fixture.keys.root]);
    // The mirror replays seq 1: a pin by exact hash would take the bench back to 1.0.0.
    writeFileSync(directiveFile(), seq1);
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
    expect(manager.readState().trusted.directive?.seq).toBe(2);
  });

  it('adding an index key does not let a mirror replay older metadata of the kept keys (ROLLBACK: a revocation undone)', async () => {
    fixture.publish(makePack(FAMILY, '1.2.0', 3));
    const manager = fixture.bench();
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
    const before = makeDir();
    cpSync(fixture.repo, before, { recursive: true });
    // 1.1.0 is revoked; the bench takes the new index.
    revoke(fixture.context(), fixture.keys, { family: FAMILY, version: '1.1.0' });
    await manager.update(fixture.source(), FAMILY);
    const trusted = manager.readState().trusted;

    const added = generateKeyPair();
    fixture.writeRoot((root) => {
      root.keys[added.keyid] = { scheme: 'ed25519', public: publicHex(added) };
      root.roles.index = { keyids: [fixture.keys.index.keyid, added.keyid], threshold: 1 };
    }, [fixture.keys.root]);
    // The mirror serves root v2 with the older timestamp, snapshot and index (still unexpired, signed by kept keys).
    for (const name of ['timestamp.json', 'snapshot.json', `index/${FAMILY}.json`]) writeFileSync(path.join(fixture.repo, name), readFileSync(path.join(before, name)));
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
    expect(manager.readState().trusted.indexes[FAMILY]).toEqual(trusted.indexes[FAMILY]);
  });

  it("a rotation that drops a stolen director key and keeps an honest one forgets the stolen key's seq 999999", async () => {
    // Root v2: two director keys, threshold 1 (the second one is later stolen).
    const stolen = generateKeyPair();
    fixture.writeRoot((root) => {
      root.keys[stolen.keyid] = { scheme: 'ed25519', public: publicHex(stolen) };
      root.roles.director = { keyids: [fixture.keys.director.keyid, stolen.keyid], threshold: 1 };
    }, [fixture.keys.root]);
    const manager = fixture.bench();
    await manager.update(fixture.source(), FAMILY);
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { channel: 'stable' } });
    fixture.resign(`directives/${BENCH}.json`, 'directive', (directive) => {
      directive.seq = 999_999;
      directive.previous_sha256 = null;
    }, [stolen], { refresh: false });
    // A bench that trusts no directive yet takes the thief's seq 999999.
    await manager.update(fixture.source(), FAMILY);
    expect(manager.readState().trusted.directive?.seq).toBe(999_999);

    // Root v3 drops the stolen key and keeps the honest one: the stolen key's directive no longer verifies, so it
    // no longer pins, and the honest director's new chain is taken.
    const replacement = generateKeyPair();
    fixture.writeRoot((root) => {
      delete root.keys[stolen.keyid];
      root.keys[replacement.keyid] = { scheme: 'ed25519', public: publicHex(replacement) };
      root.roles.director = { keyids: [fixture.keys.director.keyid, replacement.keyid], threshold: 1 };
    }, [fixture.keys.root]);
    rmSync(directiveFile());
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { channel: 'canary' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    expect(manager.readState().trusted.directive?.seq).toBe(1);
  });
});

describe('the directive chain after a rotation forgot the trusted directive', () => {
  it("takes a new chain signed after the rotation, not a replay of the kept key's older directive (ROLLBACK)", async () => {
    const DAY = 86_400_000;
    const stolen = generateKeyPair();
    fixture.writeRoot((root) => {
      root.keys[stolen.keyid] = { scheme: 'ed25519', public: publicHex(stolen) };
      root.roles.director = { keyids: [fixture.keys.director.keyid, stolen.keyid], threshold: 1 };
    }, [fixture.keys.root]);
    const manager = fixture.bench({ defaultChannel: 'canary' });
    // Day 0: the honest director pins 1.0.0 by hash (seq 1); day 1: the canary (seq 2).
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { version: '1.0.0' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
    const seq1 = readFileSync(directiveFile());
    fixture.clock.now = new Date(fixture.clock.now.getTime() + DAY);
    fixture.refresh();
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { channel: 'canary' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    manager.markSessionCompleted(FAMILY);
    // Day 3: the stolen key's seq 3 (chained, so the bench takes it).
    fixture.clock.now = new Date(fixture.clock.now.getTime() + 2 * DAY);
    fixture.refresh();
    fixture.resign(`directives/${BENCH}.json`, 'directive', (directive) => {
      directive.seq = 3;
      directive.previous_sha256 = createHash('sha256').update(readFileSync(directiveFile())).digest('hex');
      directive.issued_at = fixture.clock.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    }, [stolen], { refresh: false });
    await manager.update(fixture.source(), FAMILY);
    expect(manager.readState().trusted.directive?.seq).toBe(3);

    // Day 5: root v3 drops the stolen key and keeps the honest one; the mirror replays the honest seq 1.
    fixture.clock.now = new Date(fixture.clock.now.getTime() + 2 * DAY);
    fixture.refresh();
    fixture.writeRoot((root) => {
      delete root.keys[stolen.keyid];
      root.roles.director = { keyids: [fixture.keys.director.keyid], threshold: 1 };
    }, [fixture.keys.root]);
    writeFileSync(directiveFile(), seq1);
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
    // Served nothing, the bench takes the rotation and stays un-pinned; the replay is still refused afterwards.
    rmSync(directiveFile());
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    writeFileSync(directiveFile(), seq1);
    await expectRefused(fixture, manager, FAMILY, 'ROLLBACK');
    // The director's new chain, signed after the rotation, is taken.
    rmSync(directiveFile());
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { channel: 'canary' } });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.1.0' });
    expect(manager.readState().trusted.directive).toMatchObject({ seq: 1, acceptedAt: fixture.clock.now.toISOString() });
  });
});

describe('credit grants a stolen credits key can mint', () => {
  function openBench() {
    const rootFile = path.join(makeDir(), 'root.json');
    writeFileSync(rootFile, fixture.rootV1);
    return openBenchCore({ dataDir: makeDir(), bundledRootFile: rootFile, appVersion: '1.0.0', production: true, now: () => fixture.clock.now });
  }

  function grant(benchId: string, fields: Record<string, unknown>): Uint8Array {
    return signDocument('credit_grant', { type: 'credit_grant', spec: SPEC, bench_id: benchId, grant_id: 'g-minted', credits: 10, issued_at: '2026-06-01T12:00:00Z', expires: '2026-06-08T12:00:00Z', ...fields }, [fixture.keys.credits]);
  }

  it('refuses a grant of more credits than any issuer grants, and one valid for longer than any issuer signs (MALFORMED), booking nothing', async () => {
    const core = openBench();
    try {
      await core.packs.update(fixture.source(), FAMILY);
      const before = benchSnapshot(core.dataDir);
      for (const fields of [{ credits: Number.MAX_SAFE_INTEGER }, { credits: 1_000_001 }, { expires: '9999-12-31T23:59:59Z' }]) {
        expect(() => appendCreditGrant(core, grant(core.identity.benchId, fields)), JSON.stringify(fields)).toThrow(expect.objectContaining({ name: 'TrustError', code: 'MALFORMED' }) as Error);
      }
      expect(core.store.sessions.balance()).toBe(0);
      expect(benchSnapshot(core.dataDir)).toEqual(before);
      // The largest grant an issuer signs is booked.
      expect(appendCreditGrant(core, grant(core.identity.benchId, { credits: 1_000_000 })).added).toBe(true);
    } finally {
      core.close();
    }
  });

  it('refuses a grant at the exact instant it expires (EXPIRED)', async () => {
    const core = openBench();
    try {
      fixture.clock.now = new Date('2026-06-08T12:00:00Z');
      expect(() => appendCreditGrant(core, grant(core.identity.benchId, {}))).toThrow(expect.objectContaining({ code: 'EXPIRED' }) as Error);
      expect(core.store.sessions.balance()).toBe(0);
    } finally {
      core.close();
    }
  });
});

describe('numbers with two spellings in signed bytes', () => {
  function serveEditedDirective(edit: (json: string) => string, { edited: mustChange = true } = {}): void {
    rmSync(directiveFile(), { force: true });
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { channel: 'stable' } });
    const json = JSON.stringify(fixture.payload(`directives/${BENCH}.json`));
    const edited = edit(json);
    if (mustChange) expect(edited).not.toBe(json);
    writeFileSync(directiveFile(), encodeEnvelope('directive', Buffer.from(edited), [fixture.keys.director]));
  }

  it('refuses a seq or hours written as 1.0, 1e0, 0.1e1, -0, 1.00000000000000001 or beyond 2^53, a BOM and trailing bytes (MALFORMED)', async () => {
    const manager = fixture.bench();
    await manager.update(fixture.source(), FAMILY);
    for (const spelling of ['1.0', '1e0', '0.1e1', '1E+0', '1.00000000000000001']) {
      serveEditedDirective((json) => json.replace('"seq":1,', `"seq":${spelling},`));
      await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
    }
    serveEditedDirective((json) => json.replace(/"offline_grace_hours":0/, '"offline_grace_hours":-0'));
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
    // Beyond 2^53 (JSON.parse reads ...992), a byte-order mark, and trailing bytes after the document.
    for (const edit of [(json: string) => json.replace('"seq":1,', '"seq":9007199254740993,'), (json: string) => `\ufeff${json}`, (json: string) => `${json} {}`]) {
      serveEditedDirective(edit);
      await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
    }
    // The same after the envelope itself.
    serveEditedDirective((json) => json, { edited: false });
    writeFileSync(directiveFile(), Buffer.concat([readFileSync(directiveFile()), Buffer.from('\n{"signed":""}')]));
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });

  it('refuses nesting 20,000 deep without a stack overflow, and a __proto__ member where a family is expected (MALFORMED)', async () => {
    const manager = fixture.bench();
    await manager.update(fixture.source(), FAMILY);
    serveEditedDirective((json) => json.replace('"reason":', `"deep":${'['.repeat(20_000)}${']'.repeat(20_000)},"reason":`));
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
    serveEditedDirective((json) => json.replace('"assignments":{', '"assignments":{"__proto__":{"channel":"canary"},'));
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
  });
});

describe('expiry further ahead than a role is ever signed for', () => {
  it('refuses a timestamp, an index or a directive expiring in 2099 (MALFORMED): one signature must not keep an old snapshot fresh for good', async () => {
    const manager = fixture.bench();
    await manager.update(fixture.source(), FAMILY);
    const farFuture = (document: Record<string, unknown>) => {
      document.expires = '2099-01-01T00:00:00Z';
    };
    // The timestamp key signs one timestamp for 2099 over the snapshot the bench already has.
    fixture.resign('timestamp.json', 'timestamp', (timestamp) => {
      timestamp.version = (timestamp.version as number) + 1;
      farFuture(timestamp);
    }, [fixture.keys.timestamp], { refresh: false });
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
    fixture.resign(`index/${FAMILY}.json`, 'index', (index) => {
      index.sequence = (index.sequence as number) + 1;
      farFuture(index);
    }, [fixture.keys.index]);
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
    fixture.resign(`index/${FAMILY}.json`, 'index', (index) => {
      index.expires = new Date(fixture.clock.now.getTime() + 90 * 86_400_000).toISOString();
    }, [fixture.keys.index]);
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { channel: 'stable' } });
    fixture.resign(`directives/${BENCH}.json`, 'directive', farFuture, [fixture.keys.director], { refresh: false });
    await expectRefused(fixture, manager, FAMILY, 'MALFORMED');
    // Exactly as long as a directive is signed for, plus a day for clocks that disagree, is taken.
    fixture.resign(`directives/${BENCH}.json`, 'directive', (directive) => {
      directive.expires = new Date(fixture.clock.now.getTime() + 31 * 86_400_000).toISOString();
    }, [fixture.keys.director], { refresh: false });
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
  });
});

describe('an expired directive decides nothing', () => {
  it("moves no app to its channel and holds no app once expired, on a bench opened as the app opens it (openBenchCore)", async () => {
    const rootFile = path.join(makeDir(), 'root.json');
    writeFileSync(rootFile, fixture.rootV1);
    const core = openBenchCore({ dataDir: makeDir(), bundledRootFile: rootFile, appVersion: '1.0.0', production: true, now: () => fixture.clock.now });
    try {
      const directive = pinBenchApp(fixture.context(), fixture.keys, { benchId: core.identity.benchId, appUpdate: { channel: 'canary', hold_until: '2026-12-31T00:00:00Z' } });
      await core.packs.update(fixture.source(), FAMILY);
      const inputs = { settingsChannel: () => 'stable' as const, directive: () => core.packs.directiveInForce(), holds: new AppHoldStore(core.dataDir), now: () => fixture.clock.now };
      expect(benchReleaseChannel(inputs).current()).toBe('canary');
      expect(benchAppHold(inputs).current()).toMatchObject({ until: '2026-12-31T00:00:00Z' });
      // Day 30: the directive has expired (the bench could not update since); its channel and hold are gone with it.
      fixture.clock.now = new Date(directive.expires);
      const before = benchSnapshot(core.dataDir);
      expect(core.packs.directiveInForce()).toBeNull();
      expect(benchReleaseChannel(inputs).current()).toBe('stable');
      expect(benchAppHold(inputs).current()).toBeNull();
      expect(benchSnapshot(core.dataDir)).toEqual(before);
    } finally {
      core.close();
    }
  });
});

describe('expiry at its exact instant', () => {
  it('refuses a directive at the instant it expires (EXPIRED), the rest of the metadata fresh', async () => {
    pinBench(fixture.context(), fixture.keys, { benchId: BENCH, family: FAMILY, assignment: { channel: 'stable' } });
    const manager = fixture.bench();
    await manager.update(fixture.source(), FAMILY);
    const expires = String(fixture.payload(`directives/${BENCH}.json`).expires);
    fixture.clock.now = new Date(expires);
    fixture.refresh(fixture.clock.now);
    const before = benchSnapshot(fixture.dataDir);
    await expect(manager.update(directorySource(fixture.repo), FAMILY)).rejects.toMatchObject({ code: 'EXPIRED', message: expect.stringContaining('directive') as string });
    expect(benchSnapshot(fixture.dataDir)).toEqual(before);
  });
});
