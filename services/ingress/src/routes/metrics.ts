import { type GatewayMetrics, metricsText } from '@imagegate/telemetry';
import { Router } from 'express';

/** `GET /metrics`: the process's metrics in Prometheus text format (docs/operations.md, "Metrics"). */
export function metricsRouter(metrics: GatewayMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_request, response) => {
    const text = await metricsText(metrics);
    response.type(metrics.registry.contentType).send(text);
  });
  return router;
}
