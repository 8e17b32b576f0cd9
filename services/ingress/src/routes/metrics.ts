import type { GatewayMetrics } from '@imagegate/telemetry';
import { Router } from 'express';

/** `GET /metrics`: the process's metrics in Prometheus text format (docs/operations.md, "Metrics"). */
export function metricsRouter(registry: GatewayMetrics['registry']): Router {
  const router = Router();
  router.get('/metrics', async (_request, response) => {
    const text = await registry.metrics();
    response.type(registry.contentType).send(text);
  });
  return router;
}
