import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Where to listen. */
export interface ListenOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
}

/** A listening server plus what emulators need to shut it down cleanly. */
export interface StartedHttpServer {
  port: number;
  /** `http://host:port` with a dialable host (wildcard binds map to loopback). */
  origin: string;
  /** Aborts when `close()` starts, releasing hanging and sleeping requests. */
  shutdown: AbortSignal;
  /** Stops listening and destroys every open socket, hanging requests included. Idempotent. */
  close(): Promise<void>;
}

/** Handles one request; `shutdown` aborts when the server closes. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse, shutdown: AbortSignal) => Promise<void>;

/**
 * Starts a plain `node:http` server (no framework, for benchmark throughput). Errors escaping
 * `handler` go to `onError`, which should answer 500 in the provider's own envelope.
 */
export async function startHttpServer(
  options: ListenOptions,
  handler: RequestHandler,
  onError: (res: ServerResponse, error: unknown) => void,
): Promise<StartedHttpServer> {
  const shutdown = new AbortController();
  const server = createServer((req, res) => {
    handler(req, res, shutdown.signal).catch((error: unknown) => onError(res, error));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      shutdown.abort();
      server.close(() => resolve());
      // server.close() alone would wait for keep-alive and hanging requests forever.
      server.closeAllConnections();
    });
    return closing;
  };
  return { port, origin: `http://${dialableHost(host)}:${port}`, shutdown: shutdown.signal, close };
}

/** Turns a bind address into something a client can dial. */
export function dialableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Splits `req.url` into its path and query parameters. */
export function splitUrl(req: IncomingMessage): { path: string; query: URLSearchParams } {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return { path: url, query: new URLSearchParams() };
  return { path: url.slice(0, queryAt), query: new URLSearchParams(url.slice(queryAt + 1)) };
}
