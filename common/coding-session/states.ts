/**
 * The coding session's whole lifecycle as one table: every state, every event that moves it, and every
 * way it can end. The bench's session engine, the crash-recovery close and the diagnostic plan runner
 * (native-bridge/test-plan.ts) all move through this table, so a phase or an exit cannot exist in one of
 * them only. Runtime-neutral: no Node, no DOM, no imports, so the native bridge, the services and the
 * contract can all read it.
 */

export const codingSessionTransitions = {
  // The session exists and its start is logged; a crash from here on leaves it `running` in the store.
  started: { begin: 'preflight', interrupt: 'interrupted' },
  preflight: { gatesPassed: 'electrical', gatesBlocked: 'refused', operatorAborted: 'aborted', faulted: 'aborted', interrupt: 'interrupted' },
  electrical: { electricalPassed: 'leak', electricalFailed: 'rejected', operatorAborted: 'aborted', faulted: 'aborted', interrupt: 'interrupted' },
  leak: { leakPassed: 'delivery', leakFailed: 'rejected', operatorAborted: 'aborted', faulted: 'aborted', interrupt: 'interrupted' },
  // One visit per delivery step of the plan (a plan has at least one).
  delivery: { nextStep: 'delivery', stepsMeasured: 'coding', operatorAborted: 'aborted', faulted: 'aborted', interrupt: 'interrupted' },
  coding: { codeEncoded: 'writing', notCodable: 'rejected', operatorAborted: 'aborted', faulted: 'aborted', interrupt: 'interrupted' },
  writing: { codeWritten: 'finished', operatorAborted: 'aborted', faulted: 'aborted', interrupt: 'interrupted' },
  finished: {},
  refused: {},
  aborted: {},
  rejected: {},
  interrupted: {},
} as const satisfies Record<string, Record<string, string>>;

export type CodingSessionState = keyof typeof codingSessionTransitions;
type EdgesOf<S extends CodingSessionState> = (typeof codingSessionTransitions)[S];
/** The events a state accepts. */
export type CodingSessionEventIn<S extends CodingSessionState> = keyof EdgesOf<S> & string;
export type CodingSessionEvent = { [S in CodingSessionState]: CodingSessionEventIn<S> }[CodingSessionState];

export const codingSessionStartState = 'started' satisfies CodingSessionState;
export const codingSessionStates = Object.keys(codingSessionTransitions) as CodingSessionState[];

export type TerminalCodingSessionState = { [S in CodingSessionState]: keyof EdgesOf<S> extends never ? S : never }[CodingSessionState];
export type InProgressCodingSessionState = Exclude<CodingSessionState, TerminalCodingSessionState>;

/**
 * How each end is recorded: the session's stored status (the log entry is `session.<status>`) and its
 * verdict. A rejected injector is a completed session that failed; an interrupted one was aborted by the
 * crash, so the central server counts both ends the way it always has.
 */
export const codingSessionOutcomes = {
  finished: { status: 'completed', verdict: 'pass' },
  rejected: { status: 'completed', verdict: 'fail' },
  refused: { status: 'refused', verdict: null },
  aborted: { status: 'aborted', verdict: null },
  interrupted: { status: 'aborted', verdict: null },
} as const satisfies Record<TerminalCodingSessionState, { status: 'completed' | 'refused' | 'aborted'; verdict: 'pass' | 'fail' | null }>;

export type CodingSessionOutcome = (typeof codingSessionOutcomes)[TerminalCodingSessionState];

/**
 * The phase the UI shows for each in-progress state. `started` has none: the session is announced by its
 * first phase, preflight.
 */
export const codingSessionPhases = {
  started: null,
  preflight: 'preflight',
  electrical: 'electrical',
  leak: 'leak',
  delivery: 'delivery',
  coding: 'coding',
  writing: 'writing',
} as const satisfies Record<InProgressCodingSessionState, string | null>;

export type CodingSessionPhase = NonNullable<(typeof codingSessionPhases)[InProgressCodingSessionState]>;

/** A move the table does not allow: a bug in whoever drives the session, never a bench condition. */
export class IllegalSessionTransitionError extends Error {
  readonly code = 'ILLEGAL_SESSION_TRANSITION';
  constructor(
    readonly state: string,
    readonly event: string,
  ) {
    super(`The coding session cannot take "${event}" in state "${state}".`);
    this.name = 'IllegalSessionTransitionError';
  }
}

function edgesOf(state: CodingSessionState): Readonly<Record<string, CodingSessionState>> {
  return codingSessionTransitions[state];
}

export function transition<S extends CodingSessionState>(state: S, event: CodingSessionEventIn<S>): CodingSessionState;
export function transition(state: CodingSessionState, event: CodingSessionEvent): CodingSessionState;
export function transition(state: CodingSessionState, event: string): CodingSessionState {
  // Own properties only: an event named `constructor` or `toString` must not find Object.prototype's.
  const edges = Object.hasOwn(codingSessionTransitions, state) ? edgesOf(state) : undefined;
  const next = edges && Object.hasOwn(edges, event) ? edges[event] : undefined;
  if (next === undefined) throw new IllegalSessionTransitionError(state, event);
  return next;
}

export function isTerminal(state: CodingSessionState): state is TerminalCodingSessionState {
  return Object.keys(codingSessionTransitions[state]).length === 0;
}

export function outcomeOf(state: TerminalCodingSessionState): CodingSessionOutcome {
  return codingSessionOutcomes[state];
}

export function phaseOf(state: InProgressCodingSessionState): CodingSessionPhase | null {
  return codingSessionPhases[state];
}
