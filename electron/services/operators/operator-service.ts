/**
 * Operators, sign-in and authorization. The bench has one operator at a time (the person at the
 * station); every method's access rule from the contract is enforced here, not only in the UI.
 * Failed sign-ins count per operator and lock the account for a while; both are logged as evidence.
 */
import { randomBytes } from 'node:crypto';
import type { BenchSession, OperatorDetail, OperatorSummary, Role } from '../../contract/bench-api';
import type { BenchError } from '../../contract/envelope';
import type { Authorize } from '../dispatcher';
import type { IntegrityLog } from '../integrity-log/integrity-log';
import { ServiceError } from '../service-error';
import type { OperatorRecord, OperatorRepository } from '../store/operator-repository';
import { hashPin, verifyPin } from '../../../common/pin-hash';

export interface SignInPolicy {
  maxFailedAttempts: number;
  lockoutSeconds: number;
  idleTimeoutSeconds: number;
}

export const defaultSignInPolicy: SignInPolicy = { maxFailedAttempts: 5, lockoutSeconds: 300, idleTimeoutSeconds: 900 };

const roleLabel: Record<Role, string> = { technician: 'a technician', admin: 'an admin', support: 'support' };

function summary(record: OperatorRecord): OperatorSummary {
  return { id: record.id, name: record.name, role: record.role };
}

function detail(record: OperatorRecord): OperatorDetail {
  return { ...summary(record), disabled: record.disabled, lockedUntil: record.lockedUntil, createdAt: record.createdAt };
}

export class OperatorService {
  #current: { operatorId: string; lastActivity: number } | null = null;

  constructor(
    private readonly operators: OperatorRepository,
    private readonly log: IntegrityLog,
    private readonly now: () => Date,
    private readonly onSessionChange: (session: BenchSession) => void,
    private readonly policy: SignInPolicy = defaultSignInPolicy,
    private readonly hash: (pin: string) => Promise<string> = hashPin,
  ) {}

  session(): BenchSession {
    const operator = this.#activeOperator();
    return {
      operator: operator ? summary(operator) : null,
      setupRequired: this.operators.count() === 0,
      idleTimeoutSeconds: this.policy.idleTimeoutSeconds,
    };
  }

  signInChoices(): OperatorSummary[] {
    return this.operators
      .all()
      .filter((operator) => !operator.disabled)
      .map(summary);
  }

  async setupFirstAdmin(name: string, pin: string): Promise<BenchSession> {
    const at = this.now().toISOString();
    const record: OperatorRecord = { id: newOperatorId(), name, role: 'admin', pinHash: await this.hash(pin), failedAttempts: 0, lockedUntil: null, disabled: false, createdAt: at };
    if (!this.operators.insertFirst(record)) {
      throw new ServiceError('ALREADY_SET_UP', 'This bench already has operators: sign in as an admin to add more.');
    }
    this.log.append('auth.first_admin_created', { operatorId: record.id, name });
    return this.#begin(record);
  }

  async signIn(operatorId: string, pin: string): Promise<BenchSession> {
    const operator = this.operators.byId(operatorId);
    if (!operator || operator.disabled) {
      this.log.append('auth.sign_in_failed', { operatorId, reason: operator ? 'disabled' : 'unknown operator' });
      throw new ServiceError('BAD_CREDENTIALS', 'Unknown or disabled operator. Ask an admin.');
    }
    const nowMs = this.now().getTime();
    if (operator.lockedUntil && Date.parse(operator.lockedUntil) > nowMs) {
      this.log.append('auth.sign_in_refused', { operatorId, reason: 'locked out', lockedUntil: operator.lockedUntil });
      throw new ServiceError('LOCKED_OUT', `Too many wrong PINs: ${operator.name} is locked until ${operator.lockedUntil}. Wait, or ask an admin to reset the PIN.`, {
        params: { name: operator.name, until: { instant: operator.lockedUntil } },
      });
    }
    const at = this.now().toISOString();
    if (!(await verifyPin(pin, operator.pinHash))) {
      operator.failedAttempts += 1;
      const lockedUntil = operator.failedAttempts >= this.policy.maxFailedAttempts ? new Date(nowMs + this.policy.lockoutSeconds * 1000).toISOString() : null;
      if (lockedUntil) {
        operator.lockedUntil = lockedUntil;
        operator.failedAttempts = 0;
      }
      this.operators.save(operator, at);
      this.log.append('auth.sign_in_failed', { operatorId, reason: 'wrong PIN', lockedUntil: operator.lockedUntil });
      if (lockedUntil) {
        throw new ServiceError('LOCKED_OUT', `Too many wrong PINs: ${operator.name} is locked for ${Math.round(this.policy.lockoutSeconds / 60)} minutes.`, {
          params: { name: operator.name, until: { instant: lockedUntil } },
        });
      }
      const left = this.policy.maxFailedAttempts - operator.failedAttempts;
      throw new ServiceError('BAD_CREDENTIALS', `Wrong PIN. ${left} ${left === 1 ? 'try' : 'tries'} left before a lockout.`, { params: { triesLeft: left } });
    }
    operator.failedAttempts = 0;
    operator.lockedUntil = null;
    this.operators.save(operator, at);
    return this.#begin(operator);
  }

