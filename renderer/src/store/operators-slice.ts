import type { StateCreator } from 'zustand';
import type { BenchApi, MethodInput, OperatorDetail } from '../../../electron/contract/bench-api';
import type { BenchError } from '../../../electron/contract/envelope';

export interface OperatorsSlice {
  operators: OperatorDetail[];
  operatorsError: BenchError | null;
  loadOperators(): Promise<void>;
  createOperator(input: MethodInput<'createOperator'>): Promise<boolean>;
  updateOperator(input: MethodInput<'updateOperator'>): Promise<boolean>;
}

export const createOperatorsSlice =
  (bench: BenchApi): StateCreator<OperatorsSlice, [], [], OperatorsSlice> =>
  (set, get) => {
    const change = async (call: Promise<Awaited<ReturnType<BenchApi['createOperator']>>>): Promise<boolean> => {
      const result = await call;
      if (!result.ok) {
        set({ operatorsError: result.error });
        return false;
      }
      set({ operatorsError: null });
      await get().loadOperators();
      return true;
    };
    return {
      operators: [],
      operatorsError: null,
      async loadOperators() {
        const result = await bench.listOperators();
        if (result.ok) set({ operators: result.value, operatorsError: null });
        else set({ operatorsError: result.error });
      },
      createOperator: (input) => change(bench.createOperator(input)),
      updateOperator: (input) => change(bench.updateOperator(input)),
    };
  };
