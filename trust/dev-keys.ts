/**
 * Development keys are derived from public seeds, so anyone can sign with them: that is what makes the
 * demo repository reproducible, and why a production build refuses them (DEV_KEY_IN_PROD).
 */
import { createHash } from 'node:crypto';
import { keyIdOf, type KeyPair } from './crypto';
import { keyPairFromSeed } from './ed25519';
import { keyRoles, type KeyRole, type RootDocument } from './schemas';

export function developmentKeyPair(role: KeyRole, generation = 1): KeyPair {
  const seed = createHash('sha256').update(`injbench/1 development key ${role} ${generation}`).digest();
  const pair = keyPairFromSeed(seed);
  return { keyid: keyIdOf(pair.publicKey), publicKey: pair.publicKey, secretKey: pair.secretKey };
}

/** Ids of the development keys of the first generations, recognised even when not marked as such. */
export const developmentKeyIds: ReadonlySet<string> = new Set(
  keyRoles.flatMap((role) => [1, 2, 3].map((generation) => developmentKeyPair(role, generation).keyid)),
);

export function developmentKeysIn(root: RootDocument): string[] {
  return Object.entries(root.keys)
    .filter(([keyid, key]) => key.development === true || developmentKeyIds.has(keyid))
    .map(([keyid]) => keyid);
}
