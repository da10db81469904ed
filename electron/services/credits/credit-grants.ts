/**
 * Credit grants: signed by the server's credits key (a role of the root of trust), bound to one bench,
 * time-limited. The bench verifies a grant before a single credit reaches its ledger; importing the
 * same grant twice adds nothing.
 */
import type { KeyPair } from '../../../trust/crypto';
import { openEnvelope, parsePayload, requireThreshold, signDocument } from '../../../trust/envelope';
import { TrustError } from '../../../trust/errors';
import { creditGrantSchema, type CreditGrant, type RootDocument } from '../../../trust/schemas';

export const MAX_GRANT_BYTES = 16 * 1024;

export function signCreditGrant(grant: CreditGrant, signers: readonly KeyPair[]): Uint8Array {
  return signDocument('credit_grant', creditGrantSchema.parse(grant), signers);
}

export function verifyCreditGrant(bytes: Uint8Array, root: RootDocument, benchId: string, now: Date): CreditGrant {
  const envelope = openEnvelope(bytes, MAX_GRANT_BYTES, 'credit grant');
  requireThreshold('credit_grant', envelope, root.roles.credits, root.keys, 'credit grant');
  const grant = parsePayload(envelope, creditGrantSchema, 'credit grant');
  if (grant.bench_id !== benchId) throw new TrustError('WRONG_TARGET', `This credit grant is for bench ${grant.bench_id}, not ${benchId}.`);
  if (Date.parse(grant.expires) <= now.getTime()) throw new TrustError('EXPIRED', `This credit grant expired on ${grant.expires}.`);
  return grant;
}
