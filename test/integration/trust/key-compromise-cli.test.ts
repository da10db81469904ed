/**
 * Key compromise recovery for every role (issue 17, item 2), through the commands a release manager and a
 * bench run: `injbench release keygen` and `release rotate-root --roles <role>`, `injbench packs update`,
 * `injbench credits grant/import`. For each role a stolen key's document at a huge version (or a stolen key's
 * grant) is accepted or freezes the bench; rotating that role's keys recovers the bench without wiping its data
 * directory, and the old key's documents are refused afterwards. docs/trust-packs.md, "Key compromise".
 *
 * The bench reads a mirror of the release repository (`--repo mirror`), which the attacker can write to; the
 * release manager works in the honest repository and re-syncs the mirror, as an operator would.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openBenchForCli } from '../../../cli/bench-context';
import { buildDemoRepository, developmentKeys } from '../../../trust/demo-repository';
import { openEnvelope, signDocument } from '../../../trust/envelope';
import { readKeyFile, writeKeyFile } from '../../../trust/keys';
import { generateKeyPair, sha256Hex, type KeyPair } from '../../../trust/crypto';
import { latestRoot, refreshSnapshot, rotateRoot } from '../../../trust/repository';
import { keyRoles, type KeyRole } from '../../../trust/schemas';
import { useTempDirs } from '../../helpers/temp-dir';
import { benchFootprint } from '../../helpers/trust-fixture';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const makeDir = useTempDirs();
const FAMILY = 'delphi-like-c2i';
const audit = ['--actor', 'alice', '--reason', 'stolen key', '--ticket', 'SEC-7'];
// Each test is about ten command starts; on the shared 2-core machine one takes 2-4 s.
const TIMEOUT = 240_000;

function injbench(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'injbench.mjs'), ...args], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, INJBENCH_PRODUCTION: '' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function ok(args: string[]): string {
  const result = injbench(args);
  // A bench that has not reported its model yet defers the hardware check to the session gate, and says so.
  const problems = result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('injbench: note: '));
  expect(problems, args.join(' ')).toEqual([]);
  expect(result.status, args.join(' ')).toBe(0);
  return result.stdout;
}

/** The command fails with `code` on stderr (the typed-error form every command prints). */
function refused(args: string[], code: string): string {
  const result = injbench(args);
  expect(result.status, `${args.join(' ')}: ${result.stdout}`).toBe(1);
  expect(result.stderr, args.join(' ')).toMatch(new RegExp(`^injbench: ${code}: `));
  return result.stderr;
}

interface Setup {
  repo: string;
  mirror: string;
  keys: string;
  dataDir: string;
  update(): string[];
  syncMirror(): void;
  state(): { trusted: { rootBase64: string; timestamp: { version: number } | null; snapshot: { version: number } | null; indexes: Record<string, { sequence: number }> } };
  /** keygen for `role` into a new directory, rotate-root --roles role, and move the new key into the key directory. */
  rotate(role: KeyRole): string;
}

function setup(): Setup {
  const repo = path.join(makeDir(), 'repo');
  const mirror = path.join(makeDir(), 'mirror');
  const keys = makeDir();
  const dataDir = makeDir();
  buildDemoRepository({ sourceDir: path.join(projectRoot, 'resources', 'demo-source'), outDir: repo });
  // The release manager's key directory: the development keys the demo repository (and the bundled root) use.
  const development = developmentKeys();
  for (const role of keyRoles) writeKeyFile(keys, role, development[role], true);
  const self: Setup = {
    repo,
    mirror,
    keys,
    dataDir,
    update: () => ['packs', 'update', '--repo', mirror, '--family', FAMILY, '--data-dir', dataDir],
    syncMirror() {
      rmSync(mirror, { recursive: true, force: true });
      cpSync(repo, mirror, { recursive: true });
    },
    state: () => JSON.parse(readFileSync(path.join(dataDir, 'packs', 'state.json'), 'utf8')) as ReturnType<Setup['state']>,
    rotate(role) {
      const newKeys = makeDir();
      expect(ok(['release', 'keygen', '--out', newKeys, '--roles', role])).toMatch(new RegExp(`^${role} [0-9a-f]{64} `));
      const rotated = ok(['release', 'rotate-root', '--repo', repo, '--keys', keys, '--new-keys', newKeys, '--roles', role, ...audit]);
      expect(rotated).toMatch(new RegExp(`^root v\\d+ [0-9a-f]{64} \\(rotated: ${role}\\)\\n$`));
      // The compromised key file is retired; the new one takes its place for the next release commands.
      renameSync(path.join(keys, `${role}.key.json`), path.join(newKeys, `${role}.compromised.json`));
      renameSync(path.join(newKeys, `${role}.key.json`), path.join(keys, `${role}.key.json`));
      self.syncMirror();
      return rotated;
    },
  };
  self.syncMirror();
  expect(ok(self.update())).toMatch(new RegExp(`^ACTIVE ${FAMILY} 1\\.0\\.0 [0-9a-f]{64} via `));
  return self;
}

