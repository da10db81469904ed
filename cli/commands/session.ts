import type { Command } from 'commander';
import { z } from 'zod';
import { BenchDriver } from '../../native-bridge/driver';
import { sessionEngineOn } from '../../electron/services/session/driver-session-engine';
import { SessionError } from '../../electron/services/session/session-engine';
import type { SessionProgress, SessionReport } from '../../electron/services/session/session-report';
import { openBenchForCli } from '../bench-context';
import { defaultDataDir } from '../paths';
import { jsonOnlyOption, printJson } from '../../common/command-output';
import { refreshPacks } from './packs';

const runOptions = z.object({
  port: z.string().min(1),
  part: z.string().regex(/^[A-Za-z0-9-]{3,40}$/, 'a part number is 3-40 letters, digits or dashes'),
  serial: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'an injector serial is 1-32 letters, digits or dashes'),
  dataDir: z.string().optional(),
  repo: z.string().optional(),
  quiet: z.boolean().optional(),
});

/** What the runner prints: the outcome a workshop system or a test reads. */
function summary(report: SessionReport) {
  return {
    sessionId: report.sessionId,
    status: report.status,
    verdict: report.verdict,
    reason: report.reason,
    partNumber: report.partNumber,
    serial: report.serial,
    pack: report.pack,
    gates: report.gates.map(({ id, passed, code, detail }) => ({ id, passed, ...(code ? { code } : {}), detail })),
    electrical: report.electrical,
    leak: report.leak,
    steps: report.steps.map((step) => ({
      id: step.id,
      measuredMm3: step.measuredMm3,
      nominalMm3: step.nominalMm3,
      toleranceMm3: step.toleranceMm3,
      deviationPct: Math.round(step.deviationPct * 100) / 100,
      verdict: step.verdict,
      correctionSteps: step.correctionSteps,
    })),
    code: report.code,
    codeFormat: report.codeFormat,
    codeWrite: report.codeWrite,
    creditsDebited: report.creditsDebited,
    logCheckpoint: report.logCheckpoint,
  };
}

function progressLine(progress: SessionProgress): string | null {
  switch (progress.type) {
    case 'phase':
      return `phase ${progress.phase}${progress.stepId ? ` ${progress.stepId}` : ''}`;
    case 'gate':
      return `gate ${progress.gate.id} ${progress.gate.passed ? 'pass' : `BLOCKED ${progress.gate.code ?? ''}`}: ${progress.gate.detail}`;
    case 'step':
      return `step ${progress.step.id}: ${progress.step.measuredMm3} mm³ (nominal ${progress.step.nominalMm3} ± ${progress.step.toleranceMm3.toFixed(2)}) ${progress.step.verdict}`;
    case 'plan':
      return `plan ${progress.steps.map((step) => step.id).join(' ')}; test oil ${progress.oil.minC}–${progress.oil.maxC} °C`;
    case 'live':
      return null;
  }
}

/** One full coding session against a real or virtual bench; JSON outcome on stdout, progress on stderr. */
export async function runSession(raw: unknown): Promise<void> {
  const options = runOptions.parse(raw);
  const bench = openBenchForCli(options.dataDir ?? defaultDataDir());
  let driver: BenchDriver | null = null;
  try {
    // The bench first: its IDENT model is what the packs are checked against, in the refresh below too.
    driver = await BenchDriver.open(options.port);
    const engine = sessionEngineOn(bench, driver);
    if (options.repo) {
      // A refused family is reported and left as it was; the session's pack gate decides what that means.
      for (const outcome of await refreshPacks(bench, options.repo, [])) if (!outcome.ok) process.stderr.write(`${outcome.line}\n`);
    }
    engine.closeInterruptedSessions();
    const onSignal = () => void engine.abort('interrupted from the command line');
    process.once('SIGINT', onSignal);
    const report = await engine
      .run({ partNumber: options.part, serial: options.serial, operatorId: null }, (progress) => {
        const line = options.quiet ? null : progressLine(progress);
        if (line) process.stderr.write(`${line}\n`);
      })
      .finally(() => process.removeListener('SIGINT', onSignal));
    printJson(summary(report));
    if (report.status !== 'completed' && report.reason) throw new SessionError(report.reason.code, report.reason.message);
  } finally {
    await driver?.close();
    bench.close();
  }
}

export function registerSessionCommand(program: Command): void {
  const session = program.command('session').description('coding sessions without the UI');
  jsonOnlyOption(session.command('run'))
    .description('run one full coding session and print its outcome as JSON (exit 0 when it completed, whatever the verdict)')
    .requiredOption('--port <path|tcp://host:port>', 'serial port of the bench, or a serial device server')
    .requiredOption('--part <part>', 'injector part number (picks the pack and test plan)')
    .requiredOption('--serial <serial>', 'injector serial number')
    .option('--data-dir <dir>', 'bench data directory (default: $INJBENCH_DATA_DIR or the XDG data directory)')
    .option('--repo <dir>', 'refresh packs from this release repository first')
    .option('--quiet', 'no progress lines on stderr')
    .action(runSession);
}
