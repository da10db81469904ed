import type { ByteLink } from '../../native-bridge/transport';

export interface MemoryLinkEnd extends ByteLink {
  /** Ends both sides as an unplugged cable would. */
  unplug(): void;
  /** Every chunk this side wrote. */
  readonly written: Buffer[];
}

/** Two connected in-memory links; bytes arrive asynchronously, as from a port. */
export function memoryLinkPair(): [MemoryLinkEnd, MemoryLinkEnd] {
  const data: Array<Array<(chunk: Buffer) => void>> = [[], []];
  const closes: Array<Array<(reason: string) => void>> = [[], []];
  let closed = false;
  const end = (side: 0 | 1): MemoryLinkEnd => {
    const written: Buffer[] = [];
    const shut = (reason: string) => {
      if (closed) return;
      closed = true;
      for (const listeners of closes) for (const listener of listeners.splice(0)) listener(reason);
    };
    return {
      description: `memory-${side}`,
      written,
      write(bytes) {
        if (closed) return;
        const chunk = Buffer.from(bytes);
        written.push(chunk);
        setImmediate(() => {
          if (!closed) for (const listener of data[1 - side]!) listener(chunk);
        });
      },
      onData: (listener) => void data[side]!.push(listener),
      onClose: (listener) => (closed ? listener('closed') : void closes[side]!.push(listener)),
      close: async () => shut('closed by the host'),
      unplug: () => shut('unplugged'),
    };
  };
  return [end(0), end(1)];
}
