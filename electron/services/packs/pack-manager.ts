/**
 * The bench side of docs/trust-packs.md's verification order. Every check of signed metadata and of the pack
 * is in the trust client (trust/trust-client.ts): steps 1-6 (`updateMetadata`), 7 (`verifyTargetFile`) and
 * 10 (`TrustClient.recheckInstalled`). Here: the download into staging, step 8 (store and activate
 * atomically, then persist the trusted state), step 9 (evidence of every outcome) and the last-known-good.
 *
 *   <dataDir>/packs/state.json                       trusted state, stored metadata bytes, active and LKG
 *   <dataDir>/packs/store/<family>/<sha256>.injpack  verified packs, immutable, named by manifest hash
 *   <dataDir>/packs/staging/                         downloads being verified
 *   <dataDir>/packs/evidence.jsonl                   one line per outcome, success or typed failure
 *
 * Activation and the new trusted state are one atomic rename of state.json, written only after the pack
 * is verified and durably in the store: a restart finds the old state or the new one, and the state
 * never names a pack that is not fully on disk. Plain Node: never imports electron.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, openSync, fsyncSync, closeSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fsyncDirectory, writeFileAtomic, writerIsGone } from '../../../trust/atomic-file';
import { sha256Hex } from '../../../trust/crypto';
import { openEnvelope, parsePayload, requireThreshold } from '../../../trust/envelope';
import { TrustError, isTrustError } from '../../../trust/errors';
import type { VerifiedPack } from '../../../trust/pack';
import { indexSchema, limits, type DirectiveDocument, type IndexDocument, type PackManifest } from '../../../trust/schemas';
import { downloadDeclared, type MetadataSource } from '../../../trust/source';
import type { ActiveRelease, LocalPin, Resolution } from '../../../trust/target-policy';
import { TrustClient, directiveInForce, initialTrustedMetadata, openStoredDirective, openTrustedRoot, replaceTrustAnchor, type BenchProfile, type TrustedMetadata } from '../../../trust/trust-client';

const signedBy = z.array(z.string()).max(32).optional();
const activeSchema = z.object({ version: z.string(), release_counter: z.number().int(), manifest_sha256: z.string() });
const stateSchema = z.object({
  schema: z.literal(1),
  trusted: z.object({
    rootBase64: z.string(),
    lastTrustedTime: z.string().nullable(),
    // keyids: who signed each trusted document, so a root rotation forgets exactly what the removed keys pinned.
    timestamp: z.object({ version: z.number(), sha256: z.string(), keyids: signedBy }).nullable(),
    snapshot: z.object({ version: z.number(), sha256: z.string(), keyids: signedBy }).nullable(),
    indexes: z.record(z.string(), z.object({ sequence: z.number(), sha256: z.string(), keyids: signedBy })),
    directive: z.object({ seq: z.number(), sha256: z.string(), keyids: signedBy, acceptedAt: z.string().optional() }).nullable(),
    directiveIssuedAfter: z.string().nullable().optional(),
    active: z.record(z.string(), activeSchema),
  }),
  /**
   * Exact bytes (base64) of the metadata the trusted state was built from, for preflight and for resolving
   * again at session start without the network (storedSource). The snapshot is absent in older state files.
   */
  stored: z.object({
    indexes: z.record(z.string(), z.string()),
    directive: z.string().nullable(),
    snapshot: z.string().nullable().default(null),
    /** The timestamp the snapshot was accepted under: a re-resolution without the network needs its freshness too. */
    timestamp: z.string().nullable().default(null),
  }),
  lkg: z.record(z.string(), activeSchema),
  /**
   * Per family, the release the signed policy (directive or channel) last activated. A channel never
   * resolves below it; a local pin may lift the active pack above it until the pin ends.
   */
  policy: z.record(z.string(), activeSchema).default({}),
  /**
   * Per family, the local pin (localPinKey) in force when the active pack was chosen: the session-start
   * gate resolves again when the bench's pin is no longer that one (expired, set, replaced or removed since).
   * Absent for packs activated before this was recorded.
   */
  chosenUnder: z.record(z.string(), z.string()).default({}),
});
export type PackState = z.infer<typeof stateSchema>;

