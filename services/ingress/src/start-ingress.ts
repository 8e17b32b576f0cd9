import { createServer, type Server } from 'node:http';
import type { Redis } from '@imagegate/queue';
import { subscribeJobChannels } from '@imagegate/queue';
import type { Express } from 'express';
import { buildApp } from './app.ts';
import { answerClientError } from './client-error.ts';
import type { IngressDeps } from './deps.ts';
import { CloseWhenDraining } from './middleware/close-when-draining.ts';

export interface RunningIngress {
  server: Server;
  /** The express app the server runs (tests read the routes it registered). */
  app: Express;
  /** e.g. `http://127.0.0.1:8080`. */
  url: string;
  /**
   * Stops accepting connections and drains within the shutdown grace: a request waiting on a job
   * gets its result if the job finishes in time, else 202 with the job; then the subscription closes.
   */
  close(): Promise<void>;
}

export interface IngressServerOptions {
  port: number;
  host: string;
  subscriber: Redis;
  /** `HEADERS_TIMEOUT_MS`: how long a request's headers may take (default 10 s). */
  headersTimeoutMs?: number;
  /** `SHUTDOWN_GRACE_MS`: `close()` is done within this (default 25 s). */
  shutdownGraceMs?: number;
}

/**
 * The phases of a shutdown, in ms after it starts: waits on jobs end (their clients get a 202), then
 * whatever connection is still open is cut, leaving the rest of the grace to close connections.
 */
export function shutdownPhases(graceMs: number): { endWaitsAt: number; cutConnectionsAt: number } {
  const answerReserveMs = Math.min(2_000, graceMs / 4);
  return { endWaitsAt: graceMs - answerReserveMs, cutConnectionsAt: graceMs - answerReserveMs / 2 };
}

/**
 * Starts the ingress on `port` (0 = any free port) from deps the caller opened and keeps owning:
 * `close()` stops serving but leaves them open (`startIngressFromConfig` opens and closes its own).
 * `subscriber` is a dedicated Redis connection for job events (a subscribed connection can do
 * nothing else).
 */
export async function startIngress(deps: IngressDeps, options: IngressServerOptions): Promise<RunningIngress> {
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const graceMs = options.shutdownGraceMs ?? 25_000;
  await subscribeJobChannels(options.subscriber, deps.settings.redisPrefix, {
    onJobEvent: (event) => deps.waiter.notify(event),
    onJobProgress: (jobId) => deps.progress.notify(jobId),
  });
  deps.waiter.start();
  const draining = new CloseWhenDraining();
  const app = buildApp(deps, draining.middleware);
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      // Not node's bound on the whole request: long syncs wait minutes, and bodies have their own
      // deadline (`bodyDeadline`), longer for larger uploads.
      requestTimeout: 0,
      // How often node looks for headers past their timeout (its default, 30 s, would add up to that).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, headersTimeoutMs / 4)),
      keepAliveTimeout: 65_000,
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('clientError', answerClientError);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const displayHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    server,
    app,
    url: `http://${displayHost}:${port}`,
    async close() {
      const startedAt = Date.now();
      const phases = shutdownPhases(graceMs);
      draining.begin();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      deps.waiter.endWaitsBy(startedAt + phases.endWaitsAt);
      const cut = setTimeout(() => server.closeAllConnections(), phases.cutConnectionsAt);
      await closed;
      clearTimeout(cut);
      deps.waiter.stop();
      deps.progress.stop();
      await options.subscriber.unsubscribe().catch(() => {});
    },
  };
}
