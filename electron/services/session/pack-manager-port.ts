/**
 * Binds the session's PackPort to the bench's PackManager: the family is found from the active packs'
 * test plans, and the pack is re-verified before every session (docs/trust-packs.md step 10: the checks
 * are TrustClient.recheckInstalled in trust/trust-client.ts, reached through PackManager.preflight).
 */
import { sha256Hex } from '../../../trust/crypto';
import { TrustError } from '../../../trust/errors';
import { readPackFile } from '../../../trust/pack';
import { calibrationSchema, type Calibration } from '../../../trust/pack-content';
import type { ActivationResult, PackManager, PreflightResult } from '../packs/pack-manager';
import type { KnownPart } from '../../contract/bench-api';
import type { PackPort, VerifiedPackForSession } from './ports';

const CALIBRATION_FILE = 'calibration.json';

/**
 * Reads calibration.json from a verified pack and checks its bytes again: the file may change after
 * verification (step 10 covers the gap between the re-hash and this read; the manifest hash is the one the
 * trust client checked against the signed index).
 */
export async function readCalibration(preflight: PreflightResult): Promise<Calibration> {
  const bytes = await readPackFile(preflight.packPath, preflight.verified, CALIBRATION_FILE);
  const listed = preflight.manifest.files.find((file) => file.path === CALIBRATION_FILE);
  if (!listed || sha256Hex(bytes) !== listed.hashes.sha256) throw new TrustError('HASH_MISMATCH', `${CALIBRATION_FILE} of ${preflight.family} ${preflight.version} changed after verification.`);
  const parsed = calibrationSchema.safeParse(JSON.parse(bytes.toString('utf8')));
  if (!parsed.success) throw new TrustError('MALFORMED', `${CALIBRATION_FILE} of ${preflight.family} ${preflight.version} is not a calibration.`);
  return parsed.data;
}

export class PackManagerPort implements PackPort {
  /** Part numbers per pack, by manifest hash: a pack's content never changes under its hash. */
  readonly #partsBySha = new Map<string, readonly string[]>();

  /**
   * @param recheckPins the release service's session-start pin check (ReleaseService.recheckPins): run
   * before the active pack is re-verified, so a pin that expired or was set since the last resolution
   * changes the pack this session runs, or refuses it with the resolver's typed error.
   */
  constructor(
    private readonly manager: PackManager,
    private readonly recheckPins: (family: string) => Promise<ActivationResult | null>,
  ) {}

  async familyForPart(partNumber: string): Promise<string | null> {
    for (const known of await this.knownParts()) if (known.partNumber === partNumber) return known.family;
    return null;
  }

  /** Every part number the active packs list, with the pack that codes it: what the technician can start. */
  async knownParts(): Promise<KnownPart[]> {
    const known: KnownPart[] = [];
    for (const [family, release] of Object.entries(this.manager.readState().trusted.active)) {
      let parts = this.#partsBySha.get(release.manifest_sha256);
      if (!parts) {
        try {
          const calibration = await readCalibration(await this.manager.preflight(family));
          parts = calibration.test_plans.flatMap((plan) => plan.part_numbers);
          this.#partsBySha.set(release.manifest_sha256, parts);
        } catch {
          // A family whose pack fails verification cannot be chosen; the preflight gate reports why.
          continue;
        }
      }
      for (const partNumber of parts) known.push({ partNumber, family, version: release.version });
    }
    return known;
  }

  /** The session's pack gate, step 10: pins re-checked, then the active pack re-verified (fallback to LKG). */
  async preflight(family: string): Promise<VerifiedPackForSession> {
    const resolved = await this.recheckPins(family);
    const result = await this.manager.preflight(family, { fallbackToLkg: true });
    const calibration = await readCalibration(result);
    return {
      family,
      version: result.version,
      sha256: result.sha256,
      releaseCounter: result.manifest.release_counter,
      compatibleHardware: result.manifest.compatible_hardware,
      calibration,
      resolvedBy: result.fellBackToLkg
        ? 'the last-known-good pack (the active one failed re-verification)'
        : resolved
          ? `${resolved.resolvedBy} (resolved again at session start: the local pin changed)`
          : 'the active pack of this bench',
    };
  }

  markSessionCompleted(family: string): void {
    this.manager.markSessionCompleted(family);
  }
}
