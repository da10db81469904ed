import type { Server } from 'node:http';

export interface ListeningServer {
  url: string;
  /** Cuts every connection still open (after `beforeClose`), then closes. */
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1; for the test proxies and servers that stand in for a real one. */
export function listenOnLoopback(server: Server, beforeClose: () => void = () => undefined): Promise<ListeningServer> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            beforeClose();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
