/**
 * The signed documents of docs/trust-packs.md as zod schemas. Unknown fields are accepted (they are covered by
 * the signature over the exact bytes) but never read.
 */
import { z } from 'zod';
import { keyIdOf } from './crypto';
import { isStrictPublicKey } from './ed25519';
import { TrustError, type TrustErrorCode } from './errors';
import { benchIdSchema } from './bench-id';

export const SPEC = 'injbench/1';
export const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
export const timestamp = z.iso.datetime({ message: 'expected an ISO 8601 UTC time' });
export const featureId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a family id (a-z, 0-9, -)');
export const semver = z.string().regex(/^\d{1,6}\.\d{1,6}\.\d{1,6}$/, 'expected a version like 1.2.3');
export const channelNames = ['canary', 'staged', 'stable', 'lts'] as const;
export const channelName = z.enum(channelNames);
export type ChannelName = z.infer<typeof channelName>;
export const keyRoles = ['root', 'index', 'timestamp', 'director', 'credits'] as const;
export type KeyRole = (typeof keyRoles)[number];

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const positive = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const auditText = z.string().min(1).max(2000);

/**
 * A role's keys: each key id once (a repeated id would read as a second vote for one secret), and a threshold
 * the listed keys can meet (above their number no document of the role could ever be accepted).
 */
export const roleKeysSchema = z
  .object({
    keyids: z.array(hex64).min(1).max(32),
    threshold: z.number().int().min(1).max(32),
  })
  .superRefine((role, context) => {
    if (new Set(role.keyids).size !== role.keyids.length) context.addIssue({ code: 'custom', message: 'a key id is listed twice' });
    if (role.threshold > role.keyids.length) context.addIssue({ code: 'custom', message: `threshold ${role.threshold} is above the ${role.keyids.length} key(s) listed` });
  });
export type RoleKeys = z.infer<typeof roleKeysSchema>;

/** The issue param that makes a parse failure a specific trust code instead of MALFORMED (see `trustCodeOf`). */
const weakKey = { trustCode: 'WEAK_KEY' satisfies TrustErrorCode };

/** A public key any signed document lists: a canonical Ed25519 point of prime order (trust/ed25519.ts), else WEAK_KEY. */
export const strictPublicKeyHex = hex64.refine((hex) => isStrictPublicKey(Buffer.from(hex, 'hex')), {
  message: 'not a canonical Ed25519 public key of prime order',
  params: weakKey,
});

export const publicKeySchema = z.object({
  scheme: z.literal('ed25519'),
  public: strictPublicKeyHex,
  development: z.boolean().optional(),
});

export const rootSchema = z
  .object({
    type: z.literal('root'),
    spec: z.literal(SPEC),
    version: positive,
    expires: timestamp,
    environment: z.enum(['production', 'development']),
    keys: z.record(hex64, publicKeySchema),
    roles: z.object({ root: roleKeysSchema, index: roleKeysSchema, timestamp: roleKeysSchema, director: roleKeysSchema, credits: roleKeysSchema }),
  })
  .superRefine((root, context) => {
    for (const [keyid, key] of Object.entries(root.keys)) {
      if (keyIdOf(Buffer.from(key.public, 'hex')) !== keyid) context.addIssue({ code: 'custom', message: `key id ${keyid.slice(0, 12)} is not the SHA-256 of its public key` });
    }
    for (const [role, spec] of Object.entries(root.roles)) {
      for (const keyid of spec.keyids) {
        if (!root.keys[keyid]) context.addIssue({ code: 'custom', message: `role ${role} names unknown key ${keyid.slice(0, 12)}` });
      }
    }
  });
export type RootDocument = z.infer<typeof rootSchema>;

export const versionEntrySchema = z.object({
  manifest: z.object({ sha256: hex64, length: positive }),
  pack_length: positive,
  release_counter: count,
  built_dirty: z.boolean().default(false),
  published_at: timestamp.optional(),
  /** Release notes shown to workshop admins before they pin; signed with the index. */
  notes: z.string().max(2000).optional(),
});
export type VersionEntry = z.infer<typeof versionEntrySchema>;

export const channelPointerSchema = z.object({
  version: semver,
  rollout_percent: z.number().int().min(0).max(100).default(100),
  /** What benches outside the rollout cohort get; without it they keep what they have. */
  fallback_version: semver.optional(),
});
export type ChannelPointer = z.infer<typeof channelPointerSchema>;

export const indexSchema = z.object({
  type: z.literal('index'),
  spec: z.literal(SPEC),
  feature_id: featureId,
  sequence: positive,
  expires: timestamp,
  schema_version: z.literal(1),
  versions: z.record(semver, versionEntrySchema),
  channels: z.partialRecord(channelName, channelPointerSchema),
  security_floor: count,
  revoked: z.array(semver).max(10_000),
});
export type IndexDocument = z.infer<typeof indexSchema>;

export const metaFileSchema = z.object({ sha256: hex64, length: positive });

export const snapshotSchema = z.object({
  type: z.literal('snapshot'),
  spec: z.literal(SPEC),
  version: positive,
  expires: timestamp,
  indexes: z.record(featureId, metaFileSchema.extend({ sequence: positive })),
});
export type SnapshotDocument = z.infer<typeof snapshotSchema>;

export const timestampSchema = z.object({
  type: z.literal('timestamp'),
  spec: z.literal(SPEC),
  version: positive,
  expires: timestamp,
  snapshot: metaFileSchema.extend({ version: positive }),
});
export type TimestampDocument = z.infer<typeof timestampSchema>;

export const assignmentSchema = z.union([
  z.object({ channel: channelName }).strict(),
  z.object({ version: semver, sha256: hex64 }).strict(),
]);
export type Assignment = z.infer<typeof assignmentSchema>;

