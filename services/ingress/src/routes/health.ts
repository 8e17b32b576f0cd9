import { Router } from 'express';
import type { IngressDeps } from '../deps.ts';

/** `GET /healthz`: 200 once Postgres and Redis answer; 503 otherwise. */
export function healthRouter(deps: IngressDeps): Router {
  const router = Router();
  router.get('/healthz', async (_request, response) => {
    const checks = await Promise.allSettled([deps.pool.query('select 1'), deps.redis.ping()]);
    const [postgres, redis] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'unavailable'));
    const healthy = postgres === 'ok' && redis === 'ok';
    response.status(healthy ? 200 : 503).json({ status: healthy ? 'ok' : 'degraded', postgres, redis });
  });
  return router;
}
