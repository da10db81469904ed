/**
 * Workspace mode's stand-in for the Electron preload: installs the same `window.bench` over HTTP calls
 * and one WebSocket for events. The browser sends the launch cookie with both; the renderer never sees
 * the token.
 */
import type { BenchEventName } from '../contract/channels';
import { isBenchEventName } from '../contract/channels';
import { createBenchClient, type BenchTransport } from '../contract/client';

const EVENTS_PATH = '/api/events';
const MAX_RECONNECT_DELAY_MS = 10_000;

function createWorkspaceTransport(): BenchTransport {
  return {
    async invoke(method, input) {
      const response = await fetch(`/api/call/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ input }),
      });
      return response.json() as Promise<unknown>;
    },
    subscribe(listener) {
      let socket: WebSocket | null = null;
      let closed = false;
      let delay = 500;
      const connect = (): void => {
        socket = new WebSocket(`ws://${location.host}${EVENTS_PATH}`);
        socket.addEventListener('open', () => {
          delay = 500;
        });
        socket.addEventListener('message', (message: MessageEvent<unknown>) => {
          if (typeof message.data !== 'string') return;
          let parsed: unknown;
          try {
            parsed = JSON.parse(message.data);
          } catch {
            return;
          }
          const event = (parsed as { event?: unknown }).event;
          if (isBenchEventName(event)) listener(event as BenchEventName, (parsed as { payload?: unknown }).payload);
        });
        socket.addEventListener('close', () => {
          if (closed) return;
          setTimeout(connect, delay);
          delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
        });
      };
      connect();
      return () => {
        closed = true;
        socket?.close();
      };
    },
  };
}

Object.defineProperty(window, 'bench', {
  value: createBenchClient(createWorkspaceTransport()),
  writable: false,
  configurable: false,
  enumerable: true,
});
