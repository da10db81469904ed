/**
 * The app-update policy's ports as the bench answers them:
 * - channel: a director-signed directive's `app_update.channel` for this bench, else the bench's release
 *   channel (Settings), the same precedence as for packs;
 * - hold: the admin's hold set in the app (`<dataDir>/app-update/hold.json`) and a directive's
 *   `app_update.hold_until`; whichever ends later is in force.
 * Both are read again every `everyMs` (and at each decision), so a new directive or setting applies
 * without a restart.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../../trust/atomic-file';
import type { DirectiveDocument } from '../../../trust/schemas';
import { openTrustedRoot } from '../../../trust/trust-client';
import type { PackManager } from '../packs/pack-manager';
import type { TrustedRootState } from './signed-app-feed';
import type { BenchReleaseChannel } from './release-channel';
import { appHoldSchema, type AdminHoldSource, type AppHold, type ReleaseChannelSource, type Unsubscribe } from './ports';

export const APP_HOLD_FILE = path.join('app-update', 'hold.json');

/** The admin's app hold on disk; a file that does not parse is returned as it is, and the policy holds. */
export class AppHoldStore {
  readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, APP_HOLD_FILE);
  }
  read(): unknown {
    if (!existsSync(this.file)) return null;
    const text = readFileSync(this.file, 'utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return { unreadable: text.slice(0, 100) };
    }
  }
  write(hold: AppHold): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, Buffer.from(JSON.stringify(appHoldSchema.parse(hold))), 0o600);
  }
  clear(): void {
    rmSync(this.file, { force: true });
  }
}

/** Calls `listener` whenever `read()` gives another answer than before, checked every `everyMs`. */
function watch<T>(read: () => T, everyMs: number, listener: (value: T) => void): Unsubscribe {
  let last = JSON.stringify(read());
  const timer = setInterval(() => {
    let value: T;
    try {
      value = read();
    } catch {
      return;
    }
    const next = JSON.stringify(value);
    if (next === last) return;
    last = next;
    listener(value);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export interface BenchAppUpdateInputs {
  /** The bench's release channel from Settings. */
  settingsChannel: () => BenchReleaseChannel;
  /** The directive in force (PackManager.directiveInForce: trusted, re-verified, not expired), or null. */
  directive: () => DirectiveDocument | null;
  holds: AppHoldStore;
  now?: () => Date;
  everyMs?: number;
}

export function benchReleaseChannel(inputs: BenchAppUpdateInputs): ReleaseChannelSource {
  const current = (): BenchReleaseChannel => {
    let directive: DirectiveDocument | null = null;
    try {
      directive = inputs.directive();
    } catch {
      // A stored directive that no longer opens has no say; the pack service reports it.
    }
    return directive?.app_update?.channel ?? inputs.settingsChannel();
  };
  return { current, onChange: (listener) => watch(current, inputs.everyMs ?? 5_000, listener) };
}

/** The hold in force: the admin's (from the app) or the directive's, whichever ends later. */
export function benchAppHold(inputs: BenchAppUpdateInputs): AdminHoldSource {
  const now = inputs.now ?? (() => new Date());
  const current = (): AppHold | null => {
    const local = inputs.holds.read();
    // Unreadable: handed on as it is, and the policy treats it as a hold (not updating is the safe side).
    if (local !== null && !appHoldSchema.safeParse(local).success) return local as AppHold;
    const holds = [local as AppHold | null, directiveHold(inputs.directive)].filter((hold): hold is AppHold => hold !== null && Date.parse(hold.until) > now().getTime());
    holds.sort((a, b) => Date.parse(b.until) - Date.parse(a.until));
    return holds[0] ?? null;
  };
  return { current, onChange: (listener) => watch(current, inputs.everyMs ?? 5_000, () => listener()) };
}

/** The hold the directive in force sets, or null (none, expired, or a stored directive that no longer verifies). */
export function directiveHold(directiveInForce: () => DirectiveDocument | null): AppHold | null {
  let directive: DirectiveDocument | null;
  try {
    directive = directiveInForce();
  } catch {
    return null;
  }
  const until = directive?.app_update?.hold_until;
  if (!directive || !until) return null;
  return { actor: `${directive.actor} (directive seq ${directive.seq})`, reason: directive.reason, ticket: directive.ticket, since: directive.issued_at, until };
}

/** The root the bench trusts now (its pack state, after any rotation) and its last trusted time. */
export function benchTrustedRoot(packs: Pick<PackManager, 'readState'>): TrustedRootState {
  const { trusted } = packs.readState();
  return { root: openTrustedRoot(Buffer.from(trusted.rootBase64, 'base64')), lastTrustedTime: trusted.lastTrustedTime };
}
