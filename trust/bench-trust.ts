/**
 * The one bench trust configuration (docs/trust-packs.md, "Bench side"). The app, the workspace, the
 * command line and the tests all build the profile a `TrustClient` runs under with `benchTrustProfile`,
 * and nothing else can build one: the type carries a brand only this factory sets. The profile holds what
 * the bench *is* (id, hardware as its IDENT reported it, app version, default channel, production build) and no switch that could
 * weaken a check: freshness (timestamp.json) is always required, online or offline, because an offline
 * bench gets freshness only from signed data (a bundle's timestamp, a directive's offline grace), never
 * from a missing file.
 */
import { z } from 'zod';
import { benchIdSchema } from './bench-id';
import { channelName, parseOrMalformed, type ChannelName } from './schemas';

declare const builtByBenchTrustProfile: unique symbol;

/** The bench as the trust client sees it. Built only by `benchTrustProfile`. */
export interface BenchProfile {
  readonly benchId: string | null;
  /**
   * The hardware model packs must list in compatible_hardware: the model the connected bench reported in
   * IDENT (read at each decision), or null while no bench has reported one, when compatibility is checked
   * at the session gate against the bench the session runs on instead.
   */
  readonly hardware: string | null;
  readonly appVersion: string;
  /** Read at each decision (the app's setting may change between refreshes). */
  readonly defaultChannel: ChannelName;
  /** A packaged production build: development roots and keys are refused. */
  readonly production: boolean;
  readonly [builtByBenchTrustProfile]: true;
}

export interface BenchTrustInputs {
  benchId: string | null;
  /** A model, or a function read at each decision (the model the bench store recorded from IDENT); null: none reported yet. */
  hardware: string | null | (() => string | null);
  appVersion: string;
  /** A channel, or a function read at each decision (the app's releaseChannel setting). */
  defaultChannel: ChannelName | (() => ChannelName);
  production: boolean;
}

/**
 * A hardware model as IDENT reports it and packs list it: letters, digits, dot, dash, underscore. Anything
 * else (a control character, a newline that would forge a line of the command's output, a look-alike
 * Unicode dash, a trailing space) is not a model name: the bench is MALFORMED at every decision, not
 * silently compared.
 */
export const hardwareModelSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'not a hardware model name (letters, digits, ".", "-", "_"; at most 64)');
const hardwareModel = hardwareModelSchema;

const inputsSchema = z.strictObject({
  benchId: benchIdSchema.nullable(),
  hardware: z.union([hardwareModel.nullable(), z.custom<() => string | null>((value) => typeof value === 'function', 'expected a model or a function returning one')]),
  appVersion: z.string().min(1).max(64),
  defaultChannel: z.union([channelName, z.custom<() => ChannelName>((value) => typeof value === 'function', 'expected a channel or a function returning one')]),
  production: z.boolean(),
});

/**
 * Validates the bench's inputs (a typo'd option must not become a silently different bench) and returns the
 * profile. Strict: an unknown option, such as the removed `requireTimestamp`, is MALFORMED rather than ignored.
 */
export function benchTrustProfile(inputs: BenchTrustInputs): BenchProfile {
  const checked = parseOrMalformed(inputsSchema, inputs, 'bench trust profile');
  const channelOf = inputs.defaultChannel;
  const hardwareOf = inputs.hardware;
  const profile = {
    benchId: checked.benchId,
    appVersion: checked.appVersion,
    production: checked.production,
    get hardware(): string | null {
      return parseOrMalformed(hardwareModel.nullable(), typeof hardwareOf === 'function' ? hardwareOf() : hardwareOf, 'the hardware model the bench reported in IDENT');
    },
    get defaultChannel(): ChannelName {
      return parseOrMalformed(channelName, typeof channelOf === 'function' ? channelOf() : channelOf, 'bench default channel');
    },
  };
  return Object.freeze(profile) as unknown as BenchProfile;
}
