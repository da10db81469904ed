/**
 * The admin's hold of the app at its installed version, set and lifted from the app (Enrolment & credits view):
 * time-bounded like a pack pin (at most MAX_PIN_DAYS), with who, why and the ticket, each change in the
 * integrity log before the answer. The update policy reads the same file (bench-ports.ts).
 */
import { MAX_PIN_DAYS, type AppUpdateHoldView } from '../../contract/bench-api';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import { ServiceError } from '../service-error';
import { appHoldSchema, type AppHold } from './ports';
import type { DirectiveDocument } from '../../../trust/schemas';
import { directiveHold, type AppHoldStore } from './bench-ports';

export class AppHoldService {
  constructor(
    private readonly holds: AppHoldStore,
    private readonly log: Pick<IntegrityLog, 'append'>,
    private readonly now: () => Date,
    /** The directive in force (PackManager.directiveInForce), whose app_update.hold_until holds the app too. */
    private readonly directive: () => DirectiveDocument | null = () => null,
  ) {}

  view(): AppUpdateHoldView {
    const inForce = (hold: AppHold | null) => (hold && Date.parse(hold.until) > this.now().getTime() ? hold : null);
    const parsed = appHoldSchema.safeParse(this.holds.read());
    return { hold: inForce(parsed.success ? parsed.data : null), directiveHold: inForce(directiveHold(this.directive)), maxHoldDays: MAX_PIN_DAYS };
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
