import type { Command } from 'commander';
import { z } from 'zod';
import { createLogger } from '../../common/logger';
import { ServiceError } from '../../electron/services/service-error';
import path from 'node:path';
import { loadFamilyModels } from '../../native-bridge/sim/families';
import { parseFaults } from '../../native-bridge/sim/faults';
import { projectRoot } from '../paths';
import { SimStartError, startVirtualBench, type SimListen } from '../../native-bridge/sim/server';
import { VIRTUAL_BENCH_MODEL } from '../../native-bridge/sim/virtual-bench';
import { TransportError } from '../../native-bridge/transport';

const simOptionsSchema = z
  .object({
    pty: z.boolean().optional(),
    ptyLink: z.string().regex(/^\/[\w./-]+$/, 'expected an absolute path').optional(),
    tcp: z
      .string()
      .regex(/^(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/, 'expected 127.0.0.1:PORT (the virtual bench listens on loopback only)')
      .optional(),
    speed: z.coerce.number().positive().max(10_000),
    seed: z.coerce.number().int().min(0).max(2 ** 32 - 1),
    injector: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'expected 1-32 letters, digits or dashes'),
    model: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 letters, digits, dots, dashes or underscores'),
    watchdogMs: z.coerce.number().int().min(50).max(60_000),
    lastCal: z.iso.date(),
    calDue: z.iso.date(),
    fault: z.array(z.string()),
    families: z.string().min(1),
  })
  .refine((options) => Boolean(options.pty) !== Boolean(options.tcp), { message: 'give exactly one of --pty or --tcp 127.0.0.1:PORT' })
  .refine((options) => !options.ptyLink || options.pty, { message: '--pty-link needs --pty' });

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function runSim(raw: unknown): Promise<void> {
  const parsed = simOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => (issue.path.length ? `--${kebab(String(issue.path[0]))}: ${issue.message}` : issue.message));
    throw new ServiceError('INVALID_ARGUMENT', problems.join('; '));
  }
  const options = parsed.data;
  let faults;
  try {
    faults = parseFaults(options.fault);
  } catch (error) {
    throw new ServiceError('INVALID_ARGUMENT', error instanceof Error ? error.message : String(error));
  }
  let listen: SimListen = options.ptyLink ? { kind: 'pty', link: options.ptyLink } : { kind: 'pty' };
  if (options.tcp) {
    const at = options.tcp.lastIndexOf(':');
    listen = { kind: 'tcp', host: options.tcp.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(options.tcp.slice(at + 1)) };
  }
  const logger = createLogger('virtual-bench');
  const sim = await startVirtualBench(
    listen,
    {
      model: options.model,
      injectorSerial: options.injector,
      seed: options.seed,
      speed: options.speed,
      watchdogMs: options.watchdogMs,
      lastCalibration: options.lastCal,
      calibrationDue: options.calDue,
      faults: faults.bench,
      families: loadFamilyModels(path.resolve(options.families)),
    },
    faults.link,
    logger,
  ).catch((error: unknown) => {
    if (error instanceof SimStartError || error instanceof TransportError) throw new ServiceError('TRANSPORT_ERROR', error.message, { cause: error });
    throw error;
  });
  logger.info({ address: sim.address, speed: options.speed, faults }, 'virtual bench ready');
  process.stdout.write(`listening ${sim.address}\n`);
  const stop = async (): Promise<void> => {
    await sim.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run the virtual bench: a bench controller and a synthetic injector that speak the bench protocol')
    .option('--pty', 'serve on a pseudo-terminal pair made by socat; prints "listening /dev/pts/N"')
    .option('--pty-link <path>', 'with --pty: a stable symlink to the host end, kept across unplug/replug (prints it instead of /dev/pts/N)')
    .option('--tcp <host:port>', 'serve on TCP like a serial device server (127.0.0.1:0 picks a port); prints "listening tcp://..."')
    .option('--speed <factor>', 'run modeled time this many times faster (tests use 20-200)', '1')
    .option('--seed <n>', 'seed of measurement noise and link faults', '1')
    .option('--families <dir>', 'injector families the bench can clamp, by part number (calibration sources)', path.join(projectRoot, 'resources', 'demo-source'))
    .option('--model <id>', 'hardware model reported in IDENT (packs list the models they support)', VIRTUAL_BENCH_MODEL)
    .option('--injector <serial>', 'serial number of the synthetic injector on the coding target', 'SYN0445110123')
    .option('--watchdog-ms <ms>', 'heartbeat loss after which the bench goes SAFE', '1000')
    .option('--last-cal <date>', 'date of the last calibration check', isoDay(-90))
    .option('--cal-due <date>', 'date the next calibration check is due', isoDay(90))
    .option(
      '--fault <spec>',
      'fault to inject, repeatable or comma-separated: corrupt=PCT, drop=PCT, delay=MS, disconnect=FRAMES, replug=MS, nak=PCT[:CODE], stuck-nozzle, high-leak, open-coil, pressure-not-reached, code-mismatch, cold-oil',
      collect,
      [],
    )
    .action(runSim);
}
