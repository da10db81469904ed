/**
 * `--fault` flags of the virtual bench: `corrupt=5,drop=2,delay=200,disconnect=40,nak=10:BUSY` for the
 * link, and `stuck-nozzle`, `high-leak`, `open-coil`, `pressure-not-reached`, `code-mismatch`, `cold-oil` for the
 * bench and its injector.
 */
import { z } from 'zod';
import { nakCodes } from '../protocol/messages';
import { noLinkFaults, type LinkFaults } from './device-link';
import type { BenchFaults } from './virtual-bench';

export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

const percent = z.coerce.number().min(0).max(100);
const linkFaultSchemas = {
  corrupt: percent,
  drop: percent,
  delay: z.coerce.number().int().min(0).max(60_000),
  disconnect: z.coerce.number().int().min(1).max(1_000_000),
  replug: z.coerce.number().int().min(0).max(600_000),
  nak: z.string().regex(/^\d+(\.\d+)?(:[A-Z_]+)?$/),
} as const;
const benchFlags = {
  'stuck-nozzle': 'stuckNozzle',
  'high-leak': 'highLeak',
  'open-coil': 'openCoil',
  'pressure-not-reached': 'pressureNotReached',
  'cold-oil': 'coldOil',
  'code-mismatch': 'codeMismatch',
} as const satisfies Record<string, keyof BenchFaults>;

export const noBenchFaults: BenchFaults = { stuckNozzle: false, highLeak: false, openCoil: false, pressureNotReached: false, codeMismatch: false, coldOil: false };

const usage = `known faults: ${[...Object.keys(linkFaultSchemas).map((key) => `${key}=N`), ...Object.keys(benchFlags)].join(', ')}`;

export function parseFaults(specs: readonly string[]): { link: LinkFaults; bench: BenchFaults } {
  const link: LinkFaults = { ...noLinkFaults };
  const bench: BenchFaults = { ...noBenchFaults };
  for (const item of specs.flatMap((spec) => spec.split(',')).map((part) => part.trim()).filter(Boolean)) {
    const [key = '', value] = item.split('=', 2);
    if (key in benchFlags) {
      if (value !== undefined) throw new FaultSpecError(`fault "${key}" takes no value`);
      bench[benchFlags[key as keyof typeof benchFlags]] = true;
      continue;
    }
    if (!(key in linkFaultSchemas) || value === undefined) throw new FaultSpecError(`unknown fault "${item}"; ${usage}`);
    const parsed = linkFaultSchemas[key as keyof typeof linkFaultSchemas].safeParse(value);
    if (!parsed.success) throw new FaultSpecError(`fault "${item}": ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`);
    switch (key) {
      case 'corrupt':
        link.corruptPct = parsed.data as number;
        break;
      case 'drop':
        link.dropPct = parsed.data as number;
        break;
      case 'delay':
        link.delayMs = parsed.data as number;
        break;
      case 'disconnect':
        link.disconnectAfterFrames = parsed.data as number;
        break;
      case 'replug':
        link.replugAfterMs = parsed.data as number;
        break;
      case 'nak': {
        const [pct = '0', code = 'BUSY'] = (parsed.data as string).split(':');
        const nakCode = z.enum(nakCodes).safeParse(code);
        if (!nakCode.success) throw new FaultSpecError(`fault "${item}": NAK code must be one of ${nakCodes.join(', ')}`);
        const nakPct = percent.safeParse(pct);
        if (!nakPct.success) throw new FaultSpecError(`fault "${item}": percentage must be 0-100`);
        link.nakPct = nakPct.data;
        link.nakCode = nakCode.data;
        break;
      }
    }
  }
  return { link, bench };
}
