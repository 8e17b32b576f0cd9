import { startPeriodicSweep } from '@imagegate/core';
import { findOverdueWebhookDeliveryIds } from '@imagegate/db';
import { enqueueWebhookDelivery, WEBHOOK_QUEUE, type WebhookDeliveryPayload } from '@imagegate/queue';
import { Worker } from 'bullmq';
import type { WebhookWorkerDeps } from './deps.ts';
import { createDeliverWebhookProcessor } from './processors/deliver-webhook.ts';
import { WEBHOOK_WORKER_DEFAULTS } from './webhook-worker-defaults.ts';

export interface RunningWebhookWorker {
  worker: Worker<WebhookDeliveryPayload>;
  /** One sweep now; returns how many overdue deliveries it handed to the queue. */
  sweep(): Promise<number>;
  /** The `METRICS_PORT` endpoint's base URL, when this service opened one (`start…FromConfig`). */
  metricsUrl?: string | undefined;
  /** Stops taking deliveries and lets those in flight finish (each is bounded by the timeout). */
  close(): Promise<void>;
}

/**
 * The webhook queue's worker plus the sweep that re-enqueues pending deliveries Redis lost, from
 * deps the caller opened and keeps owning: `close()` leaves them open
 * (`startWebhookWorkerFromConfig` opens and closes its own).
 */
export async function startWebhookWorker(deps: WebhookWorkerDeps): Promise<RunningWebhookWorker> {
  const { pool, logger, settings } = deps;
  const worker = new Worker<WebhookDeliveryPayload>(WEBHOOK_QUEUE, createDeliverWebhookProcessor(deps), {
    connection: deps.redis,
    prefix: settings.redisPrefix,
    concurrency: settings.concurrency ?? WEBHOOK_WORKER_DEFAULTS.concurrency,
    // A killed worker's delivery is picked up again within ~lock + stalled interval, same webhook-id.
    lockDuration: settings.lockDurationMs ?? WEBHOOK_WORKER_DEFAULTS.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs ?? WEBHOOK_WORKER_DEFAULTS.stalledIntervalMs,
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
      graceSeconds: settings.sweepGraceSeconds ?? WEBHOOK_WORKER_DEFAULTS.sweepGraceSeconds,
      limit: 500,
    });
    // Adding is a no-op for a delivery whose entry still exists (queued, delayed or in flight).
    for (const deliveryId of overdue) await enqueueWebhookDelivery(deps.queue, deliveryId);
    if (overdue.length > 0) logger.info({ overdue: overdue.length }, 'sweep re-enqueued overdue webhook deliveries');
    return overdue.length;
  }
  const periodic = startPeriodicSweep(sweep, {
    intervalMs: settings.sweepIntervalMs ?? WEBHOOK_WORKER_DEFAULTS.sweepIntervalMs,
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
