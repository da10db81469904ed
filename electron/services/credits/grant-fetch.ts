/**
 * The bench fetches the credit grants the central server issued to it: one request signed with the
 * bench key (the same signing as log sync), then each grant is verified against the bench's root of
 * trust and booked once by importCreditGrant. A grant that fails verification is reported and skipped;
 * the others still count.
 */
import { TrustError } from '../../../trust/errors';
import type { BenchCore } from '../bench-core';
import { SyncError, sendSignedRequest } from '../../../common/central-api/client';
import { creditGrantsResponseSchema } from '../../../common/central-api/protocol';
import { importCreditGrant } from './credit-service';
import { CREDIT_GRANTS_PATH } from '../../../common/central-api/paths';

export interface GrantFetchOutcome {
  serverUrl: string;
  imported: { grantId: string; credits: number }[];
  alreadyImported: string[];
  refused: { grantId: string; code: string; message: string }[];
  balance: number;
}

/** The grants answer is read up to this and no further (an endless or bloated body is BAD_RESPONSE). */
export const GRANTS_RESPONSE_MAX_BYTES = 16 * 1024 * 1024;

export async function fetchCreditGrants(bench: Pick<BenchCore, 'identity' | 'packs' | 'store' | 'log' | 'now'>, options: { timeoutMs?: number } = {}): Promise<GrantFetchOutcome> {
  const serverUrl = bench.store.syncState.get().serverUrl;
  if (!serverUrl) throw new SyncError('NOT_ENROLLED', 'This bench is not enrolled with a central server: enrol it first (injbench sync enrol).', false);
  const answer = await sendSignedRequest({
    serverUrl,
    identity: bench.identity,
    method: 'GET',
    path: CREDIT_GRANTS_PATH,
    responseSchema: creditGrantsResponseSchema,
    timeoutMs: options.timeoutMs ?? 15_000,
    // Every grant the protocol allows at its typical size (~1 KiB each), not the 10,000 x 64 KiB its schema once let through.
    maxResponseBytes: GRANTS_RESPONSE_MAX_BYTES,
    now: bench.now,
  });
  if (answer.benchId !== bench.identity.benchId) throw new SyncError('BAD_RESPONSE', `The server answered with the grants of ${answer.benchId}.`, false);
  const outcome: GrantFetchOutcome = { serverUrl, imported: [], alreadyImported: [], refused: [], balance: 0 };
  const deps = { benchId: bench.identity.benchId, packs: bench.packs, sessions: bench.store.sessions, log: bench.log, now: bench.now };
  for (const { grantId, grantBase64 } of answer.grants) {
    try {
      const result = importCreditGrant(deps, Buffer.from(grantBase64, 'base64'));
      if (result.added) outcome.imported.push({ grantId: result.grant.grant_id, credits: result.grant.credits });
      else outcome.alreadyImported.push(result.grant.grant_id);
    } catch (error) {
      if (!(error instanceof TrustError)) throw error;
      outcome.refused.push({ grantId, code: error.code, message: error.message });
    }
  }
  if (outcome.imported.length > 0) bench.log.checkpoint();
  outcome.balance = bench.store.sessions.balance();
  return outcome;
}
