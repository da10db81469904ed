/**
 * Reconciliation of a bench's credits: the grants this server issued against what the bench's synced,
 * sealed integrity log says it did with them. The log is the settlement trace: `credits.grant_imported`
 * books a grant, `session.completed` (and any other session end) carries `creditsDebited`. Findings:
 *
 * - UNKNOWN_GRANT: the bench booked a grant this server never issued to it (or with other credits);
 * - DOUBLE_SPEND:  one grant booked twice, or one session charged twice;
 * - OVERSPEND:     a debit took the bench below zero against the grants the server knows it issued.
 *
 * Each finding is recorded once and raises an alarm once, however often reconciliation runs.
 */
import { z } from 'zod';
import type { DistributionRepository } from '../store/distribution-repository';
import type { BenchRecord } from '../store/server-repository';

export type FindingKind = 'UNKNOWN_GRANT' | 'DOUBLE_SPEND' | 'OVERSPEND';

export interface CreditFinding {
  kind: FindingKind;
  /** What the finding is about: grant:<id> or session:<id>. */
  subject: string;
  seq: number;
  message: string;
}

export interface CreditReconciliation {
  benchId: string;
  /** Only entries sealed by a signed checkpoint count; later ones wait for the next run. */
  sealedThrough: number;
  issued: { grants: number; credits: number };
  booked: { grants: number; credits: number };
  spent: { sessions: number; credits: number };
  /** Known grants booked minus credits spent, as the server reckons it. */
  balance: number;
  findings: CreditFinding[];
  /** Findings recorded (and alarmed) by this run; older ones were recorded before. */
  newFindings: number;
}

export const SETTLEMENT_ENTRY_TYPES = ['credits.grant_imported', 'session.completed', 'session.aborted', 'session.refused'] as const;

const grantImportedSchema = z.object({ grantId: z.string(), credits: z.number() }).loose();
const sessionEndSchema = z.object({ sessionId: z.string(), creditsDebited: z.number().optional() }).loose();

function payloadOf(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return null;
  }
}

export async function reconcileBench(store: DistributionRepository, bench: BenchRecord, now: Date): Promise<CreditReconciliation> {
  const benchId = bench.bench_id;
  const sealedThrough = Number(bench.sealed_through);
  const allGrants = new Map((await store.grants()).map((grant) => [grant.grant_id, grant]));
  const issued = [...allGrants.values()].filter((grant) => grant.bench_id === benchId);
  const entries = await store.logEntriesOfTypes(benchId, SETTLEMENT_ENTRY_TYPES, sealedThrough);

  const findings: CreditFinding[] = [];
  const bookedGrants = new Set<string>();
  const chargedSessions = new Set<string>();
  let balance = 0;
  let bookedCredits = 0;
  let spentCredits = 0;
  let spentSessions = 0;
  for (const entry of entries) {
    const payload = payloadOf(entry.payloadJson);
    if (entry.type === 'credits.grant_imported') {
      const parsed = grantImportedSchema.safeParse(payload);
      if (!parsed.success) continue;
      const { grantId, credits } = parsed.data;
      const grant = allGrants.get(grantId);
      if (!grant || grant.bench_id !== benchId || grant.credits !== credits) {
        const why = !grant ? 'this server never issued it' : grant.bench_id !== benchId ? `it was issued to ${grant.bench_id}` : `it was issued for ${grant.credits} credits, not ${credits}`;
        findings.push({ kind: 'UNKNOWN_GRANT', subject: `grant:${grantId}`, seq: entry.seq, message: `${benchId} booked grant ${grantId} (${credits} credits) at entry ${entry.seq}, but ${why}.` });
        continue;
      }
      if (bookedGrants.has(grantId)) {
        findings.push({ kind: 'DOUBLE_SPEND', subject: `grant:${grantId}`, seq: entry.seq, message: `${benchId} booked grant ${grantId} a second time at entry ${entry.seq}: its ${credits} credits were minted twice.` });
        continue;
      }
      bookedGrants.add(grantId);
      bookedCredits += grant.credits;
      balance += grant.credits;
      continue;
    }
    const parsed = sessionEndSchema.safeParse(payload);
    const debit = parsed.success ? (parsed.data.creditsDebited ?? 0) : 0;
    if (!parsed.success || debit <= 0) continue;
    const { sessionId } = parsed.data;
    if (chargedSessions.has(sessionId)) {
      findings.push({ kind: 'DOUBLE_SPEND', subject: `session:${sessionId}`, seq: entry.seq, message: `${benchId} charged session ${sessionId} a second time at entry ${entry.seq} (${debit} credits).` });
    }
    chargedSessions.add(sessionId);
    spentSessions += 1;
    spentCredits += debit;
    balance -= debit;
    if (balance < 0) {
      findings.push({ kind: 'OVERSPEND', subject: `session:${sessionId}`, seq: entry.seq, message: `${benchId} spent ${debit} credits on session ${sessionId} at entry ${entry.seq} with only ${balance + debit} left from the grants this server issued (balance ${balance}).` });
    }
  }

  let newFindings = 0;
  for (const finding of findings) {
    const recorded = await store.recordFinding({
      key: `${benchId}:${finding.kind}:${finding.subject}`,
      benchId,
      kind: `CREDITS_${finding.kind}`,
      message: finding.message,
      detail: { subject: finding.subject, seq: finding.seq },
      at: now.toISOString(),
    });
    if (recorded) newFindings += 1;
  }
  return {
    benchId,
    sealedThrough,
    issued: { grants: issued.length, credits: issued.reduce((sum, grant) => sum + grant.credits, 0) },
    booked: { grants: bookedGrants.size, credits: bookedCredits },
    spent: { sessions: spentSessions, credits: spentCredits },
    balance,
    findings,
    newFindings,
  };
}
