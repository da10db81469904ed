import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths that may hold secrets; pino replaces their values before anything is written. */
const redactedPaths = [
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'pin',
  '*.pin',
  'privateKey',
  '*.privateKey',
];

/** Structured logs on stderr, so stdout stays free for the lines other programs read. */
export function createLogger(name: string, level: string = process.env.INJBENCH_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: redactedPaths, censor: '[redacted]' } }, pino.destination(2));
}

/**
 * A logger on stderr that more destinations can join later (the bench app's rotating log files, opened
 * once its data directory is known), with the same redaction.
 */
export function createTeeLogger(name: string, level: string = process.env.INJBENCH_LOG_LEVEL ?? 'info'): { logger: Logger; addDestination(stream: pino.DestinationStream): void } {
  const streams = pino.multistream([{ level: 'trace', stream: pino.destination(2) }]);
  const logger = pino({ name, level, redact: { paths: redactedPaths, censor: '[redacted]' } }, streams);
  return { logger, addDestination: (stream) => void streams.add({ level: 'trace', stream }) };
}
