import { quoteRequestSchema } from '@imagegate/contracts';
import { InvalidRequestError } from '@imagegate/core';
import { Router } from 'express';
import type { IngressDeps } from '../deps.ts';
import { callerOf } from '../middleware/authenticate.ts';
import { quoteJob } from '../submission/quote-job.ts';

/** `POST /v1/images/quote`: the price of a request before it is sent (no job, no hold). */
export function quoteRouter(deps: IngressDeps): Router {
  const router = Router();
  router.post('/v1/images/quote', async (request, response) => {
    if (!request.is('application/json')) {
      throw new InvalidRequestError("Send the body as JSON with 'Content-Type: application/json'.", {
        code: 'invalid_content_type',
      });
    }
    const body = quoteRequestSchema.parse(request.body ?? null);
    response.json(await quoteJob(deps, callerOf(response).accountId, body));
  });
  return router;
}
