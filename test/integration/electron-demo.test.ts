/**
 * `--demo` in the Electron app (demo/electron-demo.ts) driven through the fake electron app: the same demo
 * bench and local central server as workspace mode, from the app's command line, in the app's data
 * directory, closed when the app quits. Real services, a real central server on 127.0.0.1, a real virtual bench.
 */
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAppDemo } from '../../demo/electron-demo';
import { createBenchServices, type BenchServices } from '../../electron/services/bench-services';
import { app } from '../fakes/electron';
import { bundledRootFile } from '../helpers/bundled-root';
import { projectRoot } from '../helpers/sim-process';
import { silentLogger } from '../helpers/silent-logger';
import { useTempDirs } from '../helpers/temp-dir';

const argv = (...options: string[]) => ['/opt/electron/electron', projectRoot, ...options];

async function reachable(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

describe('the Electron app with --demo (fake electron app, real services)', () => {
  const tempDir = useTempDirs('each');
  const opened: BenchServices[] = [];
  let busy: net.Server | null = null;

  afterEach(async () => {
    app.removeAllListeners('will-quit');
    for (const services of opened.splice(0)) await services.close();
    await new Promise<void>((done) => (busy ? busy.close(() => done()) : done()));
    busy = null;
  });

  function appServices(): BenchServices {
    app.userDataPath = path.join(tempDir(), 'user-data');
    const services = createBenchServices({ dataDir: app.userDataPath, appVersion: '0.1.0', mode: 'electron', bundledRootFile, logger: silentLogger(), statusIntervalMs: 0, releaseTimers: { pinCheckMs: 0, serverRefreshMs: 0 } });
    opened.push(services);
    return services;
  }

  it('starts the local central server beside the demo bench (a free port when the asked one is taken), enrolled, and stops it at quit', async () => {
    busy = net.createServer();
    const taken = await new Promise<number>((resolve) => busy?.listen(0, '127.0.0.1', () => resolve((busy?.address() as net.AddressInfo).port)));
    const services = appServices();
    const lines: string[] = [];
    const demo = await startAppDemo(app, services, { argv: argv('--demo', '--central-server', String(taken), '--speed', '100'), resourcesDir: path.join(projectRoot, 'resources'), logger: silentLogger(), print: (line) => lines.push(line) });

    const url = demo?.central?.url ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(url).port).not.toBe(String(taken));
    expect(services.enrolment().serverUrl).toBe(url);
    const tokenFile = path.join(app.userDataPath, 'demo-server', 'support-token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(lines).toEqual([
      expect.stringMatching(/^Virtual bench: tcp:\/\/127\.0\.0\.1:\d+ \(demo packs, 60 credits\)$/),
      `Central server: ${url} (the bench is enrolled and syncs its log to it; support view ${url}/support/ with the token in ${tokenFile})`,
    ]);
    // The demo repository is published to it: a bench could refresh from it.
    expect(await reachable(`${url}/api/v1/repository/snapshot.json`)).toBe(true);
    expect(services.releases.view(true).families.map((family) => family.active?.version)).toEqual(['1.0.0', '1.0.0', '1.0.0']);

    app.emit('will-quit');
    let attempts = 0;
    while ((await reachable(`${url}/api/v1/repository/snapshot.json`)) && attempts < 50) {
      attempts += 1;
      await new Promise((done) => setTimeout(done, 100));
    }
    expect(await reachable(`${url}/api/v1/repository/snapshot.json`)).toBe(false);
  });

  it('--no-central-server starts only the demo bench; without --demo nothing starts', async () => {
    const services = appServices();
    const lines: string[] = [];
    const options = { resourcesDir: path.join(projectRoot, 'resources'), logger: silentLogger(), print: (line: string) => lines.push(line) };
    expect(await startAppDemo(app, services, { ...options, argv: argv('--workspace') })).toBeNull();
    expect(lines).toEqual([]);

    const demo = await startAppDemo(app, services, { ...options, argv: argv('--demo', '--no-central-server') });
    expect(demo?.central).toBeNull();
    expect(lines).toEqual([expect.stringMatching(/^Virtual bench: tcp:\/\/127\.0\.0\.1:\d+ /)]);
    expect(existsSync(path.join(app.userDataPath, 'demo-server'))).toBe(false);
    expect(services.enrolment().serverUrl).toBeNull();
    await demo?.close();
  });
});
