import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createBenchServices } from '../../electron/services/bench-services';
import { DEMO_CENTRAL_SERVER_PORT, DEMO_SPEED, startDemo, type RunningDemo } from '../../demo/demo';
import { parseFaults } from '../../native-bridge/sim/faults';
import { createLogger } from '../../common/logger';
import { ServiceError } from '../../electron/services/service-error';
import { startWorkspaceHost } from '../../electron/workspace/workspace-host';
import { bundledRootFile } from '../bench-context';
import { portNumber } from '../../common/command-line-options';
import { appVersion, defaultDataDir, projectRoot } from '../paths';

export interface WorkspaceCommandOptions {
  dataDir?: string;
  port: number;
  distDir?: string;
  /** Virtual bench, demo packs and demo credits (what `npm start` runs by default). */
  demo?: boolean;
  speed: number;
  /** With --demo: bench faults of the virtual bench (high-leak, stuck-nozzle, …), to show a failing injector. */
  fault?: string[];
  /** With --demo: the local central server's port (false: no central server). */
  centralServer: number | false;
}

/** Runs the bench services and serves the renderer to a browser until SIGINT or SIGTERM. */
export async function runWorkspace(options: WorkspaceCommandOptions): Promise<void> {
  const logger = createLogger('workspace');
  const distDir = path.resolve(options.distDir ?? path.join(projectRoot, 'dist'));
  const rendererDir = path.join(distDir, 'renderer');
  const bridgeFile = path.join(distDir, 'workspace-bridge', 'bridge.js');
  if (!existsSync(path.join(rendererDir, 'index.html')) || !existsSync(bridgeFile)) {
    throw new ServiceError('NOT_CONFIGURED', `No built renderer in ${distDir}: run "npm run build" first.`);
  }
  const faults = options.fault?.length ? parseFaults(options.fault).bench : undefined;
  const dataDir = path.resolve(options.dataDir ?? defaultDataDir());
  const services = createBenchServices({ dataDir, appVersion: appVersion(), mode: 'workspace', logger, bundledRootFile });
  let host;
  let demo: RunningDemo | null = null;
  try {
    if (options.demo) {
      const sourceDir = path.join(projectRoot, 'resources', 'demo-source');
      demo = await startDemo(services, { dataDir, sourceDir, speed: options.speed, centralServer: options.centralServer, logger, ...(faults ? { faults } : {}) });
    }
    host = await startWorkspaceHost({ services, rendererDir, bridgeFile, logger, port: options.port });
  } catch (error) {
    await services.close();
    await demo?.close();
    throw error;
  }
  process.stdout.write(`Data directory: ${dataDir}\n`);
  for (const line of demo?.lines() ?? []) process.stdout.write(`${line}\n`);
  process.stdout.write(`Workspace URL: ${host.url}\n`);

  const stop = async (): Promise<void> => {
    await host.close();
    await services.close();
    await demo?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

export function registerWorkspaceCommand(program: Command): void {
  program
    .command('workspace')
    .description('serve the bench app to a browser on 127.0.0.1 (token-protected)')
    .option('--data-dir <dir>', 'bench data directory (default: $INJBENCH_DATA_DIR or the XDG data directory)')
    .option('--port <port>', 'TCP port on 127.0.0.1; 0 picks a free one', portNumber, 0)
    .option('--dist-dir <dir>', 'built app directory (default: ./dist)')
    .option('--demo', 'run a virtual bench with the synthetic demo packs and demo credits')
    .option('--speed <factor>', 'with --demo: the virtual bench runs this many times faster than real time', Number, DEMO_SPEED)
    .option('--central-server <port>', 'with --demo: port of the local central server on 127.0.0.1 (0 picks a free one; a free one too when it is taken)', portNumber, DEMO_CENTRAL_SERVER_PORT)
    .option('--no-central-server', 'with --demo: no local central server')
    .option('--fault <spec>', 'with --demo: a bench fault of the virtual bench (high-leak, stuck-nozzle, open-coil, pressure-not-reached, code-mismatch, cold-oil); repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .action(runWorkspace);
}
