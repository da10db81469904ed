/**
 * The central server's configuration, merged from three sources into one validated whole:
 *
 *   command-line flags  >  environment (INJBENCH_SERVER_*)  >  configuration file (--config FILE, JSON)
 *
 * Every secret (the three tokens, the database URL, which may carry a password) can also be given as a
 * file, for container secrets and systemd credentials: `INJBENCH_SERVER_ADMIN_TOKEN_FILE=/run/secrets/admin`
 * or `"adminTokenFile"` in the file. The file's keys are the flags' names in camelCase (docs/server-deployment.md).
 * Only the merged result is validated (one schema, defaults applied once); an error names the setting and its
 * environment variable.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ServerConfigurationError } from './server-error';
import { DEFAULT_RECONCILE_EVERY_SECONDS } from './credits/periodic-reconcile';
import { MIN_SERVER_TOKEN_LENGTH } from '../common/server-settings';

const invalid = (message: string): ServerConfigurationError => new ServerConfigurationError('INVALID_CONFIGURATION', message);

export const SERVER_ENV_PREFIX = 'INJBENCH_SERVER_';

/** The settings and the environment variable each is read from (SERVER_ENV_PREFIX + name). */
const settingEnvNames = {
  db: 'DB',
  host: 'HOST',
  port: 'PORT',
  publicOrigin: 'PUBLIC_ORIGIN',
  trustProxy: 'TRUST_PROXY',
  tlsCert: 'TLS_CERT',
  tlsKey: 'TLS_KEY',
  blobDir: 'BLOB_DIR',
  releasePolicy: 'RELEASE_POLICY',
  creditsKeyFile: 'CREDITS_KEY_FILE',
  reconcileEvery: 'RECONCILE_EVERY',
  trustedRoot: 'TRUSTED_ROOT',
  adminToken: 'ADMIN_TOKEN',
  supportToken: 'SUPPORT_TOKEN',
  releaseToken: 'RELEASE_TOKEN',
  metricsToken: 'METRICS_TOKEN',
} as const;

type SettingName = keyof typeof settingEnvNames;

/** Settings that are secrets: each may also come from a file (`<name>File` in JSON, `…_FILE` in the environment). */
const secretSettings = ['db', 'adminToken', 'supportToken', 'releaseToken', 'metricsToken'] as const satisfies readonly SettingName[];

const text = z.string().trim().min(1);
const token = (what: string) =>
  z.string().trim().min(MIN_SERVER_TOKEN_LENGTH, `${what} must be at least ${MIN_SERVER_TOKEN_LENGTH} characters long`);
const wholeNumber = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Fastify's trustProxy: `true` (any hop), a hop count, or the proxies' addresses/CIDRs. Off by default:
 * without it X-Forwarded-For is ignored, so nobody can choose the address the sign-in limiter counts.
 */
const trustProxySchema = z.union([
  z.boolean(),
  z.int().min(1).max(10),
  z.string().transform((value, context): boolean | number | string => {
    const trimmed = value.trim();
    if (trimmed === 'true') return true;
    if (trimmed === 'false' || trimmed === '') return false;
    if (/^\d+$/.test(trimmed)) return Number(trimmed);
    if (/^[0-9a-fA-F.:/,\s]+$/.test(trimmed)) return trimmed;
    context.addIssue({ code: 'custom', message: 'expected true, false, a hop count, or comma-separated proxy addresses/CIDRs' });
    return z.NEVER;
  }),
]);

const publicOriginSchema = z.url({ protocol: /^https?$/ }).transform((value, context) => {
  const url = new URL(value);
  if (url.pathname !== '/' || url.search || url.hash || url.username) {
    context.addIssue({ code: 'custom', message: 'expected an origin only, like https://support.example (no path, query or user)' });
    return z.NEVER;
  }
  return url.origin;
});

/** The merged configuration. Defaults are applied here, once, after the sources were merged. */
export const serverConfigSchema = z
  .strictObject({
    db: text.default('sqlite:injbench-server.sqlite'),
    host: text.default('127.0.0.1'),
    port: wholeNumber(0, 65535).default(8780),
    publicOrigin: publicOriginSchema.optional(),
    trustProxy: trustProxySchema.default(false),
    tlsCert: text.optional(),
    tlsKey: text.optional(),
    blobDir: text.optional(),
    releasePolicy: text.optional(),
    creditsKeyFile: text.optional(),
    demoCreditsKey: z.boolean().default(false),
    reconcileEvery: wholeNumber(0, 7 * 24 * 3600).default(DEFAULT_RECONCILE_EVERY_SECONDS),
    trustedRoot: text.optional(),
    adminToken: token('The admin token'),
    supportToken: token('The support token').optional(),
    releaseToken: token('The release token').optional(),
    metricsToken: token('The metrics token').optional(),
  })
  .refine((config) => (config.tlsCert === undefined) === (config.tlsKey === undefined), { message: 'TLS needs both tlsCert and tlsKey (or neither)', path: ['tlsCert'] });

