/**
 * The attack catalogue against the command line as shipped (docs/trust-packs.md, issue 17 items 4, 8 and 9):
 * each attack runs the real `injbench` on a bench data directory opened the way the app opens one
 * (openBenchCore, the one bench trust profile), fails with its typed code, and leaves state.json, the pack
 * store, staging and what `injbench packs releases` prints byte-identical. The HTTP cases go through a real
 * central server on 127.0.0.1 (SQLite on a temporary file) with the demo repository published on it, behind a
 * hostile mirror that answers 404, an endless body or forged metadata for the paths it is told to.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openBenchForCli } from '../../../cli/bench-context';
import { refreshPacks } from '../../../cli/commands/packs';
import { CREDIT_GRANTS_PATH } from '../../../common/central-api/paths';
import { publishRepositoryToServer } from '../../../common/central-api/release-publish';
import { GRANTS_RESPONSE_MAX_BYTES } from '../../../electron/services/credits/grant-fetch';
import { CREDIT_GRANT_MAX_BYTES } from '../../../trust/credit-grant';
import { recordBenchHardware } from '../../../electron/services/bench-core';
import { releaseServiceOn } from '../../../electron/services/releases/release-service';
import type { CentralServer } from '../../../server/central-server';
import { VIRTUAL_BENCH_MODEL } from '../../../native-bridge/sim/virtual-bench';
import { buildDemoRepository, demoFamilies, developmentKeys } from '../../../trust/demo-repository';
import { openEnvelope, signDocument } from '../../../trust/envelope';
import { latestRoot, refreshSnapshot } from '../../../trust/repository';
import { limits } from '../../../trust/schemas';
import { directorySource } from '../../../trust/source';
import { TEST_RELEASE_TOKEN, startTestServer } from '../../helpers/central-server';
import { startHostileMirror, type HostileMirror } from '../../helpers/hostile-mirror';
import { projectRoot, runCli, startSimProcess, type SimProcess } from '../../helpers/sim-process';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';
import { benchFootprint } from '../../helpers/trust-fixture';

const ACTIVE = 'bosch-like-cri';
const OTHER = 'delphi-like-c2i';
const THIRD = 'denso-like-g3';
const CLI_TIMEOUT_MS = 120_000;
const makeDir = useTempDirs('each');
const makeSharedDir = useTempDirs('all');
const keys = developmentKeys();

let demo: string;
let server: CentralServer;
let mirror: HostileMirror;

beforeAll(async () => {
  demo = path.join(makeSharedDir(), 'demo');
  buildDemoRepository({ sourceDir: path.join(projectRoot, 'resources', 'demo-source'), outDir: demo });
  const serverDir = makeSharedDir();
  server = await startTestServer(`sqlite:${path.join(serverDir, 'server.sqlite')}`, { blobDir: path.join(serverDir, 'blobs'), logger: silentLogger() });
  await publishRepositoryToServer({ repoDir: demo, serverUrl: server.url, token: TEST_RELEASE_TOKEN, actor: 'release-manager', reason: 'attack catalogue', ticket: 'SEC-17', print: () => undefined });
  mirror = await startHostileMirror(`${server.url}/api/v1/repository/`);
}, 120_000);

afterAll(async () => {
  await mirror?.close();
  await server?.close();
});

beforeEach(() => mirror.reset());

/** A bench data directory with ACTIVE 1.0.0 activated from the central server, as `packs update` does it. */
async function activatedBench(): Promise<string> {
  const dataDir = makeDir();
  const bench = openBenchForCli(dataDir, { create: true });
  try {
    const [outcome] = await refreshPacks(bench, mirror.url, [ACTIVE]);
    expect(outcome?.line).toMatch(new RegExp(`^ACTIVE ${ACTIVE} 1\\.0\\.0 `));
  } finally {
    bench.close();
  }
  return dataDir;
}

/** The payload of a repository document, edited and signed again by its role's (development) key. */
function resigned(file: string, role: 'timestamp' | 'index', edit: (document: Record<string, unknown>) => void): Buffer {
  const document = JSON.parse(Buffer.from(openEnvelope(readFileSync(file), 1 << 24, file).payload).toString('utf8')) as Record<string, unknown>;
  edit(document);
  return Buffer.from(signDocument(role, document, [keys[role]]));
}

/** The codes of the bench's refusals recorded in its integrity log, oldest first. */
function refusalCodes(dataDir: string): string[] {
  const bench = openBenchForCli(dataDir);
  try {
    return [...bench.store.integrityLog.entries()].filter((entry) => entry.type === 'packs.activate_refused').map((entry) => (JSON.parse(entry.payloadJson) as { code: string }).code);
  } finally {
    bench.close();
  }
}

