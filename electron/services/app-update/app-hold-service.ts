/**
 * The admin's hold of the app at its installed version, set and lifted from the app (Support view):
 * time-bounded like a pack pin (at most MAX_PIN_DAYS), with who, why and the ticket, each change in the
 * integrity log before the answer. The update policy reads the same file (bench-ports.ts).
 */
import { MAX_PIN_DAYS, type AppUpdateHoldView } from '../../contract/bench-api';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import { ServiceError } from '../service-error';
import { appHoldSchema, type AppHold } from './ports';
import type { AppHoldStore } from './bench-ports';

export class AppHoldService {
  constructor(
    private readonly holds: AppHoldStore,
    private readonly log: Pick<IntegrityLog, 'append'>,
    private readonly now: () => Date,
  ) {}

  view(): AppUpdateHoldView {
    const parsed = appHoldSchema.safeParse(this.holds.read());
    const hold = parsed.success && Date.parse(parsed.data.until) > this.now().getTime() ? parsed.data : null;
    return { hold, maxHoldDays: MAX_PIN_DAYS };
  }

  hold(input: { actor: string; hours: number; reason: string; ticket: string }): AppUpdateHoldView {
    const since = this.now();
    const hold: AppHold = { actor: input.actor, reason: input.reason, ticket: input.ticket, since: since.toISOString(), until: new Date(since.getTime() + input.hours * 3_600_000).toISOString() };
    this.log.append('app-update.hold.set', { ...hold });
    this.holds.write(hold);
    return this.view();
  }

  release(input: { actor: string; reason: string; ticket: string }): AppUpdateHoldView {
    const current = this.view().hold;
    if (!current) throw new ServiceError('NOT_FOUND', 'The app is not held: there is no hold to lift.');
    this.log.append('app-update.hold.released', { actor: input.actor, reason: input.reason, ticket: input.ticket, heldBy: current.actor, heldUntil: current.until });
    this.holds.clear();
    return this.view();
  }
}
