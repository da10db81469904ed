/**
 * Strict Ed25519 (issue 17, item 3): one vector table of weak keys and malleable signatures, run against the
 * bench's pack verification (PackManager with the shipped trust profile), the central server's batch verifier
 * (its production constructor, worker threads) and the CLI (`injbench release verify`). Each is refused with a
 * typed code and the bench's state is left as it was; the control rows show each forgery is real.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify as opensslVerify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sodium from 'sodium-native';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SignatureVerifier } from '../../../server/sync/signature-verifier';
import { keyIdOf } from '../../../trust/crypto';
import { generateKeyPair, isStrictPublicKey, signDetached, verifyDetached } from '../../../trust/ed25519';
import { signDocument } from '../../../trust/envelope';
import { promote } from '../../../trust/repository';
import { SIGNATURE_CONTEXT } from '../../../trust/crypto';
import { createTrustFixture, expectRefused, makePack, type TrustFixture } from '../../helpers/trust-fixture';
import { signWithIdentityR, weakKeyVectors, withUnreducedS } from '../../helpers/ed25519-vectors';
import { useTempDirs } from '../../helpers/temp-dir';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const makeDir = useTempDirs();
const FAMILY = 'fam-a';
const A = generateKeyPair();
const vectors = weakKeyVectors(A);
const message = Buffer.from('injbench strict ed25519 vector');

/** OpenSSL through node:crypto, the verifier the bench used before: the control that each forgery is real. */
function opensslAccepts(msg: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
    return opensslVerify(null, msg, key, signature);
  } catch {
    return false;
  }
}

describe('the vector table', () => {
  it('holds real forgeries: OpenSSL accepts the small-order and mixed-order ones the strict check refuses', () => {
    const lenient = vectors.filter((vector) => opensslAccepts(message, vector.sign(message), vector.publicKey)).map((vector) => vector.name);
    expect(lenient).toEqual(expect.arrayContaining(['identity key', 'all-zero key', 'mixed-order key A + order-2 point', 'mixed-order key A + order-8 point']));
    for (const vector of vectors) {
      expect(isStrictPublicKey(vector.publicKey), vector.name).toBe(false);
      expect(verifyDetached(message, vector.sign(message), vector.publicKey), vector.name).toBe(false);
    }
    // libsodium's own checks (is_valid_point, then verify) pass A + the order-2 point: the [L - 1] test is what refuses it.
    const order2Mixed = vectors.find((vector) => vector.name === 'mixed-order key A + order-2 point');
    if (!order2Mixed) throw new Error('vector table lost its order-2 mixed key');
    expect(sodium.crypto_core_ed25519_is_valid_point(order2Mixed.publicKey)).toBe(true);
    expect(sodium.crypto_sign_verify_detached(order2Mixed.sign(message), message, order2Mixed.publicKey)).toBe(true);
    const good = signDetached(message, A.secretKey);
    expect(opensslAccepts(message, signWithIdentityR(A, message), A.publicKey)).toBe(true);
    expect(verifyDetached(message, signWithIdentityR(A, message), A.publicKey)).toBe(false);
    expect(verifyDetached(message, withUnreducedS(good), A.publicKey)).toBe(false);
    expect(isStrictPublicKey(A.publicKey)).toBe(true);
    expect(verifyDetached(message, good, A.publicKey)).toBe(true);
  });
});

describe("the central server's batch verifier (its production constructor)", () => {
  let verifier: SignatureVerifier;
  beforeAll(() => {
    verifier = new SignatureVerifier();
  });
  afterAll(() => verifier.close());

  it('fails every weak key and malleable signature in one batch and passes the valid one', async () => {
    const good = signDetached(message, A.secretKey);
    const checks = [
      ...vectors.map((vector) => ({ message, signature: vector.sign(message), publicKey: vector.publicKey })),
      { message, signature: withUnreducedS(good), publicKey: A.publicKey },
      { message, signature: signWithIdentityR(A, message), publicKey: A.publicKey },
      { message, signature: good, publicKey: A.publicKey },
    ];
    expect(await verifier.verify(checks)).toEqual([...vectors.map(() => false), false, false, true]);
  });
});

