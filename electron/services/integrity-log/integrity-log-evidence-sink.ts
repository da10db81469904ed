import { evidenceEntrySchema, type EvidenceEntry, type EvidenceSink } from '../evidence/evidence-sink';
import type { IntegrityLog } from './integrity-log';

/**
 * The evidence port backed by the bench's integrity log: app-update checks, deferrals and installs are
 * hash-chained, sealed and synced with every other decision instead of living in a side file.
 */
export class IntegrityLogEvidenceSink implements EvidenceSink {
  constructor(private readonly log: Pick<IntegrityLog, 'append'>) {}

  async append(entry: EvidenceEntry): Promise<void> {
    const valid = evidenceEntrySchema.parse(entry);
    // The log appends synchronously under synchronous=FULL: once this resolves, the entry is durable.
    this.log.append(valid.kind, { at: valid.at, actor: valid.actor, reason: valid.reason, ...valid.details });
  }
}
