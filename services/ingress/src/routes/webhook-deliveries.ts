import { isId, NotFoundError } from '@imagegate/core';
import {
  findJobForAccount,
  listWebhookDeliveriesForJob,
  listWebhookDeliveryAttempts,
  restartWebhookDelivery,
} from '@imagegate/db';
import { enqueueWebhookDeliveryNow } from '@imagegate/queue';
import { type Request, type Response, Router } from 'express';
import type { IngressDeps } from '../deps.ts';
import { callerOf } from '../middleware/authenticate.ts';
import { toWebhookDeliveryResource } from '../responses/webhook-delivery-resource.ts';

/**
 * A job's webhook deliveries and their attempts, and manual re-sends. Only the job's owner sees
 * them; for anyone else the job does not exist.
 */
export function webhookDeliveriesRouter(deps: IngressDeps): Router {
  const router = Router();
  const { pool } = deps;

  async function ownJobId(request: Request, response: Response): Promise<string> {
    const id = String(request.params.id);
    const job = isId('job', id) ? await findJobForAccount(pool, id, callerOf(response).accountId) : undefined;
    if (job === undefined) throw new NotFoundError(`No job with id '${id}'.`, { param: 'id' });
    return job.id;
  }

  router.get('/v1/images/jobs/:id/webhook_deliveries', async (request, response) => {
    const deliveries = await listWebhookDeliveriesForJob(pool, await ownJobId(request, response));
    const attempts = await listWebhookDeliveryAttempts(
      pool,
      deliveries.map((delivery) => delivery.id),
    );
    response.json({
      object: 'list',
      data: deliveries.map((delivery) => toWebhookDeliveryResource(delivery, attempts)),
    });
  });

  router.post('/v1/images/jobs/:id/webhook_deliveries/:deliveryId/retry', async (request, response) => {
    const jobId = await ownJobId(request, response);
    const deliveryId = String(request.params.deliveryId);
    const owned = isId('whd', deliveryId)
      ? (await listWebhookDeliveriesForJob(pool, jobId)).some((delivery) => delivery.id === deliveryId)
      : false;
    if (!owned) throw new NotFoundError(`No webhook delivery with id '${deliveryId}'.`, { param: 'delivery_id' });
    const restarted = await restartWebhookDelivery(pool, deliveryId);
    if (restarted === undefined) throw new NotFoundError(`No webhook delivery with id '${deliveryId}'.`);
    // Same delivery, same webhook-id: receivers that already have the event can tell it is one.
    await enqueueWebhookDeliveryNow(deps.webhookQueue, deliveryId);
    const attempts = await listWebhookDeliveryAttempts(pool, [deliveryId]);
    response.status(202).json(toWebhookDeliveryResource(restarted, attempts));
  });

  return router;
}