/** The payload of a signed file, to edit for a forgery. */
function payloadOf(file: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(openEnvelope(readFileSync(file), 1 << 24, file).payload).toString('utf8')) as Record<string, unknown>;
}

/** Files under packs/ of the data directory, by content: a refusal must leave them byte-identical. */
function packsDirectory(dataDir: string): string {
  return readFileSync(path.join(dataDir, 'packs', 'state.json'), 'utf8');
}

describe('key compromise recovery through the release and bench commands', () => {
  it('timestamp: a stolen key\'s v999999 freezes the bench; rotate-root --roles timestamp recovers it', { timeout: TIMEOUT }, () => {
    const s = setup();
    const stolen = readKeyFile(s.keys, 'timestamp');
    const forgedFile = path.join(makeDir(), 'timestamp.json');
    const forged = { ...payloadOf(path.join(s.mirror, 'timestamp.json')), version: 999_999 };
    writeFileSync(forgedFile, signDocument('timestamp', forged, [stolen]));
    cpSync(forgedFile, path.join(s.mirror, 'timestamp.json'));
    expect(ok(s.update())).toMatch(/\(unchanged\)/);
    expect(s.state().trusted.timestamp?.version).toBe(999_999);

    // The honest repository again: every honest timestamp is now a rollback, on every update.
    s.syncMirror();
    const before = packsDirectory(s.dataDir);
    refused(s.update(), 'ROLLBACK');
    expect(packsDirectory(s.dataDir)).toBe(before);

    s.rotate('timestamp');
    expect(ok(s.update())).toMatch(new RegExp(`^ACTIVE ${FAMILY} 1\\.0\\.0 `));
    expect(s.state().trusted.timestamp?.version).toBeLessThan(100);

    // The stolen key's documents no longer verify.
    cpSync(forgedFile, path.join(s.mirror, 'timestamp.json'));
    const afterRecovery = packsDirectory(s.dataDir);
    refused(s.update(), 'BAD_SIGNATURE');
    expect(packsDirectory(s.dataDir)).toBe(afterRecovery);
  });

  it('index/snapshot: a stolen key\'s index at sequence 999999 freezes the family; rotate-root --roles index recovers it', { timeout: TIMEOUT }, () => {
    const s = setup();
    const stolen = readKeyFile(s.keys, 'index');
    const honestTimestamp = readKeyFile(s.keys, 'timestamp');
    const indexFile = path.join(s.mirror, 'index', `${FAMILY}.json`);
    // The attacker signs the index and snapshot; the mirror's automation timestamps whatever the mirror holds.
    const forge = () => {
      writeFileSync(indexFile, signDocument('index', { ...payloadOf(indexFile), sequence: 999_999 }, [stolen]));
      refreshSnapshot({ repoDir: s.mirror, now: new Date(), audit: { actor: 'x', reason: 'x', ticket: 'x' } }, { index: stolen, timestamp: readKeyFile(s.keys, 'timestamp') }, latestRoot(s.mirror).root);
    };
    forge();
    expect(ok(s.update())).toMatch(/\(unchanged\)/);
    expect(s.state().trusted.indexes[FAMILY]?.sequence).toBe(999_999);

    s.syncMirror();
    refused(s.update(), 'ROLLBACK');

    s.rotate('index');
    expect(ok(s.update())).toMatch(new RegExp(`^ACTIVE ${FAMILY} 1\\.0\\.0 `));
    expect(s.state().trusted.indexes[FAMILY]?.sequence).toBeLessThan(100);

    // The same forgery with the old index key is refused, though the timestamp over it is honest.
    expect(honestTimestamp.keyid).toBe(readKeyFile(s.keys, 'timestamp').keyid);
    forge();
    const afterRecovery = packsDirectory(s.dataDir);
    refused(s.update(), 'BAD_SIGNATURE');
    expect(packsDirectory(s.dataDir)).toBe(afterRecovery);
  });

  it('root: a stolen root key cannot skip versions, and after rotate-root --roles root its roots are refused', { timeout: TIMEOUT }, () => {
    const s = setup();
    const stolen = readKeyFile(s.keys, 'root');
    const { root } = latestRoot(s.repo);
    const { version } = root;
    const rootFile = (n: number) => path.join(s.mirror, 'root', `${n}.root.json`);
    // A root at version 999999 in the next slot: refused as a skip, nothing pinned.
    writeFileSync(rootFile(version + 1), signDocument('root', { ...root, version: 999_999 }, [stolen]));
    const before = packsDirectory(s.dataDir);
    refused(s.update(), 'MALFORMED');
    expect(packsDirectory(s.dataDir)).toBe(before);

    // Rotated before the attacker's next root reaches the bench: the new root key signs from now on.
    expect(s.rotate('root')).toMatch(new RegExp(`^root v${version + 1} `));
    expect(ok(s.update())).toMatch(new RegExp(`^ACTIVE ${FAMILY} 1\\.0\\.0 `));
    expect(payloadOf(path.join(s.mirror, 'root', `${version + 1}.root.json`)).version).toBe(version + 1);

    // The stolen key's next root (it would hand every role to the attacker) lacks the new root key's signature.
    const rotated = latestRoot(s.repo).root;
    writeFileSync(rootFile(version + 2), signDocument('root', { ...rotated, version: version + 2 }, [stolen]));
    const afterRecovery = packsDirectory(s.dataDir);
    refused(s.update(), 'BAD_SIGNATURE');
    expect(packsDirectory(s.dataDir)).toBe(afterRecovery);
  });

  it("root: a bench that took a stolen root key's root is recovered out of band by packs trust-root, its SHA-256 typed", { timeout: TIMEOUT }, async () => {
    const s = setup();
    const stolen = readKeyFile(s.keys, 'root');
    const { version } = latestRoot(s.repo).root;
    // The thief signs root N+1 handing every role to keys of its own, re-signs the mirror with them, and the bench takes it.
    const thief = Object.fromEntries(keyRoles.map((role) => [role, generateKeyPair()])) as Record<KeyRole, KeyPair>;
    rotateRoot({ repoDir: s.mirror, now: new Date(), audit: { actor: 'thief', reason: 'x', ticket: 'x' } }, stolen, thief, { resignWith: { index: thief.index, timestamp: thief.timestamp } });
    expect(ok(s.update())).toMatch(/\(unchanged\)/);

    // The release manager rotates the root key; under the thief's root nothing the honest keys sign verifies.
    s.rotate('root');
    refused(s.update(), 'BAD_SIGNATURE');
    const honestRoot = path.join(s.repo, 'root', `${version + 1}.root.json`);
    const sha256 = sha256Hex(readFileSync(honestRoot));
    const trustRoot = (file: string, confirmed: string) => ['packs', 'trust-root', '--from', file, '--confirm-sha256', confirmed, ...audit, '--data-dir', s.dataDir];

    // A mistyped fingerprint, and a root the stolen key signed alone (its own root role names the new key): refused, nothing changed.
    const before = await benchFootprint(s.dataDir);
    refused(trustRoot(honestRoot, `${sha256.slice(0, 63)}${sha256.endsWith('0') ? '1' : '0'}`), 'HASH_MISMATCH');
    const forged = path.join(makeDir(), 'root.json');
    writeFileSync(forged, signDocument('root', payloadOf(honestRoot), [stolen]));
    refused(trustRoot(forged, sha256Hex(readFileSync(forged))), 'BAD_SIGNATURE');
    expect(await benchFootprint(s.dataDir)).toEqual(before);

    // The honest root, its SHA-256 read out by the release manager: every trusted document and the active pack are
    // forgotten, and the next update installs afresh under the honest keys.
    expect(ok(trustRoot(honestRoot, sha256))).toBe(`TRUSTED root v${version + 1} ${sha256}\nforgotten: active ${FAMILY}; every trusted document; run "injbench packs update" to install afresh\n`);
    expect(s.state().trusted.rootBase64).toBe(readFileSync(honestRoot).toString('base64'));
    expect(ok(s.update())).toMatch(new RegExp(`^ACTIVE ${FAMILY} 1\\.0\\.0 [0-9a-f]{64} via `));
    expect(ok(['packs', 'preflight', '--family', FAMILY, '--data-dir', s.dataDir])).toMatch(new RegExp(`^READY ${FAMILY} 1\\.0\\.0 `));
  });

  it('credits: after rotate-root --roles credits, grants signed by the stolen key are refused and new ones import', { timeout: TIMEOUT }, () => {
    const s = setup();
    const bench = openBenchForCli(s.dataDir, { create: true });
    const benchId = bench.identity.benchId;
    bench.close();
    const grant = (file: string, credits: number) => ['credits', 'grant', '--keys', s.keys, '--bench-id', benchId, '--credits', String(credits), '--valid-days', '30', '--out', file];
    const stolenKeys = makeDir();
    cpSync(path.join(s.keys, 'credits.key.json'), path.join(stolenKeys, 'credits.key.json'));
    const stolenGrant = (file: string, credits: number) => ['credits', 'grant', '--keys', stolenKeys, '--bench-id', benchId, '--credits', String(credits), '--valid-days', '30', '--out', file];

    // What a stolen credits key allows before the rotation: minting credits.
    const minted = path.join(makeDir(), 'minted.grant');
    ok(stolenGrant(minted, 1000));
    expect(ok(['credits', 'import', minted, '--data-dir', s.dataDir])).toMatch(/^imported grant-\S+: \+1000 credits, balance 1000\n$/);

    s.rotate('credits');
    // The bench learns the new root with its next update; from then on the old key's grants are refused.
    expect(ok(s.update())).toMatch(new RegExp(`^ACTIVE ${FAMILY} 1\\.0\\.0 .*\\(unchanged\\)`));
    const later = path.join(makeDir(), 'later.grant');
    ok(stolenGrant(later, 5000));
    refused(['credits', 'import', later, '--data-dir', s.dataDir], 'BAD_SIGNATURE');
    const honest = path.join(makeDir(), 'honest.grant');
    ok(grant(honest, 10));
    expect(ok(['credits', 'import', honest, '--data-dir', s.dataDir])).toMatch(/\+10 credits, balance 1010\n$/);
  });
});