async function packsUpdate(dataDir: string, families: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(['packs', 'update', '--repo', mirror.url, ...families.flatMap((family) => ['--family', family]), '--data-dir', dataDir], process.env, CLI_TIMEOUT_MS);
}

describe('caps before reads, over HTTP from the central server', () => {
  it('refuses timestamp.json answered 404 (NOT_FOUND): the index key alone installs nothing', async () => {
    const dataDir = await activatedBench();
    const before = await benchFootprint(dataDir);
    mirror.answer('timestamp.json', { kind: 'not-found' });
    const run = await packsUpdate(dataDir, [ACTIVE]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^injbench: NOT_FOUND: ${ACTIVE}: timestamp\\.json is missing`, 'm'));
    expect(await benchFootprint(dataDir)).toEqual(before);
    expect(refusalCodes(dataDir)).toEqual(['NOT_FOUND']);
  }, CLI_TIMEOUT_MS * 2);

  it('stops an endless timestamp at its 16 KiB cap (OVERSIZE) and an endless snapshot at its signed length (LENGTH_MISMATCH)', async () => {
    const dataDir = await activatedBench();
    const before = await benchFootprint(dataDir);
    mirror.answer('timestamp.json', { kind: 'endless' });
    const timestamp = await packsUpdate(dataDir, [ACTIVE]);
    expect(timestamp.code, timestamp.stderr).toBe(1);
    expect(timestamp.stderr).toMatch(new RegExp(`^injbench: OVERSIZE: ${ACTIVE}: timestamp\\.json exceeds its ${limits.timestampBytes}-byte cap`, 'm'));
    expect(await benchFootprint(dataDir)).toEqual(before);

    mirror.answer('timestamp.json', null);
    mirror.answer('snapshot.json', { kind: 'endless' });
    const snapshot = await packsUpdate(dataDir, [ACTIVE]);
    expect(snapshot.code, snapshot.stderr).toBe(1);
    expect(snapshot.stderr).toMatch(new RegExp(`^injbench: LENGTH_MISMATCH: ${ACTIVE}: snapshot\\.json is longer than its signed \\d+ bytes`, 'm'));
    expect(await benchFootprint(dataDir)).toEqual(before);
    // The mirror could push what the sockets buffer, nothing like the 128 MiB the bench once read.
    expect(mirror.bytesSent.get('snapshot.json') ?? 0).toBeLessThan(16 * 1024 * 1024);
    expect(refusalCodes(dataDir)).toEqual(['OVERSIZE', 'LENGTH_MISMATCH']);
  }, CLI_TIMEOUT_MS * 3);

  it('refuses a timestamp declaring a 2^40-byte snapshot as OVERSIZE without asking for the snapshot', async () => {
    const dataDir = await activatedBench();
    const before = await benchFootprint(dataDir);
    mirror.answer(
      'timestamp.json',
      {
        kind: 'bytes',
        bytes: resigned(path.join(demo, 'timestamp.json'), 'timestamp', (timestamp) => {
          timestamp.version = (timestamp.version as number) + 1;
          (timestamp.snapshot as { length: number }).length = 2 ** 40;
        }),
      },
    );
    const requestedBefore = mirror.requested.length;
    const run = await packsUpdate(dataDir, [ACTIVE]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^injbench: OVERSIZE: ${ACTIVE}: snapshot\\.json is declared as ${2 ** 40} bytes, over its ${limits.snapshotBytes}-byte cap; not fetched`, 'm'));
    expect(mirror.requested.slice(requestedBefore)).not.toContain('snapshot.json');
    expect(await benchFootprint(dataDir)).toEqual(before);
  }, CLI_TIMEOUT_MS * 2);

  it('refuses an index declaring a pack over the 1 GiB cap (OVERSIZE, never requested) and stops an endless pack at its signed length', async () => {
    const dataDir = await activatedBench();
    const before = await benchFootprint(dataDir);
    // The index, snapshot and timestamp of OTHER are forged with the (development) index and timestamp keys.
    const forged = path.join(makeDir(), 'repo');
    cpSync(demo, forged, { recursive: true });
    writeFileSync(
      path.join(forged, 'index', `${OTHER}.json`),
      resigned(path.join(forged, 'index', `${OTHER}.json`), 'index', (index) => {
        index.sequence = (index.sequence as number) + 1;
        const versions = index.versions as Record<string, { pack_length: number }>;
        versions['1.0.0'] = { ...versions['1.0.0'], pack_length: limits.packBytes + 1 };
      }),
    );
    refreshSnapshot({ repoDir: forged, now: new Date(), audit: { actor: 'attacker', reason: 'forged index', ticket: 'X' } }, keys, latestRoot(forged).root);
    for (const name of ['timestamp.json', 'snapshot.json', `index/${OTHER}.json`]) mirror.answer(name, { kind: 'bytes', bytes: readFileSync(path.join(forged, name)) });
    mirror.answer(`packs/${THIRD}/1.0.0.injpack`, { kind: 'endless' });

    const run = await packsUpdate(dataDir, [OTHER, THIRD]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^injbench: OVERSIZE: ${OTHER}: packs/${OTHER}/1\\.0\\.0\\.injpack is declared as ${limits.packBytes + 1} bytes, over its ${limits.packBytes}-byte cap; not fetched`, 'm'));
    expect(run.stderr).toMatch(new RegExp(`^injbench: LENGTH_MISMATCH: ${THIRD}: packs/${THIRD}/1\\.0\\.0\\.injpack is longer than its signed \\d+ bytes`, 'm'));
    expect(mirror.requested).not.toContain(`packs/${OTHER}/1.0.0.injpack`);
    expect(mirror.requested).toContain(`packs/${THIRD}/1.0.0.injpack`);
    expect(await benchFootprint(dataDir)).toEqual(before);
    expect(refusalCodes(dataDir)).toEqual(['OVERSIZE', 'LENGTH_MISMATCH']);
  }, CLI_TIMEOUT_MS * 2);
});

describe('every other way a bench reads: redirects, compression, stalls, the credits answer, grant files', () => {
  it('refuses a redirect to another host or a file: URL (UNREACHABLE) and a gzip-encoded timestamp that decompresses past its cap (OVERSIZE)', async () => {
    const dataDir = await activatedBench();
    const before = await benchFootprint(dataDir);
    const outcomes: string[] = [];
    for (const location of ['http://198.51.100.7/repo/timestamp.json', `file://${path.join(demo, 'timestamp.json')}`]) {
      mirror.answer('timestamp.json', { kind: 'redirect', location });
      const run = await packsUpdate(dataDir, [ACTIVE]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^injbench: UNREACHABLE: ${ACTIVE}: timestamp\\.json: fetch failed: unexpected redirect`, 'm'));
      outcomes.push(`redirect to ${location.split(':')[0]}: ${run.stderr.trim()}`);
    }
    // 8 MiB of spaces in 8 KiB on the wire: fetch undoes the encoding, the cap counts what it yields.
    const compressed = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20), { level: 9 });
    mirror.answer('timestamp.json', { kind: 'gzip', compressed });
    const bomb = await packsUpdate(dataDir, [ACTIVE]);
    expect(bomb.code, bomb.stderr).toBe(1);
    expect(bomb.stderr).toMatch(new RegExp(`^injbench: OVERSIZE: ${ACTIVE}: timestamp\\.json exceeds its ${limits.timestampBytes}-byte cap`, 'm'));
    outcomes.push(`gzip bomb (${compressed.length} bytes on the wire): ${bomb.stderr.trim()}`);
    console.log(`HTTP attacks:\n${outcomes.join('\n')}`);
    expect(await benchFootprint(dataDir)).toEqual(before);
    expect(refusalCodes(dataDir)).toEqual(['UNREACHABLE', 'UNREACHABLE', 'OVERSIZE']);
  }, CLI_TIMEOUT_MS * 3);

  it('times out a timestamp that stalls mid-body with a typed UNREACHABLE instead of hanging (it hung for good once a GC collected AbortSignal.timeout)', async () => {
    const dataDir = await activatedBench();
    const before = await benchFootprint(dataDir);
    mirror.answer('timestamp.json', { kind: 'stall', bytes: 100 });
    const started = Date.now();
    const run = await packsUpdate(dataDir, [ACTIVE]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^injbench: UNREACHABLE: ${ACTIVE}: timestamp\\.json: the server sent nothing for 15000 ms`, 'm'));
    console.log(`stalled timestamp: refused after ${Date.now() - started} ms: ${run.stderr.trim()}`);
    expect(await benchFootprint(dataDir)).toEqual(before);
  }, CLI_TIMEOUT_MS * 2);

  it('reads the credits answer only up to its cap: an endless body from the server is BAD_RESPONSE, nothing booked', async () => {
    const dataDir = await activatedBench();
    const bench = openBenchForCli(dataDir);
    try {
      // Enrolled with the hostile server (the mirror answers every path it is told to).
      bench.store.syncState.setEnrolment(mirror.url.replace(/repo\/$/, ''), new Date().toISOString(), new Date().toISOString());
    } finally {
      bench.close();
    }
    const before = await benchFootprint(dataDir);
    mirror.answer(CREDIT_GRANTS_PATH, { kind: 'endless' });
    const run = await runCli(['credits', 'fetch', '--data-dir', dataDir], process.env, CLI_TIMEOUT_MS);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^injbench: BAD_RESPONSE: The server's answer to ${CREDIT_GRANTS_PATH} exceeds its ${GRANTS_RESPONSE_MAX_BYTES}-byte cap`, 'm'));
    expect(mirror.bytesSent.get(CREDIT_GRANTS_PATH) ?? 0).toBeLessThan(GRANTS_RESPONSE_MAX_BYTES + 16 * 1024 * 1024);
    expect(await benchFootprint(dataDir)).toEqual(before);
  }, CLI_TIMEOUT_MS * 2);

  it('caps a credit grant file before reading it: 1 GiB is OVERSIZE, a FIFO is MALFORMED (it once blocked forever)', async () => {
    const dataDir = await activatedBench();
    const before = await benchFootprint(dataDir);
    const huge = path.join(makeDir(), 'grant.json');
    writeFileSync(huge, '');
    truncateSync(huge, 1024 * 1024 * 1024);
    const oversize = await runCli(['credits', 'import', huge, '--data-dir', dataDir], process.env, CLI_TIMEOUT_MS);
    expect(oversize.code, oversize.stderr).toBe(1);
    expect(oversize.stderr).toMatch(new RegExp(`^injbench: OVERSIZE: .*grant\\.json is ${1024 * 1024 * 1024} bytes, over the ${CREDIT_GRANT_MAX_BYTES}-byte cap`, 'm'));
    const fifo = path.join(makeDir(), 'grant.fifo');
    execFileSync('mkfifo', [fifo]);
    const blocked = await runCli(['credits', 'import', fifo, '--data-dir', dataDir], process.env, CLI_TIMEOUT_MS);
    expect(blocked.code, blocked.stderr).toBe(1);
    expect(blocked.stderr).toMatch(/^injbench: MALFORMED: .*grant\.fifo is not a regular file/m);
    expect(await benchFootprint(dataDir)).toEqual(before);
  }, CLI_TIMEOUT_MS * 2);
});

