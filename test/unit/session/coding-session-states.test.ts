import { describe, expect, it } from 'vitest';
import {
  codingSessionOutcomes,
  codingSessionPhases,
  codingSessionStartState,
  codingSessionStates,
  codingSessionTransitions,
  IllegalSessionTransitionError,
  isTerminal,
  transition,
  type CodingSessionEvent,
  type CodingSessionState,
} from '../../../common/coding-session/states';
import { sessionPhases } from '../../../electron/contract/coding-session';

const inProgress = ['started', 'preflight', 'electrical', 'leak', 'delivery', 'coding', 'writing'] as const;
const terminal = ['finished', 'refused', 'aborted', 'rejected', 'interrupted'] as const;
const failing = ['preflight', 'electrical', 'leak', 'delivery', 'coding', 'writing'] as const;

/** The lifecycle written out by hand, so a change to the table has to be made here too. */
const expectedEdges: [CodingSessionState, CodingSessionEvent, CodingSessionState][] = [
  ['started', 'begin', 'preflight'],
  ['preflight', 'gatesPassed', 'electrical'],
  ['preflight', 'gatesBlocked', 'refused'],
  ['electrical', 'electricalPassed', 'leak'],
  ['electrical', 'electricalFailed', 'rejected'],
  ['leak', 'leakPassed', 'delivery'],
  ['leak', 'leakFailed', 'rejected'],
  ['delivery', 'nextStep', 'delivery'],
  ['delivery', 'stepsMeasured', 'coding'],
  ['coding', 'codeEncoded', 'writing'],
  ['coding', 'notCodable', 'rejected'],
  ['writing', 'codeWritten', 'finished'],
  ...failing.flatMap((state): [CodingSessionState, CodingSessionEvent, CodingSessionState][] => [
    [state, 'operatorAborted', 'aborted'],
    [state, 'faulted', 'aborted'],
  ]),
  ...inProgress.map((state): [CodingSessionState, CodingSessionEvent, CodingSessionState] => [state, 'interrupt', 'interrupted']),
];

const tableEdges = codingSessionStates.flatMap((state) => Object.entries(codingSessionTransitions[state]).map(([event, next]) => [state, event, next]));
const allEvents = [...new Set(tableEdges.map(([, event]) => event))] as CodingSessionEvent[];

describe('the coding session states table', () => {
  it('has exactly the in-progress and terminal states of the lifecycle', () => {
    expect([...codingSessionStates].sort()).toEqual([...inProgress, ...terminal].sort());
    expect(codingSessionStartState).toBe('started');
  });

  it.each(expectedEdges)('%s --%s--> %s', (state, event, next) => {
    expect(transition(state, event)).toBe(next);
  });

  it('has no edge that is not in the lifecycle', () => {
    const key = ([state, event, next]: unknown[]) => `${String(state)} --${String(event)}--> ${String(next)}`;
    expect(tableEdges.map(key).sort()).toEqual(expectedEdges.map(key).sort());
  });

  it('reaches every state from the start', () => {
    const reached = new Set<CodingSessionState>([codingSessionStartState]);
    const queue: CodingSessionState[] = [codingSessionStartState];
    for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
      for (const next of Object.values(codingSessionTransitions[state]) as CodingSessionState[]) {
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    expect([...reached].sort()).toEqual([...codingSessionStates].sort());
  });

  it.each(terminal)('ends at %s: no way out, and an outcome to record', (state) => {
    expect(isTerminal(state)).toBe(true);
    expect(Object.keys(codingSessionTransitions[state])).toEqual([]);
    for (const event of allEvents) expect(() => transition(state, event)).toThrow(IllegalSessionTransitionError);
    expect(codingSessionOutcomes[state]).toBeDefined();
  });

  it.each(inProgress)('%s is in progress, and a crash there ends it interrupted', (state) => {
    expect(isTerminal(state)).toBe(false);
    expect(transition(state, 'interrupt')).toBe('interrupted');
  });

  it('throws on every event a state does not take', () => {
    for (const state of codingSessionStates) {
      for (const event of allEvents) {
        if (Object.hasOwn(codingSessionTransitions[state], event)) continue;
        expect(() => transition(state, event), `${state} --${event}-->`).toThrow(IllegalSessionTransitionError);
      }
    }
    // Names an object has without declaring them are not edges either.
    expect(() => transition('preflight', 'constructor' as CodingSessionEvent)).toThrow(IllegalSessionTransitionError);
    expect(() => transition('toString' as CodingSessionState, 'begin')).toThrow(IllegalSessionTransitionError);
  });

  it('records each end as the session status and verdict the store and the server already know', () => {
    expect(codingSessionOutcomes).toEqual({
      finished: { status: 'completed', verdict: 'pass' },
      rejected: { status: 'completed', verdict: 'fail' },
      refused: { status: 'refused', verdict: null },
      aborted: { status: 'aborted', verdict: null },
      interrupted: { status: 'aborted', verdict: null },
    });
  });

  it('announces the phases the UI knows, in the order the UI shows them', () => {
    const phases = inProgress.map((state) => codingSessionPhases[state]).filter((phase) => phase !== null);
    expect(phases).toEqual(sessionPhases.filter((phase) => phase !== 'done'));
  });
});
