import { InvalidArgumentError } from 'commander';

/**
 * What the command lines (`injbench`, the central server's own) share: option parsers, each throwing
 * commander's InvalidArgumentError with the rule, and the one line a failed command prints.
 */

export function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return port;
}

/** Every typed error of the project carries an upper-case code; anything else is a plain failure. */
export function typedCode(error: unknown): string | null {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) ? code : null;
}

/** "program: CODE: message" for a typed error, "program: message" for anything else. */
export function failureLine(program: string, error: unknown): string {
  const code = typedCode(error);
  return `${program}: ${code ? `${code}: ` : ''}${error instanceof Error ? error.message : String(error)}`;
}
