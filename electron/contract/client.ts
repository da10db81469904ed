/**
 * Builds a BenchApi object over any transport. The Electron preload and the workspace browser bridge
 * both use it, so `window.bench` has the same shape and behaviour wherever the renderer runs.
 */
import type { BenchApi } from './bench-api';
import { benchMethodNames, isBenchEventName, type BenchEventName, type BenchMethodName } from './channels';
import { fail, isBenchErrorParams, type Result } from './envelope';

export interface BenchTransport {
  invoke(method: BenchMethodName, input: unknown): Promise<unknown>;
  /** Delivers every event message; returns a function that stops delivery. */
  subscribe(listener: (event: BenchEventName, payload: unknown) => void): () => void;
}

function isResultShape(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const candidate = value as { ok: unknown; error?: unknown };
  if (candidate.ok === true) return 'value' in candidate;
  if (candidate.ok !== false || typeof candidate.error !== 'object' || candidate.error === null) return false;
  const error = candidate.error as { code?: unknown; message?: unknown; params?: unknown };
  return typeof error.code === 'string' && typeof error.message === 'string' && (error.params === undefined || isBenchErrorParams(error.params));
}

export function createBenchClient(transport: BenchTransport): BenchApi {
  const listeners = new Map<BenchEventName, Set<(payload: unknown) => void>>();
  let unsubscribeTransport: (() => void) | null = null;

  function ensureSubscribed(): void {
    if (unsubscribeTransport) return;
    unsubscribeTransport = transport.subscribe((event, payload) => {
      for (const listener of listeners.get(event) ?? []) listener(payload);
    });
  }

  const api: Record<string, unknown> = {};
  for (const method of benchMethodNames) {
    api[method] = async (input?: unknown): Promise<Result<unknown>> => {
      try {
        const reply = await transport.invoke(method, input);
        return isResultShape(reply) ? reply : fail('TRANSPORT_ERROR', `The ${method} reply was not a result envelope.`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return fail('TRANSPORT_ERROR', `Could not reach the bench services (${reason}). Check that the app is still running.`);
      }
    };
  }
  api.on = (event: unknown, listener: unknown): (() => void) => {
    if (!isBenchEventName(event) || typeof listener !== 'function') return () => undefined;
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    const typed = listener as (payload: unknown) => void;
    set.add(typed);
    ensureSubscribed();
    return () => {
      set.delete(typed);
      const remaining = [...listeners.values()].some((s) => s.size > 0);
      if (!remaining && unsubscribeTransport) {
        unsubscribeTransport();
        unsubscribeTransport = null;
      }
    };
  };
  return Object.freeze(api) as BenchApi;
}
