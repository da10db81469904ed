/**
 * Steps 1 to 6 of docs/trust-packs.md for callers that need only the verified metadata and target (the
 * release command line, the policy tests): a thin user of the trust client, trust/trust-client.ts, where
 * every check lives.
 */
import type { MetadataSource } from './source';
import { TrustClient, type BenchProfile, type TargetInputs, type TrustedMetadata, type VerifiedRelease } from './trust-client';

/** Verifies one family's metadata from `source` and resolves its target; nothing is persisted. */
export async function verifyRelease(
  input: {
    source: MetadataSource;
    family: string;
    bench: BenchProfile;
    trusted: TrustedMetadata;
    now: Date;
  } & TargetInputs,
): Promise<VerifiedRelease> {
  const client = new TrustClient({ family: input.family, bench: input.bench, trusted: input.trusted, now: input.now });
  return client.updateMetadata(input.source, { localPin: input.localPin, policyActive: input.policyActive, lastKnownGood: input.lastKnownGood });
}
