import { Router } from 'express';
import type { IngressDeps } from '../deps.ts';

/** A prefix nothing is stored under: listing it is the cheapest request that proves the bucket answers. */
const READINESS_PROBE_PREFIX = 'readyz-probe/';

/**
 * `GET /healthz` (liveness): 200 once Postgres and Redis answer; 503 otherwise. `GET /readyz`
 * (readiness): the same and the object store.
 */
export function healthRouter(deps: IngressDeps): Router {
  const router = Router();
  router.get('/healthz', async (_request, response) => {
    const checks = await Promise.allSettled([deps.pool.query('select 1'), deps.redis.ping()]);
    const [postgres, redis] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'unavailable'));
    const healthy = postgres === 'ok' && redis === 'ok';
    response.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'degraded', postgres, redis });
  });
  // Readiness (take traffic or not): every dependency a request may need, the object store too.
  router.get('/readyz', async (_request, response) => {
    const checks = await Promise.allSettled([
      deps.pool.query('select 1'),
      deps.redis.ping(),
      deps.store.listKeys(READINESS_PROBE_PREFIX),
    ]);
    const [postgres, redis, objectStore] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'unavailable'));
    const ready = checks.every((check) => check.status === 'fulfilled');
    response
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ok' : 'degraded', postgres, redis, object_store: objectStore });
  });
  return router;
}
