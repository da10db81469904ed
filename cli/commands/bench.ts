import type { Command } from 'commander';
import { z } from 'zod';
import { discoverPorts } from '../../native-bridge/discovery';
import { BenchDriver } from '../../native-bridge/driver';
import { runTestPlan } from '../../native-bridge/test-plan';
import { ServiceError } from '../../electron/services/service-error';
import { jsonOnlyOption, printJson } from '../../common/command-output';

const usbId = z.string().regex(/^[0-9a-fA-F]{4}$/, 'expected 4 hex digits');
const timeout = z.coerce.number().int().min(10).max(60_000);

function parse<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ServiceError('INVALID_ARGUMENT', `${name}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return parsed.data;
}

/** Opens the bench without reconnection: a one-shot command should fail, not wait for a replug. */
async function withDriver<T>(port: string, replyTimeoutMs: number, work: (driver: BenchDriver) => Promise<T>): Promise<T> {
  const driver = await BenchDriver.open(port, { replyTimeoutMs, reconnect: { enabled: false, delayMs: 0, maxAttempts: 0 } });
  try {
    return await work(driver);
  } finally {
    await driver.close();
  }
}

export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('talk to a bench controller (or the virtual bench) over serial or TCP');

  jsonOnlyOption(bench.command('probe'))
    .description('connect, negotiate the protocol version and print the IDENT as JSON')
    .requiredOption('--port <path|tcp://host:port>', 'serial port (/dev/ttyUSB0, /dev/pts/N) or serial device server')
    .option('--timeout <ms>', 'reply timeout per attempt', '500')
    .action(async (options: { port: string; timeout: string }) => {
      const ident = await withDriver(options.port, parse(timeout, options.timeout, '--timeout'), async (driver) => driver.ident);
      printJson(ident);
    });

  jsonOnlyOption(bench.command('plan'))
    .description('run the synthetic test plan and print its measured values as JSON')
    .requiredOption('--port <path|tcp://host:port>', 'serial port or serial device server')
    .option('--timeout <ms>', 'reply timeout per attempt', '500')
    .action(async (options: { port: string; timeout: string }) => {
      const result = await withDriver(options.port, parse(timeout, options.timeout, '--timeout'), async (driver) => {
        const before = await driver.status();
        if (before.state === 'safe') {
          // Usually the watchdog of an earlier session that ended; said out loud, since it is a safety state.
          process.stderr.write(`bench was in SAFE state (${before.safeReason ?? 'no reason given'}); clearing it to run the plan\n`);
          await driver.clearSafe();
        }
        return runTestPlan(driver);
      });
      printJson(result);
    });

  jsonOnlyOption(bench.command('ports'))
    .description('list serial ports, filtered by the bench controller USB vendor and product id')
    .option('--vid <hex>', 'USB vendor id, e.g. 0403')
    .option('--pid <hex>', 'USB product id, e.g. 6001')
    .action(async (options: { vid?: string; pid?: string }) => {
      const filter = {
        ...(options.vid ? { vendorId: parse(usbId, options.vid, '--vid') } : {}),
        ...(options.pid ? { productId: parse(usbId, options.pid, '--pid') } : {}),
      };
      printJson(await discoverPorts(filter));
    });
}
