/**
 * Field diagnostics: the rotating log files the app writes (pino-roll through the tee logger) and the
 * admin's diagnostics archive through the BenchApi: logs, versions and settings, never keys, PINs,
 * the database or a credential in the server URL; technicians are refused.
 */
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as tar from 'tar';
import { createBenchServices } from '../../../electron/services/bench-services';
import { documentFileSchema } from '../../../electron/contract/documents';
import { listLogFiles, openRotatingLogFile } from '../../../electron/services/diagnostics/log-files';
import { createTeeLogger } from '../../../common/logger';
import { hashPin } from '../../../common/pin-hash';
import { bundledRootFile } from '../../helpers/bundled-root';
import { silentLogger } from '../../helpers/silent-logger';
import { useTempDirs } from '../../helpers/temp-dir';
import { Readable } from 'node:stream';

/** Ends a log stream and waits until its file is closed. */
function closed(stream: Awaited<ReturnType<typeof openRotatingLogFile>>): Promise<void> {
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.end();
  });
}

async function tarEntries(gzipped: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const parser = new tar.Parser({
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => files.set(entry.path, Buffer.concat(chunks).toString('utf8')));
    },
  });
  await new Promise<void>((resolve, reject) => {
    Readable.from([gunzipSync(gzipped)]).pipe(parser).on('end', resolve).on('error', reject);
  });
  return files;
}

describe('field diagnostics', () => {
  const tempDir = useTempDirs();

  it('rolls the log files at their size and keeps only the newest, with secrets redacted', async () => {
    const dataDir = tempDir();
    const stream = await openRotatingLogFile(dataDir, { sizeKb: 4, keep: 3 });
    const { logger, addDestination } = createTeeLogger('diagnostics-test', 'info');
    addDestination(stream);
    const stderrWrite = process.stderr.write;
    process.stderr.write = () => true;
    try {
      // pino-roll rolls between writes of the file, so the lines come as a running app writes them: in bursts.
      for (let i = 0; i < 400; i += 1) {
        logger.info({ i, token: 'bearer-secret-123', padding: 'x'.repeat(64) }, 'a line of the bench app');
        if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      process.stderr.write = stderrWrite;
    }
    const files = listLogFiles(dataDir);
    expect(files.length).toBe(3);
    // Each file holds at most its 4 KiB and the burst that crossed it.
    for (const file of files) expect(statSync(file).size).toBeLessThan(4 * 1024 + 10 * 200);
    const kept = files.map((file) => readFileSync(file, 'utf8')).join('');
    expect(kept).toContain('"i":399');
    expect(kept).not.toContain('"i":0,');
    expect(kept).not.toContain('bearer-secret-123');
    expect(kept).toContain('[redacted]');
    await closed(stream);
  });

  it('exports a diagnostics archive for admins only: logs, versions, settings without credentials', async () => {
    const dataDir = tempDir();
    const stream = await openRotatingLogFile(dataDir);
    stream.write('{"level":30,"msg":"bench app started"}\n');
    await closed(stream);
    const services = createBenchServices({ dataDir, appVersion: '1.4.0', mode: 'workspace', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0, hashPin: (pin) => hashPin(pin, { N: 2 ** 10, r: 8, p: 1 }) });
    try {
      expect(await services.dispatch('setupFirstAdmin', { name: 'Ana', pin: '2468' })).toMatchObject({ ok: true });
      expect(await services.dispatch('updateSettings', { serverUrl: 'https://central.workshop.example/?token=abc' })).toMatchObject({ ok: true });
      expect(await services.dispatch('holdAppUpdates', { hours: 24, reason: 'audit week', ticket: 'OPS-3' })).toMatchObject({ ok: true, value: { hold: { actor: expect.stringContaining('Ana'), ticket: 'OPS-3' } } });
      const exported = await services.dispatch('exportDiagnostics', undefined);
      if (!exported.ok) throw new Error(exported.error.message);
      const file = documentFileSchema.parse(exported.value);
      expect(file).toMatchObject({ mediaType: 'application/gzip', fileName: expect.stringMatching(/^diagnostics_bench-[0-9a-f]{16}_\d{8}T\d{6}\.tar\.gz$/) });
      const files = await tarEntries(Buffer.from(file.base64, 'base64'));
      expect([...files.keys()].sort()).toEqual(['app-update.json', 'logs/bench-app.1.log', 'settings.json', 'versions.json']);
      expect(JSON.parse(files.get('versions.json') ?? '{}')).toMatchObject({ app: '1.4.0', node: process.versions.node, benchId: services.identity.benchId });
      expect(JSON.parse(files.get('settings.json') ?? '{}')).toMatchObject({ serverUrl: 'https://central.workshop.example/' });
      expect(JSON.parse(files.get('app-update.json') ?? '{}')).toMatchObject({ hold: { ticket: 'OPS-3' }, feedState: null });
      expect(files.get('logs/bench-app.1.log')).toContain('bench app started');
      const everything = [...files.values()].join('\n');
      expect(everything).not.toContain('token=abc');
      expect(everything).not.toMatch(/scrypt|\$2[aby]\$/);
      expect(await services.dispatch('releaseAppUpdateHold', { reason: 'audit over', ticket: 'OPS-3' })).toMatchObject({ ok: true, value: { hold: null } });
      expect(await services.dispatch('releaseAppUpdateHold', { reason: 'again', ticket: 'OPS-3' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      await services.dispatch('createOperator', { name: 'Tom', role: 'technician', pin: '1357' });
      await services.dispatch('signOut', undefined);
      const operators = await services.dispatch('listSignInOperators', undefined);
      const tom = operators.ok ? (operators.value as { id: string; name: string }[]).find((operator) => operator.name === 'Tom') : undefined;
      await services.dispatch('signIn', { operatorId: tom?.id, pin: '1357' });
      expect(await services.dispatch('exportDiagnostics', undefined)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await services.dispatch('holdAppUpdates', { hours: 1, reason: 'no way', ticket: 'OPS-4' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    } finally {
      await services.close();
    }
  });
});
