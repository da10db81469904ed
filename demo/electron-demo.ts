/**
 * `--demo` in the Electron app: the same demo bench and local central server as workspace mode
 * (demo/demo.ts), in the app's data directory, closed when the app quits. The electron
 * module arrives as a parameter, so tests drive this with the fake app (test/fakes/electron.ts).
 */
import path from 'node:path';
import type { BenchServices } from '../electron/services/bench-services';
import { demoOptionsFromArgv, startDemo, type RunningDemo } from './demo';
import type { Logger } from '../common/logger';

export interface AppDemoOptions {
  argv: readonly string[];
  /** resources/ of the checkout or the package: demo-source lives there. */
  resourcesDir: string;
  logger: Logger;
  /** Where the lines for the person who started the app go (stdout in the app). */
  print: (line: string) => void;
}

/** The two things it needs of Electron's app: the data directory and the quit event. */
export interface DemoApp {
  getPath(name: 'userData'): string;
  on(event: 'will-quit', listener: () => void): unknown;
}

/** Starts the demo when the command line asks for it (`--demo`); null otherwise. */
export async function startAppDemo(app: DemoApp, services: BenchServices, options: AppDemoOptions): Promise<RunningDemo | null> {
  const wanted = demoOptionsFromArgv(options.argv);
  if (!wanted) return null;
  const demo = await startDemo(services, { ...wanted, dataDir: app.getPath('userData'), sourceDir: path.join(options.resourcesDir, 'demo-source'), logger: options.logger });
  app.on('will-quit', () => void demo.close());
  for (const line of demo.lines()) options.print(line);
  return demo;
}