export interface PackManagerOptions {
  dataDir: string;
  bundledRoot: Uint8Array;
  bench: BenchProfile;
  now?: () => Date;
  /** Writes state.json atomically; replaceable so tests can make the disk fail at exactly this step. */
  writeAtomically?: (file: string, bytes: Uint8Array, mode: number) => void;
  /**
   * Where each outcome is recorded. The app passes its hash-chained integrity log; without one the
   * manager keeps <dataDir>/packs/evidence.jsonl (command-line use on a bare directory, tests).
   */
  evidence?: (entry: { event: string } & Record<string, unknown>) => void;
  /** Called after each step of an update; the crash-safety test kills the process at each one. */
  onStep?: (step: ActivationStep) => void;
}

export const activationSteps = ['metadata-verified', 'downloaded', 'pack-verified', 'stored', 'persisted'] as const;
export type ActivationStep = (typeof activationSteps)[number];

/**
 * Where a pack's hardware compatibility was checked: against the model the connected bench reported in
 * IDENT (recorded in the bench store), or, while no bench has reported one, deferred to the session gate,
 * which checks the pack against the bench the session runs on before anything is coded.
 */
export type HardwareCheck = { outcome: 'checked'; model: string } | { outcome: 'deferred-to-session-gate'; model: null };

function hardwareCheck(model: string | null): HardwareCheck {
  return model === null ? { outcome: 'deferred-to-session-gate', model: null } : { outcome: 'checked', model };
}

/** The hardware gate as the evidence and the command line word it. */
export function describeHardwareCheck(check: HardwareCheck): string {
  return check.outcome === 'checked'
    ? `pass (${check.model}, as the bench reported it)`
    : 'deferred to the session gate (no bench has reported its model to this data directory yet)';
}

export interface ActivationResult {
  family: string;
  version: string;
  sha256: string;
  releaseCounter: number;
  changed: boolean;
  resolvedBy: string;
  resolution: Resolution;
  previous: string | null;
  /** The gates the release passed, for the evidence entry and the Releases view. */
  gates: Record<string, string>;
  hardware: HardwareCheck;
}

/** Who asked for an update and why; recorded with the outcome. */
export interface UpdateAudit {
  actor: string;
  reason: string;
  ticket: string;
}

export interface UpdateOptions {
  localPin?: LocalPin | null;
  audit?: UpdateAudit;
}

export interface PreflightResult {
  family: string;
  version: string;
  sha256: string;
  packPath: string;
  manifest: PackManifest;
  verified: VerifiedPack;
  /** True when the active pack failed and the last-known-good one was re-verified and re-activated. */
  fellBackToLkg: boolean;
  hardware: HardwareCheck;
}

export class PackManager {
  readonly directory: string;
  private readonly statePath: string;
  private readonly now: () => Date;

  constructor(private readonly options: PackManagerOptions) {
    this.directory = path.join(options.dataDir, 'packs');
    this.statePath = path.join(this.directory, 'state.json');
    this.now = options.now ?? (() => new Date());
    mkdirSync(path.join(this.directory, 'staging'), { recursive: true });
    mkdirSync(path.join(this.directory, 'store'), { recursive: true });
  }