  signOut(reason: 'requested' | 'idle' = 'requested'): BenchSession {
    const current = this.#current;
    this.#current = null;
    if (current) this.log.append('auth.signed_out', { operatorId: current.operatorId, reason });
    const session = this.session();
    this.onSessionChange(session);
    return session;
  }

  listOperators(): OperatorDetail[] {
    return this.operators.all().map(detail);
  }

  async createOperator(input: { name: string; role: Role; pin: string }): Promise<OperatorDetail> {
    if (this.operators.nameTaken(input.name)) throw new ServiceError('CONFLICT', `An operator called ${input.name} exists already.`);
    const record: OperatorRecord = {
      id: newOperatorId(),
      name: input.name,
      role: input.role,
      pinHash: await this.hash(input.pin),
      failedAttempts: 0,
      lockedUntil: null,
      disabled: false,
      createdAt: this.now().toISOString(),
    };
    this.operators.insert(record);
    this.log.append('admin.operator_created', { by: this.#current?.operatorId, operatorId: record.id, name: record.name, role: record.role });
    return detail(record);
  }

  async updateOperator(input: { operatorId: string; role?: Role; pin?: string; disabled?: boolean; unlock?: true }): Promise<OperatorDetail> {
    const record = this.operators.byId(input.operatorId);
    if (!record) throw new ServiceError('NOT_FOUND', 'No such operator.');
    const actor = this.#current?.operatorId;
    const demotesLastAdmin =
      record.role === 'admin' &&
      ((input.role !== undefined && input.role !== 'admin') || input.disabled === true) &&
      this.operators.all().filter((operator) => operator.role === 'admin' && !operator.disabled).length <= 1;
    if (demotesLastAdmin) throw new ServiceError('CONFLICT', 'This is the last active admin: make another admin first.');
    if (input.role !== undefined) record.role = input.role;
    if (input.disabled !== undefined) record.disabled = input.disabled;
    const wasLocked = record.lockedUntil !== null && Date.parse(record.lockedUntil) > this.now().getTime();
    if (input.pin !== undefined) record.pinHash = await this.hash(input.pin);
    // A PIN reset by an admin also lifts a lockout; so does an explicit unlock.
    if (input.pin !== undefined || input.unlock) {
      record.failedAttempts = 0;
      record.lockedUntil = null;
    }
    this.operators.save(record, this.now().toISOString());
    this.log.append('admin.operator_updated', {
      by: actor,
      operatorId: record.id,
      role: input.role,
      disabled: input.disabled,
      pinReset: input.pin !== undefined,
      lockoutLifted: wasLocked && (input.pin !== undefined || input.unlock === true),
    });
    if (this.#current?.operatorId === record.id && record.disabled) this.signOut('requested');
    return detail(record);
  }

  /** The dispatcher's authorizer: signs out idle sessions, then checks the method's access rule. */
  readonly authorize: Authorize = (_method, access) => {
    if (access === 'public') return null;
    const operator = this.#activeOperator();
    if (!operator) return { code: 'UNAUTHORIZED', message: 'Sign in first.' } satisfies BenchError;
    this.#current = { operatorId: operator.id, lastActivity: this.now().getTime() };
    if (access === 'signedIn' || (access as readonly Role[]).includes(operator.role)) return null;
    const allowed = (access as readonly Role[]).map((role) => roleLabel[role]).join(' or ');
    return { code: 'FORBIDDEN', message: `Only ${allowed} may do this; you are signed in as ${roleLabel[operator.role]}.` };
  };

  #activeOperator(): OperatorRecord | null {
    const current = this.#current;
    if (!current) return null;
    if (this.now().getTime() - current.lastActivity > this.policy.idleTimeoutSeconds * 1000) {
      this.signOut('idle');
      return null;
    }
    const operator = this.operators.byId(current.operatorId);
    if (!operator || operator.disabled) {
      this.#current = null;
      return null;
    }
    return operator;
  }

  #begin(operator: OperatorRecord): BenchSession {
    this.#current = { operatorId: operator.id, lastActivity: this.now().getTime() };
    this.log.append('auth.signed_in', { operatorId: operator.id, role: operator.role });
    const session = this.session();
    this.onSessionChange(session);
    return session;
  }
}

function newOperatorId(): string {
  return `op-${randomBytes(8).toString('hex')}`;
}
