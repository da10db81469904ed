/**
 * Ed25519 verification cost per signature: the code base's strict verify (trust/ed25519.ts: libsodium, the
 * prime-order key check cached per key) against the baseline, OpenSSL through node:crypto (what the bench ran
 * before, with its KeyObject cached the same way), measured in the same run over the same signatures. Also the
 * uncached key check, paid once per new key (a root load, an enrolment, a bench's first request).
 *
 *   npx tsx bench/ed25519-verify.ts [signatures=2000] [rounds=5]
 */
import { createPublicKey, verify as opensslVerify, type KeyObject } from 'node:crypto';
import { generateKeyPair, isStrictPublicKey, signDetached, verifyDetached } from '../trust/ed25519';

const count = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 5);
const keys = Array.from({ length: 40 }, () => generateKeyPair());
const checks = Array.from({ length: count }, (_, i) => {
  const pair = keys[i % keys.length] as (typeof keys)[number];
  const message = Buffer.from(`checkpoint ${i} of a coding-session log batch, with its entry hash and time`);
  return { message, signature: signDetached(message, pair.secretKey), publicKey: pair.publicKey };
});
const keyObjects = new Map<Uint8Array, KeyObject>(keys.map((pair) => [pair.publicKey, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pair.publicKey).toString('base64url') }, format: 'jwk' })]));

type Verify = (check: (typeof checks)[number]) => boolean;

/** CPU µs per signature of one pass (process CPU time: the shared machine's load moves wall time far more). */
function pass(verify: Verify): number {
  const start = process.cpuUsage();
  for (const check of checks) if (!verify(check)) throw new Error('a valid signature failed');
  const used = process.cpuUsage(start);
  return (used.user + used.system) / checks.length;
}

const strictVerify: Verify = (check) => verifyDetached(check.message, check.signature, check.publicKey);
const opensslVerifyCached: Verify = (check) => opensslVerify(null, check.message, keyObjects.get(check.publicKey) as KeyObject, check.signature);
// Interleaved rounds, fastest of each: both see the same phases of the machine's load.
let strict = Number.POSITIVE_INFINITY;
let openssl = Number.POSITIVE_INFINITY;
for (let round = 0; round < rounds; round += 1) {
  strict = Math.min(strict, pass(strictVerify));
  openssl = Math.min(openssl, pass(opensslVerifyCached));
}
const fresh = Array.from({ length: 500 }, () => generateKeyPair().publicKey);
const keyStart = process.cpuUsage();
for (const publicKey of fresh) if (!isStrictPublicKey(publicKey)) throw new Error('a generated key was refused');
const keyUsed = process.cpuUsage(keyStart);
const keyCheck = (keyUsed.user + keyUsed.system) / fresh.length;

process.stdout.write(`strict Ed25519 verify (libsodium, key check cached): ${strict.toFixed(1)} µs/signature over ${count} signatures, CPU time, fastest of ${rounds} interleaved rounds\n`);
process.stdout.write(`baseline OpenSSL verify (node:crypto, KeyObject cached): ${openssl.toFixed(1)} µs/signature\n`);
process.stdout.write(`ratio strict / OpenSSL: ${(strict / openssl).toFixed(2)} (lower is faster)\n`);
process.stdout.write(`uncached key check (canonical, prime order), once per new key: ${keyCheck.toFixed(1)} µs\n`);
