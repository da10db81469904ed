import { pino } from 'pino';

/** A real pino logger that writes nowhere, with a record of error calls for assertions. */
export function silentLogger() {
  return pino({ level: 'silent' });
}
