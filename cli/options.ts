import { InvalidArgumentError } from 'commander';

/** Option parsers shared by the commands; each throws commander's InvalidArgumentError with the rule. */
export function portNumber(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return port;
}
