import { TrustError } from '../../../trust/errors';
import type { CreditGrant } from '../../../trust/schemas';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import type { PackManager } from '../packs/pack-manager';
import type { SessionRepository } from '../store/session-repository';
import { verifyCreditGrant } from '../../../trust/credit-grant';
import { openTrustedRoot } from '../../../trust/trust-client';

export interface GrantImport {
  grant: CreditGrant;
  /** False when this grant was imported before: nothing was added. */
  added: boolean;
  balance: number;
}

/** Verifies a grant against the bench's current root of trust and books it once. */
export function importCreditGrant(
  deps: { benchId: string; packs: PackManager; sessions: SessionRepository; log: IntegrityLog; now: () => Date },
  bytes: Uint8Array,
): GrantImport {
  const { trusted } = deps.packs.readState();
  const root = openTrustedRoot(Buffer.from(trusted.rootBase64, 'base64'));
  let grant: CreditGrant;
  try {
    // Redemption is the ledger's job (a grant id is booked once, and a re-import books nothing), so the
    // verifier gets no redeemed set here. The clock is the packs' trusted clock: a clock set back before the
    // last trusted time is CLOCK_ROLLBACK here too, or it would revive an expired grant.
    grant = verifyCreditGrant(bytes, { root, benchId: deps.benchId, now: deps.now(), lastTrustedTime: trusted.lastTrustedTime, redeemedGrantIds: new Set() });
  } catch (error) {
    deps.log.append('credits.grant_refused', { code: error instanceof TrustError ? error.code : 'INTERNAL' });
    throw error;
  }
  const added = deps.sessions.addGrant(
    { grantId: grant.grant_id, credits: grant.credits, issuedAt: grant.issued_at, expires: grant.expires },
    bytes,
    deps.now().toISOString(),
  );
  if (added) deps.log.append('credits.grant_imported', { grantId: grant.grant_id, credits: grant.credits, expires: grant.expires });
  return { grant, added, balance: deps.sessions.balance() };
}
