import { once } from 'node:events';
import { createServer } from 'node:http';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { metricsText } from './metrics-text.ts';

export interface RunningMetricsServer {
  /** e.g. `http://127.0.0.1:9464`; scrape `<url>/metrics`. */
  url: string;
  close(): Promise<void>;
}

/** A worker's metrics endpoint: `GET /metrics` in Prometheus text format, 404 for anything else. */
export async function startMetricsServer(
  metrics: GatewayMetrics,
  options: { port: number; host: string },
): Promise<RunningMetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(path === '/metrics' ? 405 : 404, path === '/metrics' ? { allow: 'GET, HEAD' } : {}).end();
      return;
    }
    metricsText(metrics).then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
