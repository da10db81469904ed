import type { BenchApi } from '../../../electron/contract/bench-api';
import type { Result } from '../../../electron/contract/envelope';

type Handler = (input: unknown) => Result<unknown>;

/**
 * A window.bench for store and component tests: each method answers what the test scripted (default: a
 * NOT_FOUND error), and every call is recorded.
 */
export function fakeBench(answers: Partial<Record<keyof BenchApi, Handler>>): { bench: BenchApi; calls: Array<{ method: string; input: unknown }> } {
  const calls: Array<{ method: string; input: unknown }> = [];
  const bench = new Proxy(
    {},
    {
      get(_target, property: string) {
        if (property === 'on') return () => () => undefined;
        return async (input: unknown) => {
          calls.push({ method: property, input });
          const answer = answers[property as keyof BenchApi];
          return answer ? answer(input) : { ok: false, error: { code: 'NOT_FOUND', message: `${property} is not scripted` } };
        };
      },
    },
  ) as BenchApi;
  return { bench, calls };
}

export function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (key) => map.get(key) ?? null,
    key: (index) => [...map.keys()][index] ?? null,
    removeItem: (key) => void map.delete(key),
    setItem: (key, value) => void map.set(key, value),
  };
}
