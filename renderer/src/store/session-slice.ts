import type { StateCreator } from 'zustand';
import type { BenchApi, BenchSession, OperatorSummary } from '../../../electron/contract/bench-api';
import type { BenchError } from '../../../electron/contract/envelope';

export interface SessionSlice {
  session: BenchSession | null;
  signInChoices: OperatorSummary[];
  sessionError: BenchError | null;
  loadSession(): Promise<void>;
  receiveSession(session: BenchSession): void;
  setupFirstAdmin(name: string, pin: string): Promise<boolean>;
  signIn(operatorId: string, pin: string): Promise<boolean>;
  signOut(): Promise<void>;
  clearSessionError(): void;
}

export const createSessionSlice =
  (bench: BenchApi): StateCreator<SessionSlice, [], [], SessionSlice> =>
  (set, get) => {
    /** Applies a session-changing call: the new session on success, the error otherwise. */
    const apply = async (call: Promise<Awaited<ReturnType<BenchApi['getSession']>>>): Promise<boolean> => {
      const result = await call;
      if (!result.ok) {
        set({ sessionError: result.error });
        return false;
      }
      get().receiveSession(result.value);
      set({ sessionError: null });
      return true;
    };
    return {
      session: null,
      signInChoices: [],
      sessionError: null,
      async loadSession() {
        const [session, choices] = await Promise.all([bench.getSession(), bench.listSignInOperators()]);
        if (session.ok) set({ session: session.value });
        else set({ sessionError: session.error });
        if (choices.ok) set({ signInChoices: choices.value });
      },
      receiveSession(session) {
        set({ session });
        if (!session.operator) {
          void bench.listSignInOperators().then((choices) => {
            if (choices.ok) set({ signInChoices: choices.value });
          });
        }
      },
      setupFirstAdmin: (name, pin) => apply(bench.setupFirstAdmin({ name, pin })),
      signIn: (operatorId, pin) => apply(bench.signIn({ operatorId, pin })),
      async signOut() {
        await apply(bench.signOut());
      },
      clearSessionError: () => set({ sessionError: null }),
    };
  };
