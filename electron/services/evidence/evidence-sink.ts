/**
 * Evidence: who did what, when and why, kept append-only. In the app the hash-chained, signed integrity
 * log implements this port (integrity-log-evidence-sink.ts); the JSON-lines sink is the fallback.
 */
import { z } from 'zod';

const detailValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const evidenceEntrySchema = z.strictObject({
  /** When it happened (ISO 8601, UTC). */
  at: z.iso.datetime(),
  /** Dotted name of what happened, e.g. `app-update.install.deferred`. */
  kind: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'expected a dotted lower-case kind like app-update.check'),
  /** Who acted: `bench` for the app itself, otherwise the admin or service named by the caller. */
  actor: z.string().min(1).max(200),
  /** Why, in words a support engineer can read later. */
  reason: z.string().min(1).max(2000),
  /** Flat facts: versions, channels, outcomes. Flat so every sink can store and compare them. */
  details: z.record(z.string(), detailValueSchema),
});

export type EvidenceEntry = z.infer<typeof evidenceEntrySchema>;

export interface EvidenceSink {
  /** Resolves once the entry is durable; rejects (and keeps nothing partial) when it cannot be. */
  append(entry: EvidenceEntry): Promise<void>;
}

/** Keeps entries in memory: for tests, and for callers that must not touch the disk. */
export class MemoryEvidenceSink implements EvidenceSink {
  readonly #entries: EvidenceEntry[] = [];

  async append(entry: EvidenceEntry): Promise<void> {
    this.#entries.push(Object.freeze(evidenceEntrySchema.parse(entry)));
  }

  entries(): readonly EvidenceEntry[] {
    return [...this.#entries];
  }

  kinds(): string[] {
    return this.#entries.map((entry) => entry.kind);
  }
}
