import type { WebhookDeliveryPayload } from '@imagegate/contracts';
import { currentTraceparent } from '@imagegate/telemetry';
import { Queue } from 'bullmq';
import type { QueueOptions } from './provider-queue.ts';
import { logQueueErrors } from './queue-errors.ts';

export const WEBHOOK_QUEUE = 'webhooks';

export type { WebhookDeliveryPayload } from '@imagegate/contracts';

export type WebhookQueue = Queue<WebhookDeliveryPayload>;

export function createWebhookQueue(options: QueueOptions): WebhookQueue {
  const queue = new Queue<WebhookDeliveryPayload>(WEBHOOK_QUEUE, {
    connection: options.connection,
    prefix: options.prefix,
    defaultJobOptions: {
      // The retry schedule is the worker's (recorded in Postgres); these attempts only cover the
      // worker's own trouble, e.g. Postgres unreachable for a moment. After them the sweep takes over.
      attempts: 3,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      // Finished entries must go: a leftover entry with the delivery's id would swallow a re-add.
      removeOnComplete: true,
      // No stack traces in Redis: up to one per attempt, each ~1 KiB or more (see GENERATION_JOB_OPTIONS).
      stackTraceLimit: 0,
      removeOnFail: true,
    },
  });
  logQueueErrors(queue, options.logger);
  return queue;
}

/**
 * Asks for a delivery's next attempt. Idempotent: the BullMQ job id is the delivery id, so adding
 * a delivery that is already queued (or being attempted) changes nothing.
 */
export async function enqueueWebhookDelivery(queue: WebhookQueue, deliveryId: string): Promise<void> {
  // With tracing on, the entry carries the ending's trace: the delivery joins the job's trace.
  const traceparent = currentTraceparent();
  await queue.add('deliver', traceparent === undefined ? { deliveryId } : { deliveryId, traceparent }, {
    jobId: deliveryId,
  });
}

/**
 * Makes a delivery's next attempt happen now (a manual retry): a queue entry waiting for its
 * retry time is promoted; a missing one is added; one in progress is left alone.
 */
export async function enqueueWebhookDeliveryNow(queue: WebhookQueue, deliveryId: string): Promise<void> {
  const existing = await queue.getJob(deliveryId);
  const state = existing ? await existing.getState() : undefined;
  if (existing && state === 'delayed') {
    try {
      await existing.promote();
      return;
    } catch {
      // It left the delayed set meanwhile (its time came): it is running or about to.
    }
  }
  if (existing && (state === 'completed' || state === 'failed')) await existing.remove();
  await enqueueWebhookDelivery(queue, deliveryId);
}
