/**
 * What `npm start` runs beside the bench services, in the Electron app (demo/electron-demo.ts) and in
 * workspace mode (`injbench workspace --demo`) alike: the demo bench and, unless turned off, the local
 * central server with the demo repository published and the bench enrolled. Plain Node: no 'electron'.
 */
import type { BenchFaults } from '../native-bridge/sim/virtual-bench';
import type { BenchServices } from '../electron/services/bench-services';
import type { Logger } from '../common/logger';
import { ServiceError } from '../electron/services/service-error';
import type { DemoCentralServer } from './demo-central-server';
import { prepareDemoBench, type DemoBench } from './demo-bench';

/** The local central server's port unless one is given; a free one is taken when it is busy. */
export const DEMO_CENTRAL_SERVER_PORT = 8780;
export const DEMO_SPEED = 20;

export interface DemoOptions {
  /** The virtual bench runs this many times faster than real time. */
  speed: number;
  /** The local central server's port on 127.0.0.1 (0: a free one), or false for none. */
  centralServer: number | false;
}

/** A port 0-65535, or INVALID_ARGUMENT naming the option. */
export function demoPort(value: string, option = '--central-server'): number {
  const port = Number(value);
  if (value.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new ServiceError('INVALID_ARGUMENT', `${option} takes a port number 0-65535, not "${value}".`);
  return port;
}

/**
 * The demo options of the Electron app's command line, the same words as `injbench workspace`: `--demo`,
 * `--speed N`, `--central-server PORT` (or `--central-server=PORT`), `--no-central-server`. Null without
 * `--demo`. Options it does not know are left to Electron and Chromium.
 */
export function demoOptionsFromArgv(argv: readonly string[]): DemoOptions | null {
  if (!argv.includes('--demo')) return null;
  const valueOf = (name: string): string | null => {
    const inline = argv.find((arg) => arg.startsWith(`${name}=`));
    if (inline) return inline.slice(name.length + 1);
    const at = argv.indexOf(name);
    if (at < 0) return null;
    const value = argv[at + 1];
    if (value === undefined || value.startsWith('--')) throw new ServiceError('INVALID_ARGUMENT', `${name} needs a value.`);
    return value;
  };
  const speedText = valueOf('--speed');
  const speed = speedText === null ? DEMO_SPEED : Number(speedText);
  if (!Number.isFinite(speed) || speed <= 0) throw new ServiceError('INVALID_ARGUMENT', `--speed takes a positive factor, not "${speedText}".`);
  const portText = valueOf('--central-server');
  const centralServer = argv.includes('--no-central-server') ? false : portText === null ? DEMO_CENTRAL_SERVER_PORT : demoPort(portText);
  return { speed, centralServer };
}

export interface RunningDemo {
  bench: DemoBench;
  central: DemoCentralServer | null;
  /** What to tell the person who started it: the virtual bench, the central server and how to reach support. */
  lines(): string[];
  close(): Promise<void>;
}

/** Starts the demo bench and the local central server beside it; on failure nothing is left running. */
export async function startDemo(
  services: BenchServices,
  options: DemoOptions & { dataDir: string; sourceDir: string; logger: Logger; faults?: BenchFaults; liveIntervalMs?: number },
): Promise<RunningDemo> {
  const bench = await prepareDemoBench(services, {
    dataDir: options.dataDir,
    sourceDir: options.sourceDir,
    speed: options.speed,
    logger: options.logger,
    // The local central server issues the credits (demo-central-server.ts): its reconciliation then knows them.
    localCredits: options.centralServer === false,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.liveIntervalMs ? { liveIntervalMs: options.liveIntervalMs } : {}),
  });
  let central: DemoCentralServer | null = null;
  try {
    if (options.centralServer !== false) {
      // Loaded only when asked for: the app without --demo never initialises the server's modules.
      const { startDemoCentralServer } = await import('./demo-central-server');
      central = await startDemoCentralServer(services, { dataDir: options.dataDir, repoDir: bench.repoDir, port: options.centralServer, logger: options.logger });
    }
  } catch (error) {
    await bench.close();
    throw error;
  }
  return {
    bench,
    central,
    lines: () => [
      `Virtual bench: ${bench.address} (demo packs, ${services.store.sessions.balance()} credits)`,
      ...(central
        ? [`Central server: ${central.url} (${central.note ?? 'the bench is enrolled and syncs its log to it'}; support view ${central.url}/support/ with the token in ${central.supportTokenFile})`]
        : []),
    ],
    close: async () => {
      await central?.close();
      await bench.close();
    },
  };
}