describe("the bench's pack verification (the shipped trust profile)", () => {
  let fixture: TrustFixture;
  beforeEach(() => {
    fixture = createTrustFixture(makeDir);
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    promote(fixture.context(), fixture.keys, { family: FAMILY, version: '1.0.0', to: 'stable' });
  });

  async function activeBench() {
    const manager = fixture.bench();
    await expect(manager.update(fixture.source(), FAMILY)).resolves.toMatchObject({ version: '1.0.0' });
    return manager;
  }

  it.each(vectors.map((vector) => [vector.name, vector] as const))('refuses a root that lists the %s beside A at threshold 2 (WEAK_KEY)', async (_name, vector) => {
    const manager = await activeBench();
    const weakId = keyIdOf(vector.publicKey);
    // One secret (A's) signs for both key ids: a root like this would let it meet a threshold of 2 alone.
    fixture.writeRoot((root) => {
      root.keys[keyIdOf(A.publicKey)] = { scheme: 'ed25519', public: Buffer.from(A.publicKey).toString('hex') };
      root.keys[weakId] = { scheme: 'ed25519', public: vector.publicKey.toString('hex') };
      root.roles.index = { keyids: [keyIdOf(A.publicKey), weakId], threshold: 2 };
    }, [fixture.keys.root]);
    await expectRefused(fixture, manager, FAMILY, 'WEAK_KEY');
  });

  it.each([
    ['S >= L', (sig: Buffer) => withUnreducedS(sig)],
    ['a small-order R', (_sig: Buffer, payload: Buffer) => signWithIdentityR(fixture.keys.index, Buffer.concat([Buffer.from(`${SIGNATURE_CONTEXT}:index:`), payload]))],
  ])('refuses an index whose only signature has %s (BAD_SIGNATURE)', async (_name, forge) => {
    const manager = await activeBench();
    const file = path.join(fixture.repo, 'index', `${FAMILY}.json`);
    fixture.resign(`index/${FAMILY}.json`, 'index', (index) => ((index.sequence as number) += 1), [fixture.keys.index], { refresh: false });
    const envelope = JSON.parse(readFileSync(file, 'utf8')) as { signed: string; signatures: { keyid: string; sig: string }[] };
    const signature = Buffer.from(envelope.signatures[0]?.sig ?? '', 'hex');
    envelope.signatures = [{ keyid: fixture.keys.index.keyid, sig: forge(signature, Buffer.from(envelope.signed, 'base64')).toString('hex') }];
    writeFileSync(file, JSON.stringify(envelope));
    fixture.refresh();
    await expectRefused(fixture, manager, FAMILY, 'BAD_SIGNATURE');
  });
});

describe('the CLI (injbench release verify)', () => {
  it('refuses a trusted root that lists a mixed-order key as WEAK_KEY, by name', () => {
    const fixture = createTrustFixture(makeDir);
    fixture.publish(makePack(FAMILY, '1.0.0', 1));
    const mixed = vectors.find((vector) => vector.name.startsWith('mixed-order key A + order-2'));
    if (!mixed) throw new Error('vector table lost its mixed-order key');
    const root = JSON.parse(Buffer.from(JSON.parse(readFileSync(path.join(fixture.repo, 'root', '1.root.json'), 'utf8')).signed, 'base64').toString('utf8'));
    root.keys[keyIdOf(mixed.publicKey)] = { scheme: 'ed25519', public: mixed.publicKey.toString('hex') };
    root.roles.index.keyids.push(keyIdOf(mixed.publicKey));
    const trustedRoot = path.join(makeDir(), 'root.json');
    writeFileSync(trustedRoot, signDocument('root', root, [fixture.keys.root]));
    const result = spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'injbench.mjs'), 'release', 'verify', '--repo', fixture.repo, '--trusted-root', trustedRoot, '--channel', 'canary'], {
      cwd: projectRoot,
      encoding: 'utf8',
      env: { ...process.env, INJBENCH_PRODUCTION: '' },
      timeout: 60_000,
    });
    expect(result.stderr).toMatch(/^injbench: WEAK_KEY: trusted root: keys\.[0-9a-f]{64}\.public: not a canonical Ed25519 public key of prime order/);
    expect(result.status).toBe(1);
  });
});
