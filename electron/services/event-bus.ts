import type { BenchEventName } from '../contract/channels';
import type { EventPayload } from '../contract/bench-api';

export type BenchEventListener = (event: BenchEventName, payload: unknown) => void;

/** Fan-out of service events to every connected transport (IPC window, workspace sockets). */
export class BenchEventBus {
  readonly #listeners = new Set<BenchEventListener>();

  publish<E extends BenchEventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.#listeners) {
      try {
        listener(event, payload);
      } catch {
        // One broken transport must not keep the event from the others.
      }
    }
  }

  subscribe(listener: BenchEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get size(): number {
    return this.#listeners.size;
  }
}
