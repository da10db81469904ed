/**
 * The bench's identity: an Ed25519 key pair made at first start. The private key lives in one file
 * (mode 0600) and never leaves the bench; the public key and bench id are kept in the store.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { benchIdOf, fingerprintOf } from '../../../trust/bench-id';
import { ServiceError } from '../service-error';
import type { BenchStore } from '../store/bench-store';
import { decodeBase64, encodeBase64, generateKeyPair, keyPairFromSecretKey, signDetached, type Ed25519KeyPair } from '../../../trust/ed25519';

export const BENCH_KEY_FILE = path.join('keys', 'bench-ed25519.key');

export interface BenchIdentity {
  readonly benchId: string;
  /** Base64 Ed25519 public key. */
  readonly publicKey: string;
  /** First 16 hex digits of the public key's SHA-256, for reading aloud or comparing by eye. */
  readonly fingerprint: string;
  sign(message: Uint8Array): Uint8Array;
}

/** write → fsync → rename → fsync(dir): the key file exists whole or not at all. */
function writeSecretFileAtomically(file: string, contents: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  const dir = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

function readKeyPair(file: string): Ed25519KeyPair {
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new ServiceError('STORE_ERROR', `The bench key ${file} is readable by other users (mode ${mode.toString(8)}): run chmod 600 on it.`);
  }
  const secret = decodeBase64(readFileSync(file, 'utf8').trim());
  const pair = secret ? keyPairFromSecretKey(secret) : null;
  if (!pair) throw new ServiceError('STORE_ERROR', `The bench key ${file} is not a valid Ed25519 key; restore it from backup or re-enrol the bench.`);
  return pair;
}

export function loadOrCreateBenchIdentity(dataDir: string, store: BenchStore, now: () => Date = () => new Date()): BenchIdentity {
  const keyFile = path.join(dataDir, BENCH_KEY_FILE);
  const stored = store.identity.get();
  let pair: Ed25519KeyPair;
  let benchId: string;
  if (stored) {
    pair = readKeyPair(keyFile);
    if (encodeBase64(pair.publicKey) !== stored.publicKey) {
      throw new ServiceError('STORE_ERROR', `The bench key ${keyFile} does not match the identity in the bench database; restore the matching key.`);
    }
    benchId = stored.benchId;
  } else {
    pair = generateKeyPair();
    benchId = benchIdOf(pair.publicKey);
    writeSecretFileAtomically(keyFile, `${encodeBase64(pair.secretKey)}\n`);
    store.identity.create({ benchId, publicKey: encodeBase64(pair.publicKey), createdAt: now().toISOString() });
  }
  const secretKey = pair.secretKey;
  return {
    benchId,
    publicKey: encodeBase64(pair.publicKey),
    fingerprint: fingerprintOf(pair.publicKey),
    sign: (message) => signDetached(message, secretKey),
  };
}
