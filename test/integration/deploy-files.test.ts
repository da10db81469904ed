/**
 * The deployment files under deploy/ run what ships: the systemd unit passes `systemd-analyze verify` with
 * nothing to say, and the unit, the Containerfile and the compose example start the server bundle that
 * `npm run build` writes (dist/server/main.js) with options and subcommands the server's command line has;
 * the compose example has PostgreSQL, the server and a proxy that reaches the server's port.
 */
import { Command } from 'commander';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { deployableBuilds } from '../../scripts/build.mjs';
import { configureServerCommand } from '../../server/server-command';

const run = promisify(execFile);
const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const deployFile = (name: string): string => readFileSync(path.join(projectRoot, 'deploy', name), 'utf8');
const INSTALLED_MAIN = '/opt/injbench-server/server/main.js';

/** The server's options and subcommands, as `node dist/server/main.js` knows them. */
function serverCommandLine(): { options: Set<string>; subcommands: Map<string, Set<string>> } {
  const command = configureServerCommand(new Command('injbench-server'));
  const longNames = (of: Command) => new Set(of.options.map((option) => option.long ?? ''));
  return { options: longNames(command), subcommands: new Map(command.commands.map((sub) => [sub.name(), longNames(sub)])) };
}

/** Checks a server command line (the words after main.js): every --option is known, a subcommand exists. */
function expectKnownServerArgs(args: string[]): void {
  const { options, subcommands } = serverCommandLine();
  const sub = args.find((arg) => subcommands.has(arg));
  for (const arg of args.filter((word) => word.startsWith('--'))) {
    expect(options.has(arg) || (sub !== undefined && subcommands.get(sub)?.has(arg)), `${arg} in ${args.join(' ')}`).toBe(true);
  }
  for (const word of args.filter((candidate) => /^[a-z]+$/.test(candidate))) expect(subcommands.has(word), `subcommand ${word}`).toBe(true);
}

const wordsAfterMain = (line: string): string[] => {
  const at = line.indexOf(INSTALLED_MAIN);
  expect(at, line).toBeGreaterThanOrEqual(0);
  return line
    .slice(at + INSTALLED_MAIN.length)
    .trim()
    .split(/\s+/)
    .filter((word) => word.length > 0);
};

describe('deploy/', () => {
  it('starts the bundle npm run build writes', () => {
    expect(deployableBuilds.server.outfile).toBe('server/main.js');
    expect(INSTALLED_MAIN.endsWith(`/${deployableBuilds.server.outfile}`)).toBe(true);
  });

  it('systemd unit: systemd-analyze verify finds nothing, and it runs migrate then the server with known options', async (context) => {
    const unit = deployFile('injbench-server.service');
    const lines = unit.split('\n');
    const execs = lines.filter((line) => /^ExecStart(Pre)?=/.test(line));
    expect(execs).toHaveLength(2);
    expect(wordsAfterMain(execs[0] ?? '')).toContain('migrate');
    for (const exec of execs) expectKnownServerArgs(wordsAfterMain(exec));
    expect(lines).toEqual(expect.arrayContaining(['DynamicUser=yes', 'NoNewPrivileges=yes', 'ProtectSystem=strict']));

    if (!existsSync('/usr/bin/systemd-analyze')) {
      // Like the PostgreSQL tests: outside CI a missing tool is said and skipped; under CI it is a failure.
      const why = 'systemd-analyze is not installed (Debian package systemd): the unit file was checked by parsing only';
      if (process.env.CI) throw new Error(why);
      console.warn(why);
      context.skip();
    }
    const verified = await run('systemd-analyze', ['verify', path.join(projectRoot, 'deploy', 'injbench-server.service')]);
    expect(verified.stderr.trim()).toBe('');
  });

  it('Containerfile: builds, prunes dev packages, and runs the bundle with known options', () => {
    const containerfile = deployFile('Containerfile');
    expect(containerfile).toMatch(/^RUN npm run build && npm prune --omit=dev/m);
    // The native addon is built against the headers .ci/run's Node 24 run proves (scripts/node-lts.sh).
    const ltsHeaders = /INJBENCH_NODE_LTS_HEADERS:-([\d.]+)/.exec(readFileSync(path.join(projectRoot, 'scripts', 'node-lts.sh'), 'utf8'))?.[1];
    expect(ltsHeaders).toMatch(/^24\./);
    expect(containerfile).toMatch(new RegExp(`^ENV npm_config_build_from_source=true npm_config_target=${ltsHeaders?.replaceAll('.', '\\.')}$`, 'm'));
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(containerfile)?.[1];
    const cmd = /^CMD (\[.*\])$/m.exec(containerfile)?.[1];
    expect(JSON.parse(entrypoint ?? '[]')).toEqual(['node', INSTALLED_MAIN]);
    expectKnownServerArgs(JSON.parse(cmd ?? '[]') as string[]);
    expect(containerfile).toMatch(/^USER node$/m);
  });

  it('compose: PostgreSQL, the server and a proxy that shares its network and reaches its port', () => {
    const compose = parse(deployFile('compose.yaml')) as {
      services: Record<string, { image?: string; entrypoint?: string[]; network_mode?: string; secrets?: string[]; build?: { dockerfile: string }; volumes?: string[]; environment?: Record<string, string> }>;
      secrets: Record<string, { file: string }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'proxy', 'server']);
    const server = compose.services.server;
    expect(server?.build?.dockerfile).toBe('deploy/Containerfile');
    const script = server?.entrypoint?.at(-1) ?? '';
    // Quoted values and compose's ${…} interpolations are values, not words of the command line.
    const args = wordsAfterMain(script.replace(/"[^"]*"/g, 'VALUE').replace(/\$\{[^}]*\}/g, 'VALUE'));
    expectKnownServerArgs(args);
    expect(args).toEqual(expect.arrayContaining(['--db', '--blob-dir', '--admin-token-file', '--port']));
    const port = args[args.indexOf('--port') + 1];
    expect(compose.services.proxy?.network_mode).toBe('service:server');
    // The proxy's Caddyfile and the file it imports are the ones under deploy/caddy/, pointed at the server's port.
    expect(compose.services.proxy?.volumes).toEqual(expect.arrayContaining(['./caddy/Caddyfile:/etc/caddy/Caddyfile:ro', './caddy/injbench-proxy.caddy:/etc/caddy/injbench-proxy.caddy:ro']));
    expect(deployFile('caddy/Caddyfile')).toMatch(/^\s*import injbench-proxy\.caddy$/m);
    expect(compose.services.proxy?.environment?.INJBENCH_UPSTREAMS).toBe(`127.0.0.1:${port}`);
    // Behind the proxy the server believes its forwarding headers and accepts sign-in from the public origin,
    // the same name Caddy serves.
    expect(args[args.indexOf('--trust-proxy') + 1]).toBe('127.0.0.1');
    const publicName = compose.services.proxy?.environment?.INJBENCH_PUBLIC_NAME ?? '';
    expect(publicName).toMatch(/^\$\{INJBENCH_PUBLIC_NAME:\?/);
    expect(script).toContain(`--public-origin https://${publicName}`);
    for (const secret of server?.secrets ?? []) expect(compose.secrets[secret]?.file).toMatch(/^\.\/secrets\//);
    // No secret in the compose file itself.
    expect(deployFile('compose.yaml')).not.toMatch(/POSTGRES_PASSWORD:/);
  });
});
