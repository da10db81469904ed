/**
 * The server's configuration: flags over the environment over the file, secrets from files, paths in the
 * file relative to the file, and every bad setting a typed INVALID_CONFIGURATION naming the setting.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../../server/server-config';
import { useTempDirs } from '../../helpers/temp-dir';

const ADMIN = 'a'.repeat(40);
const SUPPORT = 's'.repeat(40);

describe('server configuration', () => {
  const tempDir = useTempDirs();

  it('merges file < environment < flags, reads secrets from *_FILE and *File, and resolves file paths against the file', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'admin'), `${ADMIN}\n`);
    writeFileSync(path.join(dir, 'db'), 'postgres://injbench:secret@db:5432/injbench\n');
    writeFileSync(path.join(dir, 'support'), SUPPORT);
    const file = path.join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ host: '0.0.0.0', port: 9000, blobDir: 'blobs', adminTokenFile: 'admin', trustProxy: true, publicOrigin: 'https://support.example/', reconcileEvery: 60 }));
    const env = { INJBENCH_SERVER_CONFIG: file, INJBENCH_SERVER_PORT: '9100', INJBENCH_SERVER_DB_FILE: path.join(dir, 'db'), INJBENCH_SERVER_SUPPORT_TOKEN_FILE: path.join(dir, 'support'), INJBENCH_SERVER_TRUST_PROXY: '10.0.0.0/8' };
    const config = loadServerConfig({ port: 9200 }, env);
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9200,
      db: 'postgres://injbench:secret@db:5432/injbench',
      blobDir: path.join(dir, 'blobs'),
      adminToken: ADMIN,
      supportToken: SUPPORT,
      trustProxy: '10.0.0.0/8',
      publicOrigin: 'https://support.example',
      reconcileEvery: 60,
      demoCreditsKey: false,
    });
    // Without the flag the environment decides; without both, the file.
    expect(loadServerConfig({}, env).port).toBe(9100);
    expect(loadServerConfig({ config: file }, {}).port).toBe(9000);
    // A value wins over a file of the same setting in one source.
    expect(loadServerConfig({}, { ...env, INJBENCH_SERVER_SUPPORT_TOKEN: 'v'.repeat(32) }).supportToken).toBe('v'.repeat(32));
  });

  it('has the documented defaults, and a hop count or false for trust-proxy', () => {
    const config = loadServerConfig({}, { INJBENCH_SERVER_ADMIN_TOKEN: ADMIN, INJBENCH_SERVER_TRUST_PROXY: '1' });
    expect(config).toMatchObject({ db: 'sqlite:injbench-server.sqlite', host: '127.0.0.1', port: 8780, reconcileEvery: 300, trustProxy: 1 });
    expect(config.publicOrigin).toBeUndefined();
    expect(loadServerConfig({ trustProxy: 'false' }, { INJBENCH_SERVER_ADMIN_TOKEN: ADMIN }).trustProxy).toBe(false);
  });

  it('refuses bad settings with INVALID_CONFIGURATION naming them, and a missing admin token with UNAUTHORIZED', () => {
    const dir = tempDir();
    const env = { INJBENCH_SERVER_ADMIN_TOKEN: ADMIN };
    const refusal = (flags: Parameters<typeof loadServerConfig>[0], environment: NodeJS.ProcessEnv = env) => {
      try {
        loadServerConfig(flags, environment);
      } catch (error) {
        return { code: (error as { code?: string }).code, message: (error as Error).message };
      }
      throw new Error('accepted');
    };
    expect(refusal({}, {})).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('INJBENCH_SERVER_ADMIN_TOKEN_FILE') });
    expect(refusal({}, { INJBENCH_SERVER_ADMIN_TOKEN: 'short' })).toMatchObject({ code: 'INVALID_CONFIGURATION', message: expect.stringMatching(/adminToken \(INJBENCH_SERVER_ADMIN_TOKEN\): .*32 characters/) });
    expect(refusal({ publicOrigin: 'https://support.example/path' })).toMatchObject({ code: 'INVALID_CONFIGURATION', message: expect.stringContaining('publicOrigin') });
    expect(refusal({ publicOrigin: 'ftp://support.example' })).toMatchObject({ code: 'INVALID_CONFIGURATION' });
    expect(refusal({ tlsCert: '/etc/cert.pem' })).toMatchObject({ code: 'INVALID_CONFIGURATION', message: expect.stringContaining('both tlsCert and tlsKey') });
    expect(refusal({ trustProxy: 'everyone' })).toMatchObject({ code: 'INVALID_CONFIGURATION', message: expect.stringContaining('trustProxy') });
    expect(refusal({}, { ...env, INJBENCH_SERVER_PORT: '70000' })).toMatchObject({ code: 'INVALID_CONFIGURATION', message: expect.stringContaining('port (INJBENCH_SERVER_PORT)') });
    expect(refusal({}, { INJBENCH_SERVER_ADMIN_TOKEN_FILE: path.join(dir, 'missing') })).toMatchObject({ code: 'INVALID_CONFIGURATION', message: expect.stringContaining('Cannot read adminToken') });
    const file = path.join(dir, 'server.json');
    writeFileSync(file, JSON.stringify({ prot: 1 }));
    expect(refusal({ config: file })).toMatchObject({ code: 'INVALID_CONFIGURATION', message: expect.stringContaining('Unknown setting prot') });
    writeFileSync(file, '{ not json');
    expect(refusal({ config: file })).toMatchObject({ code: 'INVALID_CONFIGURATION', message: expect.stringContaining('Cannot read the server configuration file') });
  });
});
