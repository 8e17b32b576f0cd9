import type { Server } from 'node:http';
import type { Redis } from '@imagegate/queue';
import { subscribeJobChannels } from '@imagegate/queue';
import { buildApp } from './app.ts';
import { answerClientError } from './client-error.ts';
import type { IngressDeps } from './deps.ts';

export interface RunningIngress {
  server: Server;
  /** e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Stops accepting connections, answers waiting clients, and closes the subscription. */
  close(): Promise<void>;
}

/**
 * Starts the ingress on `port` (0 = any free port) from deps the caller opened and keeps owning:
 * `close()` stops serving but leaves them open (`startIngressFromConfig` opens and closes its own).
 * `subscriber` is a dedicated Redis connection for job events (a subscribed connection can do
 * nothing else).
 */
export async function startIngress(
  deps: IngressDeps,
  options: { port: number; host: string; subscriber: Redis },
): Promise<RunningIngress> {
  await subscribeJobChannels(options.subscriber, deps.settings.redisPrefix, {
    onJobEvent: (event) => deps.waiter.notify(event),
  });
  deps.waiter.start();
  const app = buildApp(deps);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port, options.host, (error?: Error) =>
      error ? reject(error) : resolve(listening),
    );
  });
  // Long syncs wait minutes; the defaults would cut them off.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const displayHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    server,
    url: `http://${displayHost}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      deps.waiter.stop();
      server.closeIdleConnections();
      await options.subscriber.unsubscribe().catch(() => {});
      await closed;
    },
  };
}