  /** The persisted state, or the initial one built on the bundled root. A corrupt state file is MALFORMED. */
  readState(): PackState {
    if (!existsSync(this.statePath)) {
      return { schema: 1, trusted: initialTrustedMetadata(this.options.bundledRoot), stored: { indexes: {}, directive: null, snapshot: null, timestamp: null }, lkg: {}, policy: {}, chosenUnder: {} };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.statePath, 'utf8'));
    } catch {
      throw new TrustError('MALFORMED', `${this.statePath} is not JSON; the trusted state is damaged.`);
    }
    const parsed = stateSchema.safeParse(raw);
    if (!parsed.success) throw new TrustError('MALFORMED', `${this.statePath} is not a pack state file.`);
    return parsed.data;
  }

  packPath(family: string, sha256: string): string {
    return path.join(this.directory, 'store', family, `${sha256}.injpack`);
  }

  private writeState(state: PackState): void {
    const write = this.options.writeAtomically ?? writeFileAtomic;
    try {
      write(this.statePath, Buffer.from(JSON.stringify(state)), 0o600);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      throw new TrustError('STORAGE_FAILED', `could not persist the pack state (${reason}); the previous state is still in force.`, { cause: error });
    }
  }

  private evidence(entry: { event: string } & Record<string, unknown>): void {
    if (this.options.evidence) return this.options.evidence(entry);
    appendFileSync(path.join(this.directory, 'evidence.jsonl'), `${JSON.stringify({ at: this.now().toISOString(), bench_id: this.options.bench.benchId, ...entry })}\n`);
  }

  /** After a crash: what removePackLeftovers removes, for this manager's directory. */
  removeLeftovers(): string[] {
    return removePackLeftovers(this.directory);
  }

  /** Steps 1 to 9: verify the metadata, fetch and verify the pack in staging, activate, persist, record. */
  async update(source: MetadataSource, family: string, options: UpdateOptions = {}): Promise<ActivationResult> {
    const state = this.readState();
    const audit = options.audit ? { actor: options.audit.actor, reason: options.audit.reason, ticket: options.audit.ticket } : {};
    const staged = path.join(this.directory, 'staging', `${family}-${process.pid}-${randomBytes(6).toString('hex')}.injpack`);
    try {
      // Steps 1-6 in the trust client: metadata and target (pure; nothing persisted).
      const client = new TrustClient({ family, bench: this.options.bench, trusted: state.trusted, now: this.now() });
      const release = await client.updateMetadata(source, {
        localPin: options.localPin ?? null,
        policyActive: state.policy[family] ?? state.trusted.active[family] ?? null,
        lastKnownGood: state.lkg[family] ?? null,
      });
      const step = this.options.onStep ?? (() => undefined);
      step('metadata-verified');
      // Read once: verifyTargetFile checks the pack against this same profile (trust/pack.ts).
      const hardware = hardwareCheck(this.options.bench.hardware);
      const sha256 = release.entry.manifest.sha256;
      const active = state.trusted.active[family];
      const target = this.packPath(family, sha256);

      // Step 7: fetch into staging bounded by min(signed length, pack cap); the trust client checks the manifest and every file.
      if (!(active?.manifest_sha256 === sha256 && existsSync(target))) {
        await downloadDeclared(source, `packs/${family}/${release.version}.injpack`, release.entry.pack_length, limits.packBytes, staged);
        step('downloaded');
        await client.verifyTargetFile(staged);
        syncFile(staged);
        step('pack-verified');
        // Step 8a: the verified pack enters the store by rename; the store holds only whole, verified packs.
        mkdirSync(path.dirname(target), { recursive: true });
        renameSync(staged, target);
        fsyncDirectory(path.dirname(target));
        step('stored');
      } else {
        await client.verifyTargetFile(target);
      }

      // Step 8b: activation and the new trusted state in one atomic rename, only now.
      const next: TrustedMetadata = release.next;
      const activated = { version: release.version, release_counter: release.entry.release_counter, manifest_sha256: sha256 };
      next.active = { ...next.active, [family]: activated };
      // A local pin lifts the active pack without moving what the signed policy reached; everything else
      // (directive, channel, and an admin rollback to the last-known-good) sets it.
      const policy = { ...state.policy };
      if (release.resolution === 'local-pin') {
        if (!policy[family] && active) policy[family] = active;
      } else {
        policy[family] = activated;
      }
      this.writeState({
        schema: 1,
        trusted: next,
        stored: {
          indexes: { ...state.stored.indexes, [family]: Buffer.from(release.bytes.index).toString('base64') },
          // No directive served and none trusted any more (a director key rotation reset it): nothing to keep.
          directive: release.bytes.directive ? Buffer.from(release.bytes.directive).toString('base64') : next.directive ? state.stored.directive : null,
          snapshot: Buffer.from(release.bytes.snapshot).toString('base64'),
          timestamp: Buffer.from(release.bytes.timestamp).toString('base64'),
        },
        lkg: state.lkg,
        policy,
        // An expired pin passed in was not applied: the pack was chosen under no pin.
        chosenUnder: { ...state.chosenUnder, [family]: localPinKey(release.localPinExpired ? null : (options.localPin ?? null)) },
      });
      step('persisted');
      const changed = active?.manifest_sha256 !== sha256;
      const gates = {
        metadata: 'pass',
        target: release.resolution,
        revoked: 'pass',
        security_floor: `pass (counter ${release.entry.release_counter} >= floor ${release.index.security_floor})`,
        downgrade: active ? `pass (counter ${release.entry.release_counter} vs active ${active.release_counter})` : 'pass (nothing active)',
        pack: 'pass',
        hardware: describeHardwareCheck(hardware),
      };
      // Step 9: evidence of the outcome (the refusal of any step is recorded in the catch below).
      this.evidence({ event: 'activate', family, version: release.version, sha256, changed, resolved_by: release.resolvedBy, previous: active?.version ?? null, ...audit, gates });
      return { family, version: release.version, sha256, releaseCounter: release.entry.release_counter, changed, resolvedBy: release.resolvedBy, resolution: release.resolution, previous: active?.version ?? null, gates, hardware };
    } catch (error) {
      // Step 9 for a refusal: the typed code of the check that failed closed.
      this.evidence({ event: 'activate-refused', family, code: isTrustError(error) ? error.code : 'INTERNAL', message: error instanceof Error ? error.message : String(error), ...audit, ...(options.localPin ? { local_pin: options.localPin } : {}) });
      throw error;
    } finally {
      rmSync(staged, { force: true });
    }
  }

  /**
   * Replaces the bench's trust anchor out of band (recovery from a stolen root key; the checks:
   * trust/trust-client.ts replaceTrustAnchor). The new state holds the new root and nothing else: no trusted
   * metadata, no active or last-known-good pack (the next update installs afresh), the clock floor kept. Pack
   * files stay in the store, re-verified before any is activated again. A refusal changes nothing.
   */
  replaceTrustAnchor(rootBytes: Uint8Array, confirmedSha256: string, audit: { actor: string; reason: string; ticket: string }): { rootVersion: number; sha256: string; forgotten: string[] } {
    const state = this.readState();
    let replaced: ReturnType<typeof replaceTrustAnchor>;
    try {
      replaced = replaceTrustAnchor({ trusted: state.trusted, rootBytes, confirmedSha256, production: this.options.bench.production, now: this.now() });
    } catch (error) {
      this.evidence({ event: 'trust-anchor-refused', code: isTrustError(error) ? error.code : 'INTERNAL', message: error instanceof Error ? error.message : String(error), ...audit });
      throw error;
    }
    const forgotten = Object.keys(state.trusted.active).sort();
    this.writeState({ schema: 1, trusted: replaced.trusted, stored: { indexes: {}, directive: null, snapshot: null, timestamp: null }, lkg: {}, policy: {}, chosenUnder: {} });
    const sha256 = sha256Hex(rootBytes);
    this.evidence({
      event: 'trust-anchor-replaced',
      previous_root_sha256: sha256Hex(Buffer.from(state.trusted.rootBase64, 'base64')),
      root: { version: replaced.root.version, sha256 },
      forgotten_active: forgotten,
      ...audit,
    });
    return { rootVersion: replaced.root.version, sha256, forgotten };
  }

  /**
   * Step 10, before every coding session: re-verify the stored metadata from disk and re-hash the active
   * pack (the checks: TrustClient.recheckInstalled). When the active pack is damaged, the LKG pack is used
   * only if it re-verifies the same way.
   */
  async preflight(family: string, options: { fallbackToLkg?: boolean } = {}): Promise<PreflightResult> {
    try {
      return await this.preflightOrThrow(family, options);
    } catch (error) {
      // A refused session start is evidence too: support sees why coding stayed locked.
      this.evidence({ event: 'preflight-refused', family, code: isTrustError(error) ? error.code : 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }

  private async preflightOrThrow(family: string, options: { fallbackToLkg?: boolean }): Promise<PreflightResult> {
    const state = this.readState();
    const active = state.trusted.active[family];
    if (!active) throw new TrustError('NOT_ACTIVE', `no pack is active for ${family}.`);
    try {
      return await this.verifyInstalled(state, family, active, false);
    } catch (error) {
      const lkg = state.lkg[family];
      const damaged = isTrustError(error) && ['HASH_MISMATCH', 'LENGTH_MISMATCH', 'MALFORMED', 'OVERSIZE', 'NOT_FOUND'].includes(error.code);
      if (!options.fallbackToLkg || !damaged || !lkg || lkg.manifest_sha256 === active.manifest_sha256) throw error;
      const result = await this.verifyInstalled(state, family, lkg, true);
      state.trusted.active = { ...state.trusted.active, [family]: lkg };
      this.writeState(state);
      this.evidence({ event: 'fallback-to-lkg', family, version: lkg.version, sha256: lkg.manifest_sha256, cause: (error as TrustError).code });
      return result;
    }
  }

  /**
   * The family's index as last trusted (its stored bytes, re-checked against the trusted hash and the
   * index role), for showing what is available; null when the bench has not trusted one yet.
   */
  trustedIndex(family: string): IndexDocument | null {
    const state = this.readState();
    const stored = state.stored.indexes[family];
    const seen = state.trusted.indexes[family];
    if (!stored || !seen) return null;
    const bytes = Buffer.from(stored, 'base64');
    if (sha256Hex(bytes) !== seen.sha256) throw new TrustError('HASH_MISMATCH', `the stored index of ${family} is not the trusted one.`);
    const root = openTrustedRoot(Buffer.from(state.trusted.rootBase64, 'base64'));
    const envelope = openEnvelope(bytes, limits.indexBytes, `stored index ${family}`);
    requireThreshold('index', envelope, root.roles.index, root.keys, `stored index ${family}`);
    return parsePayload(envelope, indexSchema, `stored index ${family}`);
  }

  /**
   * The directive this bench follows now: the trusted one (stored bytes re-checked against the trusted hash and
   * the director role), or null when there is none or it has expired, since an expired directive decides
   * nothing (no app channel or hold, no offline grace; an update refuses it). The one reader of the stored
   * directive for the releases view and the app's updates.
   */
  directiveInForce(): DirectiveDocument | null {
    const state = this.readState();
    const root = openTrustedRoot(Buffer.from(state.trusted.rootBase64, 'base64'));
    return directiveInForce(openStoredDirective(state.stored.directive, state.trusted, root), this.now());
  }

  /**
   * Whether the family's active pack was chosen under another local pin than `pin` (the bench's pin now):
   * then the session-start gate must resolve again. A pack activated before this was recorded counts as
   * chosen under no pin; a family with nothing active has nothing to re-check.
   */
  chosenUnderOtherPin(family: string, pin: LocalPin | null): boolean {
    const state = this.readState();
    if (!state.trusted.active[family]) return false;
    return (state.chosenUnder[family] ?? localPinKey(null)) !== localPinKey(pin);
  }

  /**
   * The metadata the trusted state was built from and the packs already in the store, as a source: the
   * same resolution (verifyRelease) again without the network. Only what was verified before is served;
   * a version never fetched is NOT_FOUND, and whatever is served is verified again as from any source.
   */
  storedSource(): MetadataSource {
    const state = this.readState();
    const bytesOf = (base64: string | null | undefined): Uint8Array | null => (base64 ? Buffer.from(base64, 'base64') : null);
    const files = new Map<string, Uint8Array | null>([
      // A state written before the timestamp was stored serves none: that re-resolution is NOT_FOUND until a refresh.
      ['timestamp.json', bytesOf(state.stored.timestamp)],
      ['snapshot.json', bytesOf(state.stored.snapshot)],
      ...Object.entries(state.stored.indexes).map(([family, bytes]) => [`index/${family}.json`, bytesOf(bytes)] as const),
      ...(this.options.bench.benchId ? [[`directives/${this.options.bench.benchId}.json`, bytesOf(state.stored.directive)] as const] : []),
    ]);
    const describe = () => `the stored metadata and pack store of ${this.directory}`;
    return {
      describe,
      read: async (name, maxBytes) => {
        const bytes = files.get(name) ?? null;
        if (bytes && bytes.length > maxBytes) throw new TrustError('OVERSIZE', `stored ${name} is ${bytes.length} bytes, over the ${maxBytes}-byte cap.`);
        return bytes;
      },
      download: async (name, maxBytes, destination) => {
        const match = /^packs\/([^/]+)\/([^/]+)\.injpack$/.exec(name);
        const family = match?.[1] ?? '';
        const version = match?.[2] ?? '';
        // The index was verified by the caller before any download; here it only locates the stored file.
        const stored = bytesOf(state.stored.indexes[family]);
        const sha256 = stored ? parsePayload(openEnvelope(stored, limits.indexBytes, `stored index ${family}`), indexSchema, `stored index ${family}`).versions[version]?.manifest.sha256 : undefined;
        const file = sha256 ? this.packPath(family, sha256) : null;
        if (!file || !existsSync(file)) {
          throw new TrustError('NOT_FOUND', `${family} ${version} is not in this bench's pack store (it was never fetched); refresh from the release source to fetch it.`);
        }
        if (statSync(file).size > maxBytes) throw new TrustError('OVERSIZE', `the stored pack of ${family} ${version} is over the signed ${maxBytes}-byte length.`);
        copyFileSync(file, destination);
      },
    };
  }

  /** A coding session completed cleanly on the active pack: it becomes the last-known-good. */
  markSessionCompleted(family: string): void {
    const state = this.readState();
    const active = state.trusted.active[family];
    if (!active) throw new TrustError('NOT_ACTIVE', `no pack is active for ${family}.`);
    state.lkg = { ...state.lkg, [family]: active };
    this.writeState(state);
    this.evidence({ event: 'lkg', family, version: active.version, sha256: active.manifest_sha256 });
  }

  /** Step 10 on one release (the active one or the LKG): every check is TrustClient.recheckInstalled. */
  private async verifyInstalled(state: PackState, family: string, release: ActiveRelease, fellBackToLkg: boolean): Promise<PreflightResult> {
    const packPath = this.packPath(family, release.manifest_sha256);
    const hardware = hardwareCheck(this.options.bench.hardware);
    const { verified } = await TrustClient.recheckInstalled({
      family,
      release,
      trusted: state.trusted,
      storedIndex: state.stored.indexes[family],
      storedDirective: state.stored.directive,
      packFile: packPath,
      bench: this.options.bench,
      now: this.now(),
    });
    return { family, version: release.version, sha256: release.manifest_sha256, packPath, manifest: verified.manifest, verified, fellBackToLkg, hardware };
  }
}

/** One string per local pin (kind, target and end time), to tell whether the pin changed. */
export function localPinKey(pin: LocalPin | null): string {
  if (!pin) return 'none';
  if ('channel' in pin) return `channel ${pin.channel} until ${pin.endsAt}`;
  return `${pin.rollbackToLkg ? 'rollback' : 'version'} ${pin.version} until ${pin.endsAt}`;
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * After a crash: staged downloads and half-written state temporaries are garbage (the state file itself is
 * always whole). Run at every start (removeStartLeftovers in bench-core.ts), before any update. Each
 * temporary carries its writer's pid; one whose writer still runs (the app and a command on one data
 * directory) is left alone. Returns what it removed, relative to `packsDirectory`.
 */
export function removePackLeftovers(packsDirectory: string): string[] {
  const staging = path.join(packsDirectory, 'staging');
  const writer = (name: string, pattern: RegExp): number | null => {
    const pid = pattern.exec(name)?.[1];
    return pid === undefined ? null : Number(pid);
  };
  const listed = (directory: string): string[] => (existsSync(directory) ? readdirSync(directory) : []);
  const leftovers = [
    // A staged download: <family>-<pid>-<random>.injpack; any other name in staging is garbage too.
    ...listed(staging)
      .filter((name) => {
        const pid = writer(name, /-(\d+)-[0-9a-f]{12}\.injpack$/);
        return pid === null || writerIsGone(pid);
      })
      .map((name) => path.join(staging, name)),
    ...listed(packsDirectory)
      .filter((name) => {
        const pid = writer(name, /^state\.json\.(\d+)\.tmp$/);
        return pid !== null && writerIsGone(pid);
      })
      .map((name) => path.join(packsDirectory, name)),
  ];
  for (const file of leftovers) rmSync(file, { recursive: true, force: true });
  return leftovers.map((file) => path.relative(packsDirectory, file));
}
