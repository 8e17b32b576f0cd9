import type { WebhookEvent } from '@imagegate/contracts';
import type { JobRow, WebhookDeliveryRow } from '@imagegate/db';
import { toJobResource } from '@imagegate/resources';
import type { ObjectStore } from '@imagegate/storage';

/**
 * The exact body of one attempt: the event with the job resource as it reads now, so the image
 * URLs are presigned afresh for every attempt (an attempt hours later still carries working links).
 */
export function webhookEventBody(
  delivery: WebhookDeliveryRow,
  job: JobRow,
  options: { store: ObjectStore; imageUrlTtlS: number },
): string {
  const event: WebhookEvent = {
    type: delivery.event_type,
    timestamp: (job.completed_at ?? delivery.created_at).toISOString(),
    data: toJobResource(job, { store: options.store, imageUrlTtlS: options.imageUrlTtlS, queuePosition: null }),
  };
  return JSON.stringify(event);
}
