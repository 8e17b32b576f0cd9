import { createServer } from 'node:net';

/**
 * Asks the OS for a currently unused TCP port on `host` (default `127.0.0.1`). The port is
 * released before returning, so another process could grab it first; callers that spawn a
 * server on it should treat "address in use" as retryable.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') {
          reject(new Error(`freePort: unexpected listen address ${String(address)}`));
        } else {
          resolve(address.port);
        }
      });
    });
  });
}

/** True when nothing listens on `port` at `host` (default `127.0.0.1`), i.e. we could bind it. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