/**
 * What a directive says about the bench app itself (not a pack): follow another app release channel than
 * the bench's own, and/or hold the app at its installed version until an instant.
 */
export const appUpdateDirectiveSchema = z.strictObject({
  channel: channelName.optional(),
  hold_until: timestamp.optional(),
});
export type AppUpdateDirective = z.infer<typeof appUpdateDirectiveSchema>;

export const directiveSchema = z.object({
  type: z.literal('directive'),
  spec: z.literal(SPEC),
  bench_id: benchIdSchema,
  seq: positive,
  issued_at: timestamp,
  expires: timestamp,
  assignments: z.record(featureId, assignmentSchema),
  /** Hours a bench may keep coding on expired metadata while offline; only a directive grants it. */
  offline_grace_hours: z.number().int().min(0).max(24 * 30).default(0),
  /** The bench app's own updates (electron/services/app-update/); absent: the bench's channel, no hold. */
  app_update: appUpdateDirectiveSchema.optional(),
  actor: auditText,
  reason: auditText,
  ticket: auditText,
  previous_sha256: hex64.nullable(),
});
export type DirectiveDocument = z.infer<typeof directiveSchema>;

/** Pack file names: relative, forward slashes, no '..' or empty segments (no path traversal). */
export const packPath = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/, 'expected a relative path without ".." segments')
  .refine((value) => !value.split('/').some((segment) => segment === '..' || segment === '.'), 'path traversal');

export const manifestFileSchema = z.object({
  path: packPath,
  length: count,
  hashes: z.record(z.string().max(32), z.string().max(256)),
});

export const manifestSchema = z
  .object({
    type: z.literal('pack_manifest'),
    spec: z.literal(SPEC),
    feature_id: featureId,
    version: semver,
    release_counter: count,
    compatible_hardware: z.array(z.string().min(1).max(64)).min(1).max(64),
    min_app_version: semver,
    synthetic: z.boolean(),
    provenance: z.object({
      source_commit: z.string().regex(/^[0-9a-f]{40}$|^none$/),
      dirty: z.boolean(),
      build_id: z.string().min(1).max(128),
      build_time: timestamp,
    }),
    files: z.array(manifestFileSchema).min(1).max(4096),
  })
  .superRefine((manifest, context) => {
    const seen = new Set<string>();
    for (const file of manifest.files) {
      if (seen.has(file.path)) context.addIssue({ code: 'custom', message: `file ${file.path} listed twice` });
      seen.add(file.path);
    }
  });
export type PackManifest = z.infer<typeof manifestSchema>;

/** The most credits one grant carries, and the longest a grant is valid: what an issuer (server, CLI) may sign. */
export const MAX_GRANT_CREDITS = 1_000_000;
export const MAX_GRANT_VALID_DAYS = 3650;

/**
 * A credit grant. The bounds are part of what a grant is, checked on the bench too: a stolen credits key cannot
 * mint 2^53 credits in one grant, nor a grant that stays importable for centuries.
 */
export const creditGrantSchema = z
  .object({
    type: z.literal('credit_grant'),
    spec: z.literal(SPEC),
    bench_id: benchIdSchema,
    grant_id: z.string().min(1).max(128),
    credits: positive.max(MAX_GRANT_CREDITS),
    issued_at: timestamp,
    expires: timestamp,
  })
  .superRefine((grant, context) => {
    const validMs = Date.parse(grant.expires) - Date.parse(grant.issued_at);
    if (validMs > MAX_GRANT_VALID_DAYS * 86_400_000) context.addIssue({ code: 'custom', path: ['expires'], message: `a grant is valid for at most ${MAX_GRANT_VALID_DAYS} days` });
  });
export type CreditGrant = z.infer<typeof creditGrantSchema>;

/**
 * How long each role's documents are valid when signed (release authoring, the central server), and so the
 * furthest ahead of the bench's clock an expiry may lie (plus `EXPIRY_CLOCK_SLACK_DAYS` for clocks that
 * disagree): a timestamp expiring in 2099 would keep an old snapshot fresh for good, long after its key was
 * rotated, on any bench a hostile mirror feeds. Roots are exempt (a bundled root is meant to last years).
 */
export const expiryDays = { root: 365, index: 90, snapshot: 30, timestamp: 7, directive: 30 } as const;
export const EXPIRY_CLOCK_SLACK_DAYS = 1;

/** Size caps, checked before a byte is read. */
export const limits = {
  rootBytes: 64 * 1024,
  timestampBytes: 16 * 1024,
  snapshotBytes: 1024 * 1024,
  indexBytes: 4 * 1024 * 1024,
  directiveBytes: 64 * 1024,
  manifestBytes: 1024 * 1024,
  packBytes: 1024 * 1024 * 1024,
  maxRootRotations: 32,
} as const;

/** The code of a failed parse: WEAK_KEY when any issue is a weak key (whatever else is wrong), else MALFORMED. */
export function trustCodeOf(error: z.ZodError): TrustErrorCode {
  return error.issues.some((issue) => issue.code === 'custom' && issue.params?.trustCode === weakKey.trustCode) ? 'WEAK_KEY' : 'MALFORMED';
}

/** zod parse for values we build from operator input: a failure is MALFORMED (or WEAK_KEY) naming the field, not a ZodError. */
export function parseOrMalformed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const code = trustCodeOf(parsed.error);
  const issue = parsed.error.issues.find((candidate) => code === 'MALFORMED' || (candidate.code === 'custom' && candidate.params?.trustCode === code));
  throw new TrustError(code, `${what}: ${issue ? `${issue.path.join('.') || '(value)'}: ${issue.message}` : 'invalid'}.`);
}
