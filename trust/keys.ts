import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { keyPairFromSecret, type KeyPair } from './crypto';
import { TrustError } from './errors';
import { writeFileAtomic } from './atomic-file';
import { keyRoles, type KeyRole } from './schemas';

const keyFileSchema = z.object({
  role: z.enum(keyRoles),
  scheme: z.literal('ed25519'),
  keyid: z.string(),
  public: z.string().regex(/^[0-9a-f]{64}$/),
  secret: z.string().regex(/^[0-9a-f]{128}$/),
  development: z.boolean().default(false),
});

export function keyFilePath(directory: string, role: KeyRole): string {
  return path.join(directory, `${role}.key.json`);
}

/** Private key files are written with mode 0600 and never overwritten. */
export function writeKeyFile(directory: string, role: KeyRole, key: KeyPair, development: boolean): string {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const file = keyFilePath(directory, role);
  if (existsSync(file)) throw new TrustError('RELEASE_REFUSED', `${file} exists; refusing to overwrite a private key.`);
  const body = {
    role,
    scheme: 'ed25519',
    keyid: key.keyid,
    public: Buffer.from(key.publicKey).toString('hex'),
    secret: Buffer.from(key.secretKey).toString('hex'),
    development,
  };
  writeFileAtomic(file, Buffer.from(`${JSON.stringify(body, null, 2)}\n`), 0o600);
  chmodSync(file, 0o600);
  return file;
}

export interface LoadedKey extends KeyPair {
  development: boolean;
}

export function readKeyFile(directory: string, role: KeyRole): LoadedKey {
  return readKeyFileAt(keyFilePath(directory, role), role);
}

/** A key file by its path (the server's credits key, for one); the file must hold a key of `role`. */
export function readKeyFileAt(file: string, role: KeyRole): LoadedKey {
  if (!existsSync(file)) throw new TrustError('NOT_FOUND', `no ${role} key at ${file} (run "injbench release keygen").`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new TrustError('MALFORMED', `${file} is not a ${role} key file.`);
  }
  const parsed = keyFileSchema.safeParse(raw);
  if (!parsed.success || parsed.data.role !== role) throw new TrustError('MALFORMED', `${file} is not a ${role} key file.`);
  const pair = keyPairFromSecret(Buffer.from(parsed.data.secret, 'hex'));
  if (pair.keyid !== parsed.data.keyid) throw new TrustError('MALFORMED', `${file}: key id does not match the key.`);
  return { ...pair, development: parsed.data.development };
}

export type RoleKeyPairs = Record<KeyRole, LoadedKey>;

export function readAllKeys(directory: string): RoleKeyPairs {
  return Object.fromEntries(keyRoles.map((role) => [role, readKeyFile(directory, role)])) as RoleKeyPairs;
}