describe('offline bundles', () => {
  const audit = ['--actor', 'Ana Admin', '--reason', 'offline refresh', '--ticket', 'OPS-17'];

  /** A bench activated from a good bundle (so the remembered source is that bundle), and its footprint. */
  async function benchFromBundle(): Promise<{ dataDir: string; good: string }> {
    const dataDir = makeDir();
    const good = path.join(makeDir(), 'good.tar.gz');
    await tar.c({ file: good, cwd: demo, gzip: true, portable: true }, ['root', 'timestamp.json', 'snapshot.json', 'index', 'packs']);
    const bench = openBenchForCli(dataDir, { create: true });
    const service = releaseServiceOn(bench, silentLogger());
    try {
      const result = await service.refresh({ actor: 'Ana Admin', reason: 'first bundle', ticket: 'OPS-1', trigger: 'admin', source: { kind: 'bundle', path: good } });
      expect(result.families.map((family) => family.outcome)).toEqual(['activated', 'activated', 'activated']);
    } finally {
      await service.stop();
      bench.close();
    }
    return { dataDir, good };
  }

  /** A refused refresh is an attempt: the header's time moves; the source and every family line stay. */
  function expectUnchanged(before: Awaited<ReturnType<typeof benchFootprint>>, after: Awaited<ReturnType<typeof benchFootprint>>, good: string): void {
    expect(after.files).toEqual(before.files);
    const [beforeHeader, ...beforeFamilies] = before.releases.split('\n');
    const [afterHeader, ...afterFamilies] = after.releases.split('\n');
    expect(afterFamilies).toEqual(beforeFamilies);
    expect(afterHeader?.replace(/last refresh \S+/, '')).toBe(beforeHeader?.replace(/last refresh \S+/, ''));
    expect(afterHeader).toContain(`source bundle ${good}`);
  }

  it('counts every entry, folders included: 20,000 folders are OVERSIZE at the 10,000-entry cap', async () => {
    const { dataDir, good } = await benchFromBundle();
    // 20,000 folder headers of the layout (packs/<family>/), written as tar blocks: no folder is made on disk.
    const blocks = ['packs/', ...Array.from({ length: 19_999 }, (_, i) => `packs/fam-${i}/`)].map((name) => {
      const block = Buffer.alloc(512);
      new tar.Header({ path: name, type: 'Directory', size: 0, mode: 0o755, mtime: new Date(0) }).encode(block, 0);
      return block;
    });
    const evil = path.join(makeDir(), 'folders.tar.gz');
    writeFileSync(evil, gzipSync(Buffer.concat([...blocks, Buffer.alloc(1024)])));
    const before = await benchFootprint(dataDir);
    const run = await runCli(['packs', 'refresh', '--bundle', evil, '--data-dir', dataDir, ...audit], process.env, CLI_TIMEOUT_MS);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^injbench: VERIFICATION_FAILED: OVERSIZE: The offline bundle .* was refused: the bundle holds more than 10000 entries/m);
    expectUnchanged(before, await benchFootprint(dataDir), good);
    expect(readdirSync(path.join(dataDir, 'releases'))).toEqual([]);
  }, CLI_TIMEOUT_MS * 2);

  it('name-checks folders: a folder named timestamp.json is MALFORMED, not INTERNAL: EISDIR', async () => {
    const { dataDir, good } = await benchFromBundle();
    const staging = path.join(makeDir(), 'layout');
    cpSync(demo, staging, { recursive: true });
    rmSync(path.join(staging, 'timestamp.json'));
    mkdirSync(path.join(staging, 'timestamp.json'));
    const evil = path.join(makeDir(), 'folder-timestamp.tar.gz');
    await tar.c({ file: evil, cwd: staging, gzip: true, portable: true }, ['root', 'timestamp.json', 'snapshot.json', 'index', 'packs']);
    const before = await benchFootprint(dataDir);
    const run = await runCli(['packs', 'refresh', '--bundle', evil, '--data-dir', dataDir, ...audit], process.env, CLI_TIMEOUT_MS);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^injbench: VERIFICATION_FAILED: MALFORMED: The offline bundle .* was refused: timestamp\.json\/ is a folder outside the repository layout/m);
    expect(run.stderr).not.toContain('EISDIR');
    expectUnchanged(before, await benchFootprint(dataDir), good);
  }, CLI_TIMEOUT_MS * 2);

  /** One tar entry: its 512-byte header (checksum included) and its body padded to whole blocks. */
  function tarEntry(entry: { path: string; type?: string; size?: number; linkpath?: string; body?: Buffer; typeflag?: string }): Buffer {
    const body = entry.body ?? Buffer.alloc(0);
    const block = Buffer.alloc(512);
    new tar.Header({ path: entry.path, type: (entry.type ?? 'File') as 'File', size: entry.size ?? body.length, mode: 0o644, mtime: new Date(0), linkpath: entry.linkpath }).encode(block, 0);
    if (entry.typeflag) {
      // A type tar.Header cannot write (an unknown flag): patch it in and sum the header again.
      block.write(entry.typeflag, 156, 'latin1');
      block.fill(0x20, 148, 156);
      const sum = block.reduce((total, byte) => total + byte, 0);
      block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    }
    return Buffer.concat([block, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
  }
  const endOfArchive = Buffer.alloc(1024);
  const pax = (fields: { path: string }): Buffer => new tar.Pax(fields).encode();
  const timestampFile = (): Buffer => readFileSync(path.join(demo, 'timestamp.json'));

  it('bounds what a bundle decompresses to by what its tar headers declare: a gzip bomb after a whole archive is OVERSIZE at once', async () => {
    const { dataDir, good } = await benchFromBundle();
    // The whole demo repository, then 64 MiB of zeros inside the same gzip stream (a 64 KiB file).
    const archive = await tar.c({ cwd: demo, portable: true }, ['root', 'timestamp.json', 'snapshot.json', 'index', 'packs']).concat();
    const bomb = path.join(makeDir(), 'bomb.tar.gz');
    writeFileSync(bomb, gzipSync(Buffer.concat([archive, Buffer.alloc(64 * 1024 * 1024)]), { level: 9 }));
    expect(statSync(bomb).size).toBeLessThan(1024 * 1024);
    const before = await benchFootprint(dataDir);
    const run = await runCli(['packs', 'refresh', '--bundle', bomb, '--data-dir', dataDir, ...audit], process.env, CLI_TIMEOUT_MS);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^injbench: VERIFICATION_FAILED: OVERSIZE: The offline bundle .* was refused: the bundle decompresses to more than its tar headers declare/m);
    expectUnchanged(before, await benchFootprint(dataDir), good);
    expect(readdirSync(path.join(dataDir, 'releases'))).toEqual([]);
  }, CLI_TIMEOUT_MS * 2);

  it('refuses every tar entry type, name and record outside the layout with its typed code, nothing unpacked or changed', async () => {
    const { dataDir, good } = await benchFromBundle();
    const cases: Array<{ attack: string; code: 'MALFORMED' | 'OVERSIZE'; reason: RegExp; tar: Buffer; gzip?: false }> = [
      { attack: 'symlink', code: 'MALFORMED', reason: /timestamp\.json is a SymbolicLink, not a file/, tar: tarEntry({ path: 'timestamp.json', type: 'SymbolicLink', linkpath: '/etc/passwd' }) },
      { attack: 'hardlink', code: 'MALFORMED', reason: /timestamp\.json is a Link, not a file/, tar: tarEntry({ path: 'timestamp.json', type: 'Link', linkpath: 'snapshot.json' }) },
      { attack: 'fifo', code: 'MALFORMED', reason: /timestamp\.json is a FIFO, not a file/, tar: tarEntry({ path: 'timestamp.json', type: 'FIFO' }) },
      { attack: 'character device', code: 'MALFORMED', reason: /timestamp\.json is a CharacterDevice, not a file/, tar: tarEntry({ path: 'timestamp.json', type: 'CharacterDevice' }) },
      { attack: 'sparse file', code: 'MALFORMED', reason: /timestamp\.json is an entry of unknown type SparseFile/, tar: tarEntry({ path: 'timestamp.json', typeflag: 'S', body: timestampFile() }) },
      { attack: 'unknown type', code: 'MALFORMED', reason: /timestamp\.json is an entry of unknown type/, tar: tarEntry({ path: 'timestamp.json', typeflag: 'Z', body: timestampFile() }) },
      { attack: 'dot-dot name', code: 'MALFORMED', reason: /\.\.\/timestamp\.json is not part of the repository layout/, tar: tarEntry({ path: '../timestamp.json', body: timestampFile() }) },
      { attack: 'absolute name', code: 'MALFORMED', reason: /\/timestamp\.json is not part of the repository layout/, tar: tarEntry({ path: '/timestamp.json', body: timestampFile() }) },
      { attack: 'backslash name', code: 'MALFORMED', reason: /is not part of the repository layout/, tar: tarEntry({ path: 'index\\..\\timestamp.json', body: timestampFile() }) },
      { attack: 'very long pax name', code: 'MALFORMED', reason: /is not part of the repository layout/, tar: Buffer.concat([pax({ path: `index/${'a'.repeat(300)}.json` }), tarEntry({ path: 'index/a.json', body: timestampFile() })]) },
      { attack: 'oversized pax record', code: 'OVERSIZE', reason: /ExtendedHeader record of 1048576 bytes is over its \d+-byte cap/, tar: tarEntry({ path: 'PaxHeader/timestamp.json', type: 'ExtendedHeader', body: Buffer.alloc(1024 * 1024, 0x20) }) },
      { attack: 'duplicate name', code: 'MALFORMED', reason: /timestamp\.json appears twice/, tar: Buffer.concat([tarEntry({ path: 'timestamp.json', body: timestampFile() }), tarEntry({ path: './timestamp.json', body: timestampFile() })]) },
      { attack: 'case-colliding names', code: 'MALFORMED', reason: /directives\/bench-1\.json appears twice/, tar: Buffer.concat([tarEntry({ path: 'directives/BENCH-1.json', body: timestampFile() }), tarEntry({ path: 'directives/bench-1.json', body: timestampFile() })]) },
      { attack: 'folder named like a pack', code: 'MALFORMED', reason: /1\.0\.0\.injpack\/ is a folder outside the repository layout/, tar: tarEntry({ path: `packs/${ACTIVE}/1.0.0.injpack/`, type: 'Directory' }) },
      { attack: 'file over its role cap', code: 'OVERSIZE', reason: /timestamp\.json is 17000 bytes, over its 16384-byte cap/, tar: tarEntry({ path: 'timestamp.json', body: Buffer.alloc(17_000, 0x20) }) },
      { attack: 'nested archive', code: 'MALFORMED', reason: /a compressed archive inside the compressed archive/, tar: gzipSync(Buffer.concat([tarEntry({ path: 'timestamp.json', body: timestampFile() }), endOfArchive])) },
      { attack: 'not a tar stream', code: 'MALFORMED', reason: /not a readable tar\.gz \(TAR_/, tar: Buffer.alloc(4096, 0x41) },
      { attack: 'damaged gzip', code: 'MALFORMED', reason: /not a readable tar\.gz \(Z_/, tar: Buffer.alloc(0), gzip: false },
    ];
    const before = await benchFootprint(dataDir);
    const bench = openBenchForCli(dataDir);
    const service = releaseServiceOn(bench, silentLogger());
    const outcomes: string[] = [];
    try {
      for (const attack of cases) {
        const file = path.join(makeDir(), `${attack.attack.replace(/\W+/g, '-')}.tar.gz`);
        writeFileSync(file, attack.gzip === false ? Buffer.concat([gzipSync(timestampFile()).subarray(0, 20), Buffer.alloc(64, 0x7f)]) : gzipSync(Buffer.concat([attack.tar, endOfArchive])));
        const refused = await service.refresh({ actor: 'Ana Admin', reason: attack.attack, ticket: 'OPS-17', trigger: 'admin', source: { kind: 'bundle', path: file } }).then(
          () => null,
          (error: unknown) => error as { code: string; message: string },
        );
        outcomes.push(`${attack.attack}: ${refused ? refused.message.split(':')[0] : 'ACCEPTED'}`);
        expect(refused, attack.attack).toMatchObject({ code: 'VERIFICATION_FAILED', message: expect.stringMatching(new RegExp(`^${attack.code}: The offline bundle `)) });
        expect(refused?.message, attack.attack).toMatch(attack.reason);
        expect(readdirSync(path.join(dataDir, 'releases')), attack.attack).toEqual([]);
      }
    } finally {
      await service.stop();
      bench.close();
    }
    console.log(`bundle entry attacks: ${outcomes.join('; ')}`);
    expectUnchanged(before, await benchFootprint(dataDir), good);
  }, CLI_TIMEOUT_MS * 2);

  it('refuses a directory where a file belongs in a file mirror too (MALFORMED)', async () => {
    const dataDir = makeDir();
    const mirrorDir = path.join(makeDir(), 'mirror');
    cpSync(demo, mirrorDir, { recursive: true });
    rmSync(path.join(mirrorDir, 'timestamp.json'));
    mkdirSync(path.join(mirrorDir, 'timestamp.json'));
    const bench = openBenchForCli(dataDir, { create: true });
    try {
      await expect(bench.packs.update(directorySource(mirrorDir), ACTIVE)).rejects.toMatchObject({ name: 'TrustError', code: 'MALFORMED', message: 'timestamp.json is not a regular file.' });
    } finally {
      bench.close();
    }
  });
});

describe('hardware identity from the bench (IDENT)', () => {
  const sims: SimProcess[] = [];
  afterAll(async () => {
    await Promise.all(sims.map((sim) => sim.stop()));
  });

  it('the virtual bench reports a model every demo pack accepts', () => {
    for (const family of demoFamilies) {
      const pack = JSON.parse(readFileSync(path.join(projectRoot, 'resources', 'demo-source', family, 'pack.json'), 'utf8')) as { compatible_hardware: string[] };
      expect(pack.compatible_hardware, family).toContain(VIRTUAL_BENCH_MODEL);
    }
  });

  it('checks activation and preflight against the model the bench reported, and says when the check waits for the session gate', async () => {
    const bench = openBenchForCli(makeDir(), { create: true });
    const service = releaseServiceOn(bench, silentLogger());
    try {
      // No bench has identified itself yet: activation verifies everything else and defers the hardware check.
      const [deferred] = await service.update(directorySource(demo), [ACTIVE]);
      expect(deferred && 'result' in deferred ? deferred.result.hardware : deferred).toEqual({ outcome: 'deferred-to-session-gate', model: null });
      await expect(bench.packs.preflight(ACTIVE)).resolves.toMatchObject({ hardware: { outcome: 'deferred-to-session-gate', model: null } });
      // A production bench whose IDENT model the demo packs list (ib-bench-1), then a swap to one they do not.
      recordBenchHardware(bench, { model: 'ib-bench-1', benchSerial: 'IB-0042', firmware: '3.1.0' });
      const [checked] = await service.update(directorySource(demo), [OTHER]);
      expect(checked && 'result' in checked ? checked.result : checked).toMatchObject({ hardware: { outcome: 'checked', model: 'ib-bench-1' }, gates: { hardware: expect.stringContaining('ib-bench-1') } });
      recordBenchHardware(bench, { model: 'ib-bench-7', benchSerial: 'IB-0099', firmware: '3.1.0' });
      await expect(bench.packs.preflight(OTHER)).rejects.toMatchObject({ name: 'TrustError', code: 'INCOMPATIBLE', message: expect.stringContaining('not ib-bench-7') });
      const [refused] = await service.update(directorySource(demo), [THIRD]);
      expect(refused && 'error' in refused ? refused.error : refused).toMatchObject({ code: 'INCOMPATIBLE' });
    } finally {
      await service.stop();
      bench.close();
    }
  });

  it('refuses the demo packs on a production-shape bench whose IDENT model they do not list (session run), state unchanged', async () => {
    const sim = await startSimProcess(['--tcp', '127.0.0.1:0', '--speed', '200', '--model', 'ib-bench-7']);
    sims.push(sim);
    const dataDir = makeDir();
    openBenchForCli(dataDir, { create: true }).close();
    const before = await benchFootprint(dataDir);
    const run = await runCli(['session', 'run', '--port', sim.address, '--part', 'SYN-0445110-001', '--serial', 'SYN0445110123', '--repo', demo, '--data-dir', dataDir, '--quiet'], process.env, CLI_TIMEOUT_MS);
    expect(run.code, run.stderr).toBe(1);
    for (const family of demoFamilies) expect(run.stderr).toMatch(new RegExp(`^injbench: INCOMPATIBLE: ${family}: ${family} 1\\.0\\.0 is for virtual-bench, ib-bench-1, not ib-bench-7`, 'm'));
    expect(await benchFootprint(dataDir)).toEqual(before);
    const bench = openBenchForCli(dataDir);
    try {
      expect(bench.store.hardware.get()).toMatchObject({ model: 'ib-bench-7' });
    } finally {
      bench.close();
    }
  }, CLI_TIMEOUT_MS * 2);
});

describe('crash leftovers', () => {
  const KILLS = 4;
  const LOOP_BUDGET_MS = 200_000;

  /** Runs `packs update` and SIGKILLs it `delayMs` after it starts fetching the pack (or after `fallbackMs`). */
  function updateKilledMidDownload(dataDir: string, packPath: string, delayMs: number, fallbackMs: number): Promise<'killed' | 'finished'> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'injbench.mjs'), 'packs', 'update', '--repo', mirror.url, '--family', OTHER, '--data-dir', dataDir], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'] });
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      const kill = (): void => void child.kill('SIGKILL');
      const fallback = setTimeout(kill, fallbackMs);
      mirror.onRequest = (name) => {
        if (name === packPath) setTimeout(kill, delayMs);
      };
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        clearTimeout(fallback);
        mirror.onRequest = null;
        if (signal === 'SIGKILL') resolve('killed');
        else if (code === 0) resolve('finished');
        else reject(new Error(`packs update failed by itself (${code}): ${errors}`));
      });
    });
  }

  it('kill -9 at random points of packs update leaves nothing in staging once the next command has started', async () => {
    const dataDir = await activatedBench();
    const before = await benchFootprint(dataDir);
    const packPath = `packs/${OTHER}/1.0.0.injpack`;
    const packBytes = statSync(path.join(demo, packPath)).size;
    // The pack trickles out over about 2.5 s, so each kill lands in the middle of the download.
    const ticks = 50;
    mirror.answer(packPath, { kind: 'slow', bytesPerTick: Math.ceil(packBytes / ticks), tickMs: 50 });
    const staging = path.join(dataDir, 'packs', 'staging');
    const leftoversSeen: number[] = [];
    const started = Date.now();
    let kills = 0;
    while (kills < KILLS && Date.now() - started < LOOP_BUDGET_MS) {
      // What the previous kill left is at most its own partial download: each start removed the one before.
      expect(readdirSync(staging).length).toBeLessThanOrEqual(1);
      const delayMs = 400 + Math.floor(Math.random() * (ticks * 50 - 800));
      const outcome = await updateKilledMidDownload(dataDir, packPath, delayMs, CLI_TIMEOUT_MS);
      expect(outcome).toBe('killed');
      kills += 1;
      const left = readdirSync(staging);
      for (const name of left) leftoversSeen.push(statSync(path.join(staging, name)).size);
    }
    console.log(`crash leftovers: ${kills} kills in ${Math.round((Date.now() - started) / 1000)} s; partial downloads left by the kills (bytes of ${packBytes}): ${leftoversSeen.join(', ')}`);
    expect(kills).toBeGreaterThanOrEqual(2);
    expect(leftoversSeen.some((size) => size > 0 && size < packBytes)).toBe(true);

    // The next command, whatever it is, starts by removing them.
    const next = await runCli(['packs', 'releases', '--data-dir', dataDir], process.env, CLI_TIMEOUT_MS);
    expect(next.code, next.stderr).toBe(0);
    expect(readdirSync(staging)).toEqual([]);
    expect(readdirSync(path.join(dataDir, 'packs')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await benchFootprint(dataDir)).toEqual(before);
    expect(existsSync(path.join(dataDir, 'packs', 'store', OTHER))).toBe(false);
  }, 420_000);
});
