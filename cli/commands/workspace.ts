import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createBenchServices } from '../../electron/services/bench-services';
import { prepareDemoBench, type DemoBench } from '../../electron/services/demo/demo-bench';
import { parseFaults } from '../../native-bridge/sim/faults';
import { createLogger } from '../../electron/services/logger';
import { ServiceError } from '../../electron/services/service-error';
import { startWorkspaceHost } from '../../electron/workspace/workspace-host';
import { bundledRootFile } from '../bench-context';
import { startDemoCentralServer, type DemoCentralServer } from '../demo-central-server';
import { portNumber } from '../options';
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
  let demo: DemoBench | null = null;
  let central: DemoCentralServer | null = null;
  try {
    if (options.demo) demo = await prepareDemoBench(services, { dataDir, sourceDir: path.join(projectRoot, 'resources', 'demo-source'), speed: options.speed, logger, ...(faults ? { faults } : {}) });
    if (demo && options.centralServer !== false) {
      central = await startDemoCentralServer(services, { dataDir, repoDir: demo.repoDir, port: options.centralServer, logger });
    }
    host = await startWorkspaceHost({ services, rendererDir, bridgeFile, logger, port: options.port });
  } catch (error) {
    await services.close();
    await central?.close();
    await demo?.close();
    throw error;
  }
  process.stdout.write(`Data directory: ${dataDir}\n`);
  if (demo) process.stdout.write(`Virtual bench: ${demo.address} (demo packs, ${services.store.sessions.balance()} credits)\n`);
  if (central) {
    process.stdout.write(`Central server: ${central.url} (${central.note ?? 'the bench is enrolled and syncs its log to it'}; support view ${central.url}/support/ with the token in ${central.supportTokenFile})\n`);
  }
  process.stdout.write(`Workspace URL: ${host.url}\n`);

  const stop = async (): Promise<void> => {
    await host.close();
    await services.close();
    await central?.close();
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
    .option('--speed <factor>', 'with --demo: the virtual bench runs this many times faster than real time', Number, 20)
    .option('--central-server <port>', 'with --demo: port of the local central server on 127.0.0.1 (0 picks a free one)', portNumber, 8780)
    .option('--no-central-server', 'with --demo: no local central server')
    .option('--fault <spec>', 'with --demo: a bench fault of the virtual bench (high-leak, stuck-nozzle, open-coil, pressure-not-reached, code-mismatch); repeatable', (value: string, previous: string[] = []) => [...previous, value])
    .action(runWorkspace);
}
