import { startPeriodicSweep } from '@imagegate/core';
import { findOverdueWebhookDeliveryIds } from '@imagegate/db';
import { enqueueWebhookDelivery, WEBHOOK_QUEUE, type WebhookDeliveryPayload } from '@imagegate/queue';
import { Worker } from 'bullmq';
import type { WebhookWorkerDeps } from './deps.ts';
import { createDeliverWebhookProcessor } from './processors/deliver-webhook.ts';

export interface RunningWebhookWorker {
  worker: Worker<WebhookDeliveryPayload>;
  /** One sweep now; returns how many overdue deliveries it handed to the queue. */
  sweep(): Promise<number>;
  /** Stops taking deliveries and lets those in flight finish (each is bounded by the timeout). */
  close(): Promise<void>;
}

/** The webhook queue's worker plus the sweep that re-enqueues pending deliveries Redis lost. */
export async function startWebhookWorker(deps: WebhookWorkerDeps): Promise<RunningWebhookWorker> {
  const { pool, logger, settings } = deps;
  const worker = new Worker<WebhookDeliveryPayload>(WEBHOOK_QUEUE, createDeliverWebhookProcessor(deps), {
    connection: deps.redis,
    prefix: settings.redisPrefix,
    concurrency: settings.concurrency ?? 50,
    // A killed worker's delivery is picked up again within ~lock + stalled interval, same webhook-id.
    lockDuration: settings.lockDurationMs ?? 10_000,
    stalledInterval: settings.stalledIntervalMs ?? 5_000,
    // Past this the entry fails and is dropped; the delivery is still pending in Postgres, so the sweep brings it back.
    maxStalledCount: 5,
  });
  worker.on('error', (error) => logger.error({ err: error }, 'webhook worker error'));
  worker.on('failed', (job, error) =>
    logger.warn({ err: error, deliveryId: job?.data.deliveryId }, 'webhook queue entry failed'),
  );
  await worker.waitUntilReady();

  async function sweep(): Promise<number> {
    const overdue = await findOverdueWebhookDeliveryIds(pool, {
      graceSeconds: settings.sweepGraceSeconds ?? 60,
      limit: 500,
    });
    // Adding is a no-op for a delivery whose entry still exists (queued, delayed or in flight).
    for (const deliveryId of overdue) await enqueueWebhookDelivery(deps.queue, deliveryId);
    if (overdue.length > 0) logger.info({ overdue: overdue.length }, 'sweep re-enqueued overdue webhook deliveries');
    return overdue.length;
  }
  const periodic = startPeriodicSweep(sweep, {
    intervalMs: settings.sweepIntervalMs ?? 30_000,
    logger,
    name: 'webhook sweep',
  });

  return {
    worker,
    sweep,
    async close() {
      await periodic.stop();
      await worker.close();
    },
  };
}