export type ServerConfig = z.output<typeof serverConfigSchema>;

/** What the flags gave; undefined means "not given" (the environment or the file decides). */
export type ServerFlags = Partial<Record<SettingName | 'demoCreditsKey' | 'config' | 'adminTokenFile', string | number | boolean>>;

type Source = Partial<Record<string, unknown>>;

function readSecretFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw invalid(`Cannot read ${what} from ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Resolves `<secret>File` / `…_FILE` entries of one source into the secret itself (a value wins over a file). */
function withSecretFiles(source: Source, fileOf: (name: (typeof secretSettings)[number]) => unknown, where: string): Source {
  const resolved: Source = { ...source };
  for (const name of secretSettings) {
    const file = fileOf(name);
    delete resolved[`${name}File`];
    if (resolved[name] !== undefined || typeof file !== 'string' || file === '') continue;
    resolved[name] = readSecretFile(path.resolve(file), `${name} (${where})`);
  }
  return resolved;
}

function fileSource(file: string): Source {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw invalid(`Cannot read the server configuration file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid(`The server configuration file ${file} must hold one JSON object.`);
  const source = parsed as Source;
  const known = new Set<string>([...Object.keys(settingEnvNames), 'demoCreditsKey', ...secretSettings.map((name) => `${name}File`)]);
  const unknown = Object.keys(source).filter((key) => !known.has(key));
  if (unknown.length > 0) throw invalid(`Unknown setting ${unknown.join(', ')} in ${file}; the settings are: ${[...known].sort().join(', ')}.`);
  // Relative paths in the file are relative to the file, not to wherever the service happened to start.
  const base = path.dirname(path.resolve(file));
  const resolvePath = (value: unknown): unknown => (typeof value === 'string' && value !== '' ? path.resolve(base, value) : value);
  for (const key of ['tlsCert', 'tlsKey', 'blobDir', 'releasePolicy', 'creditsKeyFile', 'trustedRoot', ...secretSettings.map((name) => `${name}File`)]) {
    if (source[key] !== undefined) source[key] = resolvePath(source[key]);
  }
  return withSecretFiles(source, (name) => source[`${name}File`], file);
}

function envSource(env: NodeJS.ProcessEnv): Source {
  const source: Source = {};
  for (const [name, suffix] of Object.entries(settingEnvNames)) {
    const value = env[`${SERVER_ENV_PREFIX}${suffix}`];
    if (value !== undefined && value !== '') source[name] = value;
  }
  if (env[`${SERVER_ENV_PREFIX}DEMO_CREDITS_KEY`] === 'true') source.demoCreditsKey = true;
  return withSecretFiles(source, (name) => env[`${SERVER_ENV_PREFIX}${settingEnvNames[name]}_FILE`], 'environment');
}

function flagSource(flags: ServerFlags): Source {
  const source: Source = Object.fromEntries(Object.entries(flags).filter(([key, value]) => value !== undefined && key !== 'config' && key !== 'adminTokenFile'));
  return withSecretFiles(source, (name) => (name === 'adminToken' ? flags.adminTokenFile : undefined), '--admin-token-file');
}

/** Merges file, environment and flags (in rising precedence) and validates the result. */
export function loadServerConfig(flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const configFile = typeof flags.config === 'string' ? flags.config : env[`${SERVER_ENV_PREFIX}CONFIG`];
  const merged = { ...(configFile ? fileSource(configFile) : {}), ...envSource(env), ...flagSource(flags) };
  const result = serverConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const name = String(issue?.path[0] ?? '');
  const envName = name in settingEnvNames ? ` (${SERVER_ENV_PREFIX}${settingEnvNames[name as SettingName]})` : '';
  if (name === 'adminToken' && issue?.code === 'invalid_type') {
    throw new ServerConfigurationError('UNAUTHORIZED', `The server needs an admin token of at least ${MIN_SERVER_TOKEN_LENGTH} characters: set ${SERVER_ENV_PREFIX}ADMIN_TOKEN or ${SERVER_ENV_PREFIX}ADMIN_TOKEN_FILE, pass --admin-token-file, or put adminTokenFile in the configuration file.`);
  }
  throw invalid(`Invalid server setting ${name || '(configuration)'}${envName}: ${issue?.message ?? 'malformed'}.`);
}
