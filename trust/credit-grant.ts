/**
 * Credit grants: signed by the credits role for one bench, single use (the grant id), with an expiry.
 * Whoever keeps the credit balance stores the ids it has redeemed and passes them here.
 */
import type { KeyPair } from './crypto';
import { openEnvelope, parsePayload, requireThreshold, signDocument } from './envelope';
import { TrustError } from './errors';
import { requireTrustedClock } from './trust-client';
import { SPEC, creditGrantSchema, parseOrMalformed, type CreditGrant, type RootDocument } from './schemas';

export const CREDIT_GRANT_MAX_BYTES = 16 * 1024;

/** Grant times are whole seconds (the schema's ISO form without milliseconds). */
const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A grant issued now for `validDays`, signed with the credits key: the fields and the signed bytes. */
export function issueCreditGrant(
  input: { benchId: string; grantId: string; credits: number; validDays: number; issuedAt: Date },
  credits: KeyPair,
): { grant: Omit<CreditGrant, 'type' | 'spec'>; bytes: Uint8Array } {
  const grant = {
    bench_id: input.benchId,
    grant_id: input.grantId,
    credits: input.credits,
    issued_at: isoSeconds(input.issuedAt),
    expires: isoSeconds(new Date(input.issuedAt.getTime() + input.validDays * 86_400_000)),
  };
  return { grant, bytes: signCreditGrant(grant, credits) };
}

export function signCreditGrant(grant: Omit<CreditGrant, 'type' | 'spec'>, credits: KeyPair): Uint8Array {
  return signDocument('credit_grant', parseOrMalformed(creditGrantSchema, { type: 'credit_grant', spec: SPEC, ...grant }, 'credit grant'), [credits]);
}

export function verifyCreditGrant(
  bytes: Uint8Array,
  options: {
    root: RootDocument;
    benchId: string;
    now: Date;
    /** The bench's trusted clock floor (state.json lastTrustedTime): a clock set back would revive an expired grant. */
    lastTrustedTime: string | null;
    redeemedGrantIds: ReadonlySet<string>;
  },
): CreditGrant {
  requireTrustedClock(options.lastTrustedTime, options.now);
  const envelope = openEnvelope(bytes, CREDIT_GRANT_MAX_BYTES, 'credit grant');
  requireThreshold('credit_grant', envelope, options.root.roles.credits, options.root.keys, 'credit grant');
  const grant = parsePayload(envelope, creditGrantSchema, 'credit grant');
  // Rule: a grant is for one bench; replaying it elsewhere or twice must not mint credits.
  if (grant.bench_id !== options.benchId) throw new TrustError('WRONG_TARGET', `credit grant ${grant.grant_id} is for bench ${grant.bench_id}, not ${options.benchId}.`);
  if (options.redeemedGrantIds.has(grant.grant_id)) throw new TrustError('ROLLBACK', `credit grant ${grant.grant_id} was already redeemed.`);
  if (Date.parse(grant.expires) <= options.now.getTime()) throw new TrustError('EXPIRED', `credit grant ${grant.grant_id} expired at ${grant.expires}.`);
  if (Date.parse(grant.issued_at) > options.now.getTime() + 5 * 60_000) throw new TrustError('MALFORMED', `credit grant ${grant.grant_id} is issued in the future.`);
  return grant;
}
